"""Template filters of the segment worksheet."""

from django import template
from django.utils.text import capfirst

from crm.choices import CorrespondenceType, Evaluation, InformationFlow, InitiatedBy

from ..models import SegmentLine

register = template.Library()

#: Line field -> (the annotation holding its effective value, its choices).
EFFECTIVE = {
    "interaction_template": ("effective_template_code", None),
    "description": ("effective_description", None),
    "subject": ("effective_subject", None),
    "date": ("effective_date", None),
    "salesperson": ("effective_salesperson_name", None),
    "language": ("effective_language", None),
    "correspondence_type": ("effective_correspondence_type", CorrespondenceType),
    "cost": ("effective_cost", None),
    "duration": ("effective_duration", None),
    "information_flow": ("effective_information_flow", InformationFlow),
    "initiated_by": ("effective_initiated_by", InitiatedBy),
    "evaluation": ("evaluation", Evaluation),
}


def _label(choices, value):
    if choices is None or not value:
        return value
    try:
        return choices(value).label
    except ValueError:
        return value


@register.filter
def cells(line, fields):
    """The worksheet cells of ``line``: field, value shown, and whether it is overridden."""
    result = []
    for name in fields:
        annotation, choices = EFFECTIVE[name]
        field = SegmentLine._meta.get_field(name)
        own = getattr(line, field.attname)
        result.append(
            {
                "field": name,
                "value": _label(choices, getattr(line, annotation, None)),
                "overridden": own not in (None, ""),
            }
        )
    return result


@register.filter
def field_label(name):
    """The column heading of a line field."""
    return capfirst(SegmentLine._meta.get_field(name).verbose_name)
