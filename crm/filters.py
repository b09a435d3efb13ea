"""Contact criteria: the `contact` source of SPEC section 3, shared by the contact list.

Every filter takes one value or a list of values; a list means "any of". Text typed
into a code field may also separate values with commas (``NO, SE``). A filter's cleaned
value is always a list of strings, so it can be stored as JSON and replayed exactly.
"""

from functools import reduce
from operator import or_

import django_filters
from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.choices import CallableChoiceIterator
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .choices import ContactType, CorrespondenceType, country_choices, country_code
from .models import CODE_LENGTH, Contact, Salesperson, Territory

YES = "true"
NO = "false"
_YES_NO = {
    "true": YES,
    "yes": YES,
    "1": YES,
    "on": YES,
    "false": NO,
    "no": NO,
    "0": NO,
    "off": NO,
}


class CriteriaForm(forms.Form):
    """The form of a criteria FilterSet; several sources render inside one dialog."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class ValueListWidget(forms.TextInput):
    """A text box that reads every value a query string or criteria list holds."""

    def value_from_datadict(self, data, files, name):
        if hasattr(data, "getlist"):
            return data.getlist(name)
        value = data.get(name)
        return value if isinstance(value, list | tuple) else [value]

    def format_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(v) for v in value if v not in (None, ""))
        return super().format_value(value)


class ValueListSelect(forms.SelectMultiple):
    def value_from_datadict(self, data, files, name):
        if hasattr(data, "getlist"):
            return data.getlist(name)
        value = data.get(name)
        return value if isinstance(value, list | tuple) else [value]


class YesNoField(forms.Field):
    """One yes/no value, strictly: anything but true/false, yes/no, 1/0 is an error."""

    default_error_messages = {"invalid": _("Enter yes or no (true or false).")}

    def clean(self, value):
        key = str(value).strip().lower() if isinstance(value, str | bool | int) else None
        if key not in _YES_NO:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return _YES_NO[key]


class CountryCodeField(forms.CharField):
    """One country, cleaned to its ISO 3166 alpha-2 code (what contacts and criteria
    store); a country's name, in English or the page's language, is accepted too."""

    default_error_messages = {
        "invalid_country": _(
            '"%(value)s" is not a country. Choose one from the list, or give its '
            "two-letter ISO code (NO for Norway)."
        )
    }

    def clean(self, value) -> str:
        value = super().clean(value)
        code = country_code(value)
        if code is None:
            raise ValidationError(
                self.error_messages["invalid_country"],
                code="invalid_country",
                params={"value": value},
            )
        return code


class SearchableSelectMultiple(forms.SelectMultiple):
    """A multiple select with a search box above it (static/js/select-search.js)."""

    def __init__(self, attrs=None, choices=(), *, search_label=""):
        attrs = {"size": 8, **(attrs or {})}
        super().__init__(attrs, choices)
        self.search_label = search_label

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["data-search"] = str(self.search_label)
        return context

    def value_from_datadict(self, data, files, name):
        if hasattr(data, "getlist"):
            return data.getlist(name)
        value = data.get(name)
        return value if isinstance(value, list | tuple) else [value]


class ValueListField(forms.Field):
    """A list of values, each checked by ``item_field``; cleans to a list of strings.

    ``queryset`` and ``to_field`` check that every code exists (one query for the whole
    list); ``choices`` restricts values to a fixed set; ``upper`` normalises codes.
    """

    default_error_messages = {
        "invalid_type": _("%(value)s is not a text value."),
        "invalid_choice": _("%(value)s is not one of the available choices."),
        "missing": _("%(label)s %(value)s does not exist."),
    }

    def __init__(
        self,
        *,
        item_field: forms.Field | None = None,
        split: bool = False,
        upper: bool = False,
        queryset=None,
        to_field: str = "code",
        missing_label=None,
        choices=None,
        **kwargs,
    ):
        self.item_field = item_field or forms.CharField(max_length=100)
        self.split = split
        self.upper = upper
        self.queryset = queryset
        self.to_field = to_field
        self.missing_label = missing_label
        self.choices = choices
        kwargs.setdefault("required", False)
        if "widget" not in kwargs:
            if choices is not None or queryset is not None:
                kwargs["widget"] = ValueListSelect
            else:
                kwargs["widget"] = ValueListWidget
        super().__init__(**kwargs)
        if isinstance(self.widget, forms.SelectMultiple) and (
            choices is not None or queryset is not None
        ):
            self.widget.choices = (
                CallableChoiceIterator(self._queryset_choices) if choices is None else list(choices)
            )

    def _queryset_choices(self):
        return [(getattr(obj, self.to_field), str(obj)) for obj in self.queryset.all()]

    def _items(self, value) -> list:
        values = value if isinstance(value, list | tuple) else [value]
        items = []
        for item in values:
            if item is None or item == "":
                continue
            if isinstance(item, bool):
                item = YES if item else NO
            elif isinstance(item, int | float):
                item = str(item)
            elif not isinstance(item, str):
                raise ValidationError(
                    self.error_messages["invalid_type"],
                    code="invalid_type",
                    params={"value": repr(item)},
                )
            parts = item.split(",") if self.split else [item]
            items.extend(part.strip() for part in parts if part.strip())
        return items

    def clean(self, value) -> list[str]:
        items = self._items(value)
        cleaned = []
        for item in items:
            if self.upper:
                item = item.upper()
            checked = self.item_field.clean(item)
            cleaned.append(checked.isoformat() if hasattr(checked, "isoformat") else checked)
        if self.choices is not None:
            allowed = {str(key) for key, _label in self.choices}
            for item in cleaned:
                if item not in allowed:
                    raise ValidationError(
                        self.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": item},
                    )
        if self.queryset is not None and cleaned:
            found = set(
                self.queryset.filter(**{f"{self.to_field}__in": cleaned}).values_list(
                    self.to_field, flat=True
                )
            )
            missing = [item for item in cleaned if item not in found]
            if missing:
                raise ValidationError(
                    self.error_messages["missing"],
                    code="missing",
                    params={
                        "label": capfirst(
                            self.missing_label or self.queryset.model._meta.verbose_name
                        ),
                        "value": ", ".join(missing),
                    },
                )
        # Keep the first occurrence of each value: the list is a set, in the user's order.
        return list(dict.fromkeys(cleaned))


class AnyOfFilter(django_filters.Filter):
    """Matches when the field matches any of the values (``lookup_expr`` per value)."""

    field_class = ValueListField

    def filter(self, qs, value):
        if not value:
            return qs
        if self.lookup_expr in ("exact", "in"):
            condition = Q(**{f"{self.field_name}__in": value})
        else:
            condition = reduce(
                or_, (Q(**{f"{self.field_name}__{self.lookup_expr}": item}) for item in value)
            )
        return qs.exclude(condition) if self.exclude else qs.filter(condition)


class YesNoFilter(AnyOfFilter):
    """A yes/no filter; the queryset method decides what "yes" means."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("item_field", YesNoField())
        kwargs.setdefault(
            "widget",
            ValueListSelect(choices=[(YES, _("Yes")), (NO, _("No"))]),
        )
        super().__init__(*args, **kwargs)

    @staticmethod
    def wanted(value) -> bool | None:
        """True or False for one answer; None when both are allowed (no filter)."""
        answers = set(value or [])
        return None if len(answers) != 1 else answers == {YES}


