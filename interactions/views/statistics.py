"""Statistics: interactions, cost and duration per template and group, with charts and
an export (CSV or XLSX) of the same figures."""

import datetime
from decimal import Decimal

import tablib
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from crm.spreadsheets import SafeCSV, SafeXLSX

from .. import services
from ..forms import StatisticsForm
from .base import Permission

#: ``?export=`` values: (format, content type, file extension).
EXPORTS = {
    "csv": (SafeCSV, "text/csv; charset=utf-8", "csv"),
    "xlsx": (
        SafeXLSX,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
}


def this_year() -> tuple[datetime.date, datetime.date]:
    """The first and last day of the current year (the user's time zone)."""
    today = timezone.localdate()
    return datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)


def chart(rows, label: str) -> dict:
    """What the chart script draws: one bar per row (its code), the row's interactions."""
    return {
        "labels": [row.code for row in rows],
        "datasets": [{"label": label, "data": [row.interactions for row in rows]}],
    }


def figures(row) -> list:
    """A row's interactions, cost and duration as the export writes them (two decimals)."""
    cents = Decimal("0.01")
    return [
        row.interactions,
        Decimal(row.cost).quantize(cents),
        Decimal(row.duration).quantize(cents),
    ]


class StatisticsView(Permission, TemplateView):
    """Interactions, cost and duration per template and group, canceled entries excluded;
    the period defaults to this year. Read from the ledger's day summary: the page takes
    the same time whatever the ledger's size."""

    permission_required = "interactions.view_interactionlogentry"
    template_name = "interactions/statistics.html"

    def get(self, request, *args, **kwargs):
        period = {key: request.GET[key] for key in ("date_from", "date_to") if key in request.GET}
        if period:
            form = StatisticsForm(period)
            valid = form.is_valid()
            dates = (
                (form.cleaned_data["date_from"], form.cleaned_data["date_to"])
                if valid
                else (None, None)
            )
        else:
            # No period asked for: this year, shown in the form.
            dates = this_year()
            form = StatisticsForm(initial={"date_from": dates[0], "date_to": dates[1]})
            valid = True
        date_from, date_to = dates
        templates = groups = []
        if valid:
            templates = list(services.template_statistics(date_from=date_from, date_to=date_to))
            groups = list(services.group_statistics(date_from=date_from, date_to=date_to))
        export = request.GET.get("export")
        if valid and export in EXPORTS:
            return self.export(export, templates, groups, date_from, date_to)
        query = "&".join(
            f"{key}={value.isoformat()}"
            for key, value in (("date_from", date_from), ("date_to", date_to))
            if value
        )
        return self.render_to_response(
            self.get_context_data(
                form=form,
                templates=templates,
                groups=groups,
                template_chart=chart(templates, _("Interactions")),
                group_chart=chart(groups, _("Interactions")),
                export_query=query,
            )
        )

    def export(self, kind, templates, groups, date_from, date_to) -> HttpResponse:
        """The figures shown, one row per template and per group, as CSV or XLSX."""
        dataset = tablib.Dataset(
            headers=[
                _("Kind"),
                _("Code"),
                _("Description"),
                _("Interaction group"),
                _("Interactions"),
                _("Cost"),
                _("Duration (minutes)"),
            ]
        )
        for row in templates:
            group = row.group.code if row.group else ""
            dataset.append(
                [_("Interaction template"), row.code, row.description, group] + figures(row)
            )
        for row in groups:
            dataset.append(
                [_("Interaction group"), row.code, row.description, row.code] + figures(row)
            )
        format_class, content_type, extension = EXPORTS[kind]
        response = HttpResponse(format_class().export_data(dataset), content_type=content_type)
        period = "-".join(value.isoformat() for value in (date_from, date_to) if value)
        name = f"statistics-{period}" if period else "statistics"
        response["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
        return response
