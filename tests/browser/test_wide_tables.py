"""At 1280x800 the contact list and the interaction log entries show every column: the
page does not scroll sideways and the table does not scroll inside its box (issue 17: the
walk-through found the last columns cut off)."""

import datetime

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from tests.factories import (
    CompanyFactory,
    ContactFactory,
    InteractionTemplateFactory,
    SalespersonFactory,
)
from tests.ledger_data import log_entry, logged_segment

pytestmark = pytest.mark.django_db(transaction=True)

LONG_NAME = "Aas, Birkeland, Bøe og Christophersen-Hagelund Eiendomsforvaltning AS"
LONG_EMAIL = "marie-christine.birkeland-christophersen@aas-birkeland-eiendom.example.com"


@pytest.fixture
def wide_data(staff):
    salesperson = SalespersonFactory(name="Anthony Scott-Dawson Whitfield")
    company = CompanyFactory(name=LONG_NAME, city="Kristiansund N", country="NO")
    template = InteractionTemplateFactory(code="AUTUMN-OFFER")
    logged = logged_segment(staff, segment_no="SEG90001", description="Autumn mailing 2026")
    for number in range(5):
        contact = ContactFactory(
            company=company,
            name=f"Marie-Christine Birkeland-Christophersen {number}",
            email=LONG_EMAIL.replace("marie", f"marie{number}"),
            city="Kristiansund N",
            country="BA",  # Bosnia and Herzegovina: a long country name
            salesperson=salesperson,
        )
        log_entry(
            contact,
            staff,
            date=datetime.date(2026, 12, 1),
            template=template,
            logged_segment=logged,
            segment_no=logged.segment_no,
            salesperson=salesperson,
            cost=123456.78,
            duration=90,
            description="Offer to prospects: autumn campaign with a rather long description",
            delivery_status="failed",
        )


def in_language(page: Page, live_server, language: str) -> None:
    cookie = {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}
    page.context.add_cookies([cookie])


def assert_every_column_shows(page: Page, table: str):
    box = page.locator(table).locator("xpath=..")
    # The table fits its box (no scrolling inside it) and the page fits the window.
    assert box.evaluate("box => box.scrollWidth <= box.clientWidth"), box.evaluate(
        "box => [box.scrollWidth, box.clientWidth]"
    )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    last = page.locator(f"{table} thead th").last
    right = last.evaluate("th => th.getBoundingClientRect().right")
    assert right <= page.evaluate("window.innerWidth")
    expect(page.locator(f"{table} tbody tr").first.locator("td").last).to_be_in_viewport()


@pytest.mark.parametrize("language", ["en", "nb"])
def test_the_contact_list_shows_every_column_at_1280(
    page: Page, live_server, login_as, staff, wide_data, language
):
    page.set_viewport_size({"width": 1280, "height": 800})
    login_as(staff)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/contacts/")
    expect(page.locator("#contacts tbody tr")).to_have_count(6)
    assert_every_column_shows(page, "#contacts")
    # A truncated value shows whole on hover.
    email = page.locator("#contacts tbody tr td", has_text="@").first
    assert email.locator("[title]").first.get_attribute("title").endswith("example.com")


@pytest.mark.parametrize("language", ["en", "nb"])
def test_the_entries_table_shows_every_column_at_1280(
    page: Page, live_server, login_as, manager, wide_data, language
):
    page.set_viewport_size({"width": 1280, "height": 800})
    login_as(manager)  # managers also get the column of checkboxes
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/interactions/entries/")
    expect(page.locator("#entries tbody tr")).to_have_count(5)
    assert_every_column_shows(page, "#entries")
