"""The serializer fields and mixins every API resource builds on."""

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


def code_field(queryset, **kwargs):
    """A related record named by its code, as the pages and commands name it."""
    return serializers.SlugRelatedField(slug_field="code", queryset=queryset, **kwargs)


class Strict:
    """Input serializer mixin: a field the operation does not take is refused by name."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(
                set(data) - {name for name, f in self.fields.items() if not f.read_only}
            )
            if unknown:
                raise serializers.ValidationError(
                    {
                        name: [_("This operation takes no field %(name)s.") % {"name": name}]
                        for name in unknown
                    }
                )
        return super().to_internal_value(data)


class ModelOutput(serializers.ModelSerializer):
    """A model's fields as they are: read-only ones keep saying they may be blank or null
    (DRF drops that for read-only fields, and the schema would then refuse real data)."""

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            try:
                model_field = self.Meta.model._meta.get_field(field.source or name)
            except FieldDoesNotExist:
                continue
            if model_field.null:
                field.allow_null = True
            if model_field.blank and hasattr(field, "allow_blank"):
                field.allow_blank = True
        return fields


class CountField(serializers.IntegerField):
    """A count from a correlated subquery: no row counts 0, not null."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def get_attribute(self, instance):
        return super().get_attribute(instance) or 0
