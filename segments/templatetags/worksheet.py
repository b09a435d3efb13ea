"""Template filters of the segment worksheet."""

import datetime
from decimal import Decimal

from django import template
from django.urls import reverse
from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from crm.choices import CorrespondenceType
from interactions.choices import Evaluation, InformationFlow, InitiatedBy
from interactions.letters import merge_text

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
    "campaign": ("effective_campaign_no", None),
    "campaign_target": ("effective_campaign_target", None),
    "campaign_response": ("effective_campaign_response", None),
}


def _label(choices, value):
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.date | Decimal):
        # Dates and amounts in the user's language, like the rest of the page.
        if isinstance(value, datetime.date):
            return formats.date_format(value, "SHORT_DATE_FORMAT")
        return formats.number_format(value)
    if choices is None or not value:
        return value
    try:
        return choices(value).label
    except ValueError:
        return value


#: Line fields shown merged for the line's contact («CompanyName» replaced by its value).
MERGED = frozenset({"description", "subject"})

#: Stands for the field in a reversed URL; replaced per cell, so that a row reverses its
#: edit and reset URLs once rather than once per cell (a page has hundreds of cells).
FIELD_SLOT = "field-slot"


@register.simple_tag(takes_context=True)
def worksheet_row(context, line, fields):
    """``line``'s row: its URLs and its cells (field, value, overridden, HTML).

    The cells' HTML is built here rather than in the template: a worksheet page has
    hundreds of cells, and the template engine would make the page several times slower.
    Subjects and descriptions are shown merged with the line's ``merge_data`` (read with
    the lines, ``selectors.worksheet_lines(merged=True)``): as the contact will read them.
    """
    args = [line.segment_id, line.pk]
    edit = reverse("segments:line-edit", args=[*args, FIELD_SLOT])
    reset = reverse("segments:line-reset", args=[*args, FIELD_SLOT])
    can_change = context.get("can_change", False)
    csrf_token = str(context.get("csrf_token", ""))
    labels = context.get("_worksheet_labels")
    if labels is None:
        # Once per page, not per row: the context outlives the rows of one render.
        labels = {
            "reset": _("Reset to the header value"),
            "edit": _("Edit %(field)s"),
            "fields": {name: field_label(name) for name in EFFECTIVE},
        }
        context.dicts[0]["_worksheet_labels"] = labels
    merge_data = getattr(line, "merge_data", None)
    cells = []
    for name in fields:
        annotation, choices = EFFECTIVE[name]
        own = getattr(line, SegmentLine._meta.get_field(name).attname)
        value = _label(choices, getattr(line, annotation, None))
        if name in MERGED and value and merge_data:
            value = merge_text(value, merge_data)
        cell = {
            "field": name,
            "value": value,
            "overridden": own not in (None, ""),
            "edit_url": edit.replace(FIELD_SLOT, name),
            "reset_url": reset.replace(FIELD_SLOT, name),
        }
        cell["html"] = _cell_html(cell, labels, can_change, csrf_token)
        cells.append(cell)
    return {
        "cells": cells,
        "url": reverse("segments:line-row", args=args),
        "letter_url": reverse("segments:line-letter", args=args),
        "remove_url": reverse("segments:line-remove", args=args),
    }


def _cell_html(cell: dict, labels: dict, can_change: bool, csrf_token: str):
    """A cell: its value (cut with an ellipsis when long, whole in its title); with the
    change permission the value is the cell's edit link, and an overridden value has a
    reset button (back to the header value)."""
    value = "" if cell["value"] is None else str(cell["value"])
    if not can_change:
        return format_html('<span class="value" title="{0}">{0}</span>', value)
    label = labels["fields"][cell["field"]]
    html = format_html(
        '<a class="edit cell-edit" href="{url}" hx-get="{url}" hx-target="closest tr" '
        'hx-swap="outerHTML" title="{value}" aria-label="{edit}"><span class="value">'
        "{value}</span></a>",
        url=cell["edit_url"],
        value=value,
        edit=f"{labels['edit'] % {'field': label}}: {value}"
        if value
        else labels["edit"] % {"field": label},
    )
    if cell["overridden"]:
        html += format_html(
            '<form method="post" action="{url}" class="d-inline" hx-post="{url}" '
            'hx-target="closest tr" hx-swap="outerHTML">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
            '<button type="submit" class="btn btn-link btn-sm p-0 ms-1 reset" '
            'title="{label}" aria-label="{label}: {field}">\u21ba</button></form>',
            url=cell["reset_url"],
            token=csrf_token,
            label=labels["reset"],
            field=label,
        )
    return mark_safe(html)  # every part is escaped by format_html


@register.filter
def field_label(name):
    """The column heading of a line field."""
    return capfirst(SegmentLine._meta.get_field(name).verbose_name)
