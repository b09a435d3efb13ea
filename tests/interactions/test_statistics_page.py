"""The statistics page (issues 16 and 17): this year by default, charts beside the tables,
CSV and XLSX export of the figures shown, read from the summary and never the ledger."""

import csv
import datetime
import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from interactions import services
from tests.factories import InteractionTemplateFactory

from .test_views import make_entries

pytestmark = pytest.mark.django_db

URL = reverse("interactions:statistics")


def this_year() -> int:
    return timezone.localdate().year


@pytest.fixture
def ledger(staff):
    """A template with 2 active entries this year, 1 canceled, and 4 entries last year."""
    template = InteractionTemplateFactory(code="OFFER", description="=Offer letter")
    values = {"template": template, "group": template.group}
    make_entries(staff, 2, date=datetime.date(this_year(), 1, 5), cost=3, duration=4, **values)
    make_entries(staff, 1, date=datetime.date(this_year(), 2, 1), canceled=True, **values)
    make_entries(staff, 4, date=datetime.date(this_year() - 1, 6, 1), cost=1, **values)
    return template


def chart_data(html: str, name: str) -> dict:
    return json.loads(html.split(f'id="{name}" type="application/json">')[1].split("<")[0])


def row_of(rows, pk):
    return next(row for row in rows if row.pk == pk)


def test_the_period_defaults_to_this_year(staff_client, ledger):
    response = staff_client.get(URL)
    year = this_year()
    form = response.context["form"]
    assert form.initial == {
        "date_from": datetime.date(year, 1, 1),
        "date_to": datetime.date(year, 12, 31),
    }
    assert f'value="{year}-01-01"' in response.content.decode()
    row = row_of(response.context["templates"], ledger.pk)
    assert (row.interactions, row.cost, row.duration) == (2, 6, 8)


def test_the_existing_date_parameters_still_choose_the_period(staff_client, ledger):
    last_year = f"{this_year() - 1}-01-01"
    response = staff_client.get(URL, {"date_from": last_year})
    assert row_of(response.context["templates"], ledger.pk).interactions == 6
    # Both dates blank: the whole ledger.
    response = staff_client.get(URL, {"date_from": "", "date_to": ""})
    row = row_of(response.context["groups"], ledger.group_id)
    assert (row.interactions, row.cost) == (6, 10)
    response = staff_client.get(URL, {"date_to": f"{this_year() - 1}-12-31"})
    assert row_of(response.context["templates"], ledger.pk).interactions == 4


def test_charts_beside_the_tables_show_the_same_figures(staff_client, ledger):
    response = staff_client.get(URL)
    html = response.content.decode()
    data = json.loads(
        html.split('id="template-chart-data" type="application/json">')[1].split("<")[0]
    )
    position = data["labels"].index("OFFER")
    assert data["datasets"][0]["data"][position] == 2
    groups = json.loads(
        html.split('id="group-chart-data" type="application/json">')[1].split("<")[0]
    )
    assert groups["datasets"][0]["data"][groups["labels"].index(ledger.group.code)] == 2
    # One chart library, one chart script, no inline script; the tables stay as fallback.
    assert "vendor/chartjs/chart.umd.min.js" in html and "js/charts.js" in html
    assert 'data-chart="template-chart-data"' in html and 'id="template-statistics"' in html
    assert "<script>" not in html


def test_the_csv_export_holds_the_figures_shown(staff_client, ledger):
    response = staff_client.get(URL, {"date_from": f"{this_year()}-01-01", "export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert f"statistics-{this_year()}-01-01.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Kind",
        "Code",
        "Description",
        "Interaction group",
        "Interactions",
        "Cost",
        "Duration (minutes)",
    ]
    offer = next(row for row in rows if row[1] == "OFFER")
    # A description that a spreadsheet would run as a formula is quoted.
    assert offer[:4] == ["Interaction template", "OFFER", "'=Offer letter", ledger.group.code]
    assert offer[4:] == ["2", "6.00", "8.00"]
    group = next(row for row in rows if row[0] == "Interaction group")
    assert group[4:] == ["2", "6.00", "8.00"]


def test_the_xlsx_export_holds_the_figures_shown(staff_client, ledger):
    response = staff_client.get(URL, {"export": "xlsx"})
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    offer = next(row for row in rows if row[1] == "OFFER")
    assert offer[2] == "'=Offer letter"
    assert [Decimal(str(value)) for value in offer[4:]] == [2, 6, 8]


def test_the_export_link_carries_the_period_shown(staff_client, ledger):
    html = staff_client.get(URL).content.decode()
    assert f"?date_from={this_year()}-01-01&amp;date_to={this_year()}-12-31&amp;export=csv" in html


def test_the_page_reads_the_summary_and_never_the_ledger(staff_client, staff, ledger):
    with CaptureQueriesContext(connection) as queries:
        staff_client.get(URL)
        staff_client.get(URL, {"date_from": "", "export": "csv"})
    assert not [q for q in queries if "interactions_interactionlogentry" in q["sql"]]


def test_the_query_count_is_flat_in_entries_and_days(staff_client, staff, ledger):
    def count(params) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(URL, params).status_code == 200
        return len(queries)

    few = [count({}), count({"date_from": "", "export": "xlsx"})]
    for day in range(1, 60):
        make_entries(
            staff,
            2,
            date=datetime.date(this_year(), 1, 1) + datetime.timedelta(days=day),
            template=InteractionTemplateFactory(),
        )
    assert [count({}), count({"date_from": "", "export": "xlsx"})] == few


def test_the_services_still_take_an_entries_queryset(ledger):
    """The public API: ``template_statistics(entries)`` narrows over the ledger."""
    from interactions.models import InteractionLogEntry

    narrowed = services.template_statistics(
        InteractionLogEntry.objects.filter(date__lt=datetime.date(this_year(), 1, 1))
    ).get(pk=ledger.pk)
    assert narrowed.interactions == 4
    assert services.template_statistics().get(pk=ledger.pk).interactions == 6
