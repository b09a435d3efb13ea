"""The segment worksheet in Chromium at 1280×800 and 1920×1080 (issue 17, done-when 1).

A demo-like segment (template NEWSL, email, Anna Berg, 3.00 a line; 60 lines of contacts
with long names and companies, subjects with «CompanyName», long overridden descriptions):
the page never scrolls sideways, every row's Letter and Remove are on screen, the header
is a summary line that opens and closes, subjects show merged for each contact, and the
columns a user hides stay hidden after a reload, for that user only.
"""

import re

import factory.random
import pytest
from playwright.sync_api import Page, expect

from crm.choices import ContactType
from segments import services
from segments.models import SegmentLine
from tests.factories import (
    ContactFactory,
    InteractionTemplateFactory,
    InteractionTemplateLanguageFactory,
    SalespersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

VIEWPORTS = [(1280, 800), (1920, 1080)]
LONG = (
    "A personal invitation to the spring fair in Oslo with a guided tour of the new "
    "warehouse, lunch in the canteen and a long talk about next year's catalogue"
)


@pytest.fixture
def worksheet(staff):
    factory.random.reseed_random("worksheet")
    SalespersonFactory(code="ANNA", name="Anna Berg", user=staff)
    template = InteractionTemplateFactory(
        code="NEWSL",
        description="Newsletter for every customer and prospect in the Nordic countries",
        unit_cost=3,
        correspondence_type="email",
    )
    InteractionTemplateLanguageFactory(
        template=template,
        language="en",
        subject="Our spring offer for «CompanyName» and all colleagues reading the newsletter",
    )
    companies = [
        ContactFactory(
            type=ContactType.COMPANY,
            country="DK",
            name=f"Nordisk Industri og Handelskompani Vestlandet AS {number}",
        )
        for number in range(6)
    ]
    for number in range(60):
        ContactFactory(
            country="NO",
            name=f"Kristoffer Alexander Johannessen-Bergström {number}",
            company=companies[number % 6],
        )
    segment = services.create_segment(
        user=staff, description="Spring newsletter", interaction_template=template
    )
    services.add_contacts(segment, criteria={"contact": {"country": ["NO"]}}, user=staff)
    for line in segment.lines.order_by("line_no")[:5]:
        services.set_line_values(line, user=staff, description=LONG)
    return segment


@pytest.mark.parametrize(("width", "height"), VIEWPORTS)
def test_the_worksheet_fits_the_window_with_actions_on_every_row(
    page: Page, live_server, login_as, staff, worksheet, width, height, screenshot_dir
):
    page.set_viewport_size({"width": width, "height": height})
    login_as(staff)
    page.goto(f"{live_server.url}{worksheet.get_absolute_url()}")
    rows = page.locator("#lines tbody tr[data-line-no]")
    expect(rows).to_have_count(50)

    # Nothing scrolls sideways: the table fits, or scrolls inside its own box.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # Every row: Letter and Remove within the window once the row is scrolled to.
    for index in range(rows.count()):
        row = rows.nth(index)
        for action in ("a.line-letter", "button.line-remove"):
            button = row.locator(action)
            button.scroll_into_view_if_needed()
            expect(button).to_be_in_viewport()
            box = button.bounding_box()
            assert box is not None
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, (index, action, box)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # One line per row: a row with long values is as tall as one without.
    heights = {round(rows.nth(index).bounding_box()["height"]) for index in (0, 10)}
    assert len(heights) == 1, heights

    # Rows are numbered 1, 2, 3 on the page; the stored line no. is in the title.
    first = worksheet.lines.order_by("line_no").first()
    position = rows.first.locator("td.line-position")
    expect(position).to_have_text("1")
    expect(position).to_have_attribute("title", f"Line no. {first.line_no}")

    # Subjects show merged for the line's contact, the long text whole in the title.
    subject = rows.first.locator("td[data-field='subject'] .value")
    assert first.contact.company_name.startswith("Nordisk Industri")
    merged = (
        f"Our spring offer for {first.contact.company_name} and all colleagues reading the "
        "newsletter"
    )
    expect(subject).to_have_text(merged)
    expect(rows.first.locator("td[data-field='subject'] a.edit")).to_have_attribute("title", merged)
    expect(page.locator("#lines")).not_to_contain_text("«")

    # Overridden values are marked, and the legend says what the mark means.
    expect(rows.first.locator("td[data-field='description']")).to_have_class(
        "table-warning overridden"
    )
    expect(page.locator("#worksheet-legend")).to_contain_text("Overridden on this line")

    page.evaluate("window.scrollTo(0, 0); document.getElementById('lines-scroll').scrollTo(0, 0)")
    page.screenshot(path=screenshot_dir / f"worksheet-{width}.png")


@pytest.mark.parametrize(("width", "height"), VIEWPORTS)
def test_the_header_is_a_summary_that_opens_and_closes(
    page: Page, live_server, login_as, staff, worksheet, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    login_as(staff)
    page.goto(f"{live_server.url}{worksheet.get_absolute_url()}")
    toggle = page.locator("#header-toggle")
    expect(page.locator("#header-summary")).to_have_text("NEWSL · Email · Anna Berg · 3.00/line")
    # Closed: the segment has a template.
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#header-form")).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#header-form [name='description']")).to_be_visible()
    # Bootstrap ignores a click while the box is still sliding open: wait until it is open.
    expect(page.locator("#header-body")).to_have_class(re.compile(r"\bshow\b"))
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#header-form")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize(("width", "height"), VIEWPORTS)
def test_hidden_columns_stay_hidden_for_that_user_only(
    page: Page, live_server, login_as, staff, worksheet, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    login_as(staff)
    url = f"{live_server.url}{worksheet.get_absolute_url()}"
    page.goto(url)
    headings = page.locator("#lines thead th")
    expect(headings.filter(has_text="Subject")).to_have_count(1)
    page.locator("#column-chooser-button").click()
    chooser = page.locator("#column-chooser-form")
    chooser.get_by_label("Subject", exact=True).uncheck()
    chooser.get_by_label("Language", exact=True).check()
    chooser.get_by_role("button", name="Show these columns").click()
    expect(headings.filter(has_text="Subject")).to_have_count(0)
    expect(headings.filter(has_text="Language")).to_have_count(1)
    page.reload()
    expect(headings.filter(has_text="Subject")).to_have_count(0)
    expect(headings.filter(has_text="Language")).to_have_count(1)
    expect(page.locator("#lines tbody tr").first.locator("td[data-field='subject']")).to_have_count(
        0
    )
    assert staff.preferences.columns["segment_lines"] == [
        "interaction_template",
        "description",
        "date",
        "salesperson",
        "language",
        "correspondence_type",
        "cost",
    ]

    # Another user still sees the default columns.
    other = UserFactory(username="colleague", groups=["Marketing staff"])
    login_as(other)
    page.goto(url)
    expect(headings.filter(has_text="Subject")).to_have_count(1)
    expect(headings.filter(has_text="Language")).to_have_count(0)


def test_a_value_is_edited_from_the_keyboard_and_reset(
    page: Page, live_server, login_as, staff, worksheet
):
    page.set_viewport_size({"width": 1280, "height": 800})
    login_as(staff)
    page.goto(f"{live_server.url}{worksheet.get_absolute_url()}")
    line = worksheet.lines.order_by("line_no")[49]  # the last of the first page
    row = page.locator(f"tr[data-line-no='{line.line_no}']")
    row.scroll_into_view_if_needed()
    cell = row.locator("td[data-field='cost']")
    expect(cell.locator("a.edit")).to_have_count(1)
    expect(row.locator("a.edit")).to_have_count(7)  # one link per value, no pencils
    cell.locator("a.edit").focus()
    page.keyboard.press("Enter")
    field = cell.locator("input[name='cost']")
    expect(field).to_be_focused()
    field.fill("7.5")
    page.keyboard.press("Enter")
    cell = page.locator(f"tr[data-line-no='{line.line_no}'] td[data-field='cost']")
    expect(cell).to_have_class("table-warning overridden")
    expect(cell.locator(".value")).to_have_text(re.compile(r"^7\.50?$"))
    line.refresh_from_db()
    assert str(line.cost) == "7.50"
    cell.locator("button.reset").click()
    cell = page.locator(f"tr[data-line-no='{line.line_no}'] td[data-field='cost']")
    expect(cell).not_to_have_class("table-warning overridden")
    expect(cell.locator(".value")).to_have_text(re.compile(r"^3(\.00)?$"))
    assert SegmentLine.objects.get(pk=line.pk).cost is None
