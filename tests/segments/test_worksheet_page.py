"""The worksheet as issue 17 wants it: merged subjects, row positions, page size, the
column chooser, the header's summary line (the browser side: tests/browser/test_worksheet.py)."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from crm.choices import ContactType
from crm.models import UserPreferences
from segments import services
from segments.views.base import DEFAULT_COLUMNS, WORKSHEET_TABLE
from tests.factories import (
    ContactFactory,
    InteractionTemplateFactory,
    InteractionTemplateLanguageFactory,
    SalespersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def template():
    template = InteractionTemplateFactory(
        code="NEWSL", description="Newsletter", unit_cost=3, correspondence_type="email"
    )
    InteractionTemplateLanguageFactory(
        template=template, language="en", subject="Spring offer for «CompanyName»"
    )
    return template


def segment_of(user, template, lines: int):
    companies = [
        ContactFactory(type=ContactType.COMPANY, country="DK", name=f"Fjord {n} AS")
        for n in range(3)
    ]
    for number in range(lines):
        ContactFactory(country="SE", company=companies[number % 3])
    segment = services.create_segment(
        user=user, description="Spring", interaction_template=template
    )
    services.add_contacts(segment, criteria={"contact": {"country": ["SE"]}}, user=user)
    return segment


def cells(html: str, field: str) -> list[str]:
    return re.findall(rf'data-field="{field}".*?<span class="value[^"]*">(.*?)</span>', html, re.S)


def test_subjects_and_descriptions_show_merged_for_each_contact(staff_client, staff, template):
    segment = segment_of(staff, template, lines=3)
    first = segment.lines.order_by("line_no").first()
    services.set_line_values(first, user=staff, description="Hello «City», «Nothing»")
    html = staff_client.get(segment.get_absolute_url()).content.decode()
    lines = segment.lines.order_by("line_no").select_related("contact")
    assert cells(html, "subject") == [
        f"Spring offer for {line.contact.company_name}" for line in lines
    ]
    # A field without a value stays visible, as in the letter; the data is not changed.
    assert cells(html, "description")[0] == f"Hello {first.contact.city}, «Nothing»"
    first.refresh_from_db()
    assert first.description == "Hello «City», «Nothing»"
    # The htmx row after an edit is merged the same way.
    row = staff_client.get(
        reverse("segments:line-row", args=[segment.pk, first.pk]), headers=HTMX
    ).content.decode()
    assert cells(row, "subject") == [f"Spring offer for {first.contact.company_name}"]


def test_rows_are_numbered_in_page_order_with_the_line_no_in_the_title(
    staff_client, staff, template
):
    segment = segment_of(staff, template, lines=30)
    lines = list(segment.lines.order_by("line_no"))
    html = staff_client.get(segment.get_absolute_url(), {"per_page": 25, "page": 2}).content
    positions = re.findall(
        r'<td class="[^"]*line-position" title="Line no. (\d+)">(\d+)</td>', html.decode()
    )
    assert positions == [(str(line.line_no), str(n)) for n, line in enumerate(lines, 1)][25:]
    # One row alone (after an edit) keeps its position.
    row = staff_client.get(
        reverse("segments:line-row", args=[segment.pk, lines[26].pk]), headers=HTMX
    ).content.decode()
    assert f'title="Line no. {lines[26].line_no}">27</td>' in row
    # The stored line no. as a column, when chosen.
    assert 'class="text-end line-no"' not in html.decode()


def test_the_page_size_is_one_of_four_and_remembered(staff_client, staff, template):
    segment = segment_of(staff, template, lines=30)
    url = segment.get_absolute_url()
    assert len(staff_client.get(url).context["lines"]) == 30  # 50 by default
    assert len(staff_client.get(url, {"per_page": 25}).context["lines"]) == 25
    response = staff_client.get(url)
    assert (len(response.context["lines"]), response.context["per_page"]) == (25, 25)
    # At the top and at the bottom, the chosen size selected.
    html = response.content.decode()
    assert html.count('<option value="25" selected>') == 2
    assert html.count('name="per_page"') == 2
    # A size not offered is ignored; a jump to a line uses the chosen size.
    assert staff_client.get(url, {"per_page": 7}).context["per_page"] == 25
    last = segment.lines.order_by("-line_no").first()
    assert staff_client.get(url, {"line": last.line_no}).context["page_obj"].number == 2


def test_the_column_chooser_is_remembered_per_user(client, staff, template):
    segment = segment_of(staff, template, lines=2)
    client.force_login(staff)
    columns = reverse("segments:worksheet-columns", args=[segment.pk])
    response = client.post(columns, {"columns": ["line_no", "subject", "campaign"]})
    assert response.status_code == 302
    assert UserPreferences.objects.get(user=staff).columns == {
        WORKSHEET_TABLE: ["line_no", "subject", "campaign"]
    }
    html = client.get(segment.get_absolute_url()).content.decode()
    assert html.count('data-field="subject"') == 2
    assert 'data-field="description"' not in html
    assert html.count('data-field="campaign"') == 2
    assert html.count('class="text-end line-no"') == 2
    assert 'id="column-subject" checked' in html
    assert 'id="column-description" checked' not in html

    # A column the table does not have is refused, and nothing changes.
    response = client.post(columns, {"columns": ["subject", "secret"]})
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "This table has no column secret."
    ]
    assert UserPreferences.objects.get(user=staff).columns[WORKSHEET_TABLE] == [
        "line_no",
        "subject",
        "campaign",
    ]

    # Another user sees the default columns.
    other = UserFactory(username="other", groups=["Marketing staff"])
    client.force_login(other)
    response = client.get(segment.get_absolute_url())
    assert response.context["line_fields"] == DEFAULT_COLUMNS


def test_the_header_is_a_summary_closed_once_the_segment_has_a_template(
    staff_client, staff, template
):
    SalespersonFactory(code="ANNA", name="Anna Berg", user=staff)
    segment = segment_of(staff, template, lines=1)
    response = staff_client.get(segment.get_absolute_url())
    html = response.content.decode()
    assert response.context["header_summary"] == ["NEWSL", "Email", "Anna Berg", "3.00/line"]
    assert '<span class="text-body-secondary" id="header-summary">NEWSL · Email · Anna Berg' in html
    assert 'aria-expanded="false"' in html.split('id="header-toggle"')[1][:300]
    assert '<div class="collapse" id="header-body">' in html

    # The header's own values win over the template's.
    segment.unit_cost, segment.correspondence_type = 4, "hard_copy"
    segment.save()
    summary = staff_client.get(segment.get_absolute_url()).context["header_summary"]
    assert summary == ["NEWSL", "Hard copy", "Anna Berg", "4.00/line"]

    # Without a template, and with errors to fix, the header is open.
    bare = services.create_segment(user=staff, description="Bare")
    html = staff_client.get(bare.get_absolute_url()).content.decode()
    assert '<div class="collapse show" id="header-body">' in html
    assert 'aria-expanded="true"' in html.split('id="header-toggle"')[1][:300]
    response = staff_client.post(
        reverse("segments:segment-header", args=[segment.pk]),
        {"description": "x", "date": "2026-12-01", "unit_cost": "-1"},
    )
    assert '<div class="collapse show" id="header-body">' in response.content.decode()


def test_columns_can_be_chosen_while_a_job_holds_the_segment(staff_client, staff, template):
    from jobs.models import Job

    segment = segment_of(staff, template, lines=1)
    Job.objects.create(kind="segments.log", description="Log", target=segment.no, state="running")
    response = staff_client.post(
        reverse("segments:worksheet-columns", args=[segment.pk]), {"columns": ["cost"]}
    )
    assert response.url == segment.get_absolute_url()
    assert UserPreferences.objects.get(user=staff).columns == {WORKSHEET_TABLE: ["cost"]}