def code_field(label, **kwargs) -> dict:
    return {
        "label": label,
        "upper": True,
        "item_field": forms.CharField(max_length=CODE_LENGTH),
        **kwargs,
    }


class ContactFilter(django_filters.FilterSet):
    """The `contact` criteria source; the contact list page and segments share it."""

    label = _("Contacts")

    no = AnyOfFilter(
        field_name="no",
        split=True,
        queryset=Contact.objects.all(),
        to_field="no",
        widget=ValueListWidget,
        **code_field(_("No.")),
    )
    name = AnyOfFilter(field_name="name", lookup_expr="icontains", label=_("Name contains"))
    type = AnyOfFilter(field_name="type", label=_("Type"), choices=ContactType.choices)
    company = AnyOfFilter(
        field_name="company__no",
        split=True,
        queryset=Contact.objects.companies(),
        to_field="no",
        missing_label=_("company"),
        widget=ValueListWidget,
        **code_field(_("Company no.")),
    )
    city = AnyOfFilter(field_name="city", lookup_expr="iexact", label=_("City"))
    post_code = AnyOfFilter(
        field_name="post_code",
        lookup_expr="istartswith",
        split=True,
        label=_("Post code starts with"),
    )
    # Chosen by name in the page's language; stored and replayed as ISO codes.
    country = AnyOfFilter(
        field_name="country",
        split=True,
        item_field=CountryCodeField(max_length=100),
        choices=CallableChoiceIterator(country_choices),
        widget=SearchableSelectMultiple(search_label=_("Search countries")),
        label=_("Country"),
    )
    territory = AnyOfFilter(
        field_name="territory__code", queryset=Territory.objects.all(), **code_field(_("Territory"))
    )
    salesperson = AnyOfFilter(
        field_name="salesperson__code",
        queryset=Salesperson.objects.all(),
        **code_field(_("Salesperson")),
    )
    language = AnyOfFilter(
        field_name="language",
        split=True,
        item_field=forms.CharField(max_length=10),
        label=_("Language"),
    )
    correspondence_type = AnyOfFilter(
        field_name="correspondence_type",
        label=_("Correspondence type"),
        choices=CorrespondenceType.choices,
    )
    has_email = YesNoFilter(method="filter_has_email", label=_("Has email"))
    job_title = AnyOfFilter(
        field_name="job_title", lookup_expr="icontains", label=_("Job title contains")
    )

    class Meta:
        model = Contact
        fields = []
        form = CriteriaForm

    def filter_has_email(self, queryset, name, value):
        wanted = YesNoFilter.wanted(value)
        if wanted is None:
            return queryset
        return queryset.exclude(email="") if wanted else queryset.filter(email="")
