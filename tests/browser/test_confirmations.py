"""Irreversible steps ask first, with what they will do (issue 17), in Chromium.

Logging shows "N lines · emails, letters · cost · opted out" before anything is written,
and logs only once confirmed; canceling a logged segment says how many entries it
cancels; removing a line offers Undo of exactly that step instead of a dialog.
"""

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from crm.choices import CorrespondenceType
from interactions.models import LoggedSegment
from segments import services
from segments.models import Segment
from tests.browser.dialogs import dialog_shown
from tests.factories import ContactFactory, InteractionTemplateFactory, SalespersonFactory

# live_server needs committed data: each test is transactional.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def segment(staff):
    template = InteractionTemplateFactory(
        code="NEWSL", unit_cost=Decimal("3.00"), correspondence_type=CorrespondenceType.EMAIL
    )
    segment = services.create_segment(
        user=staff,
        description="Spring newsletter",
        interaction_template=template,
        salesperson=SalespersonFactory(code="ANNA"),
    )
    ContactFactory.create_batch(3, country="NO", city="Oslo")
    ContactFactory.create_batch(
        2, country="NO", city="Bergen", correspondence_type=CorrespondenceType.HARD_COPY
    )
    services.add_contacts(segment, criteria={"contact": {"country": ["NO"]}}, user=staff)
    return segment


def test_logging_shows_its_summary_and_logs_only_once_confirmed(
    page: Page, live_server, login_as, manager, segment, screenshot_dir
):
    login_as(manager)
    page.goto(f"{live_server.url}{segment.get_absolute_url()}")
    page.locator("#log-button").click()
    dialog_shown(page)
    figures = page.locator("#log-summary-figures")
    expect(figures).to_have_text("5 lines · 3 emails, 2 letters · cost 15.00 · 0 opted out")
    page.screenshot(path=screenshot_dir / "log-confirmation.png")
    # Shown, not done: the segment is still there, nothing is logged.
    assert Segment.objects.filter(pk=segment.pk).exists()
    assert not LoggedSegment.objects.exists()
    # Closing the dialog logs nothing either.
    page.locator("#dialog .btn-close").click()
    expect(page.locator("#dialog")).to_be_hidden()
    assert not LoggedSegment.objects.exists()

    page.locator("#log-button").click()
    dialog_shown(page)
    expect(figures).to_be_visible()
    page.locator("#log-form button[type='submit']").click()
    expect(page.locator("main")).to_contain_text(f"Segment {segment.no} has been logged.")
    logged = LoggedSegment.objects.get(segment_no=segment.no)
    assert logged.entries.count() == 5
    assert not Segment.objects.filter(pk=segment.pk).exists()

    # Canceling the logged segment asks first, with its entry count.
    page.locator("#cancel-logged-segment").click()
    expect(page.locator("#cancel-summary")).to_contain_text("5 interaction log entries")
    logged.refresh_from_db()
    assert not logged.canceled
    page.locator("#confirm-cancel").click()
    expect(page.locator("#logged-segment-canceled")).to_be_visible()
    logged.refresh_from_db()
    assert logged.canceled


def test_a_log_the_server_answers_with_an_error_says_so_in_the_dialog(
    page: Page, live_server, login_as, manager, segment
):
    """htmx swaps nothing when the server answers with an error: the dialog stayed as it
    was, so a Log that failed looked like a click that went missing. static/js/app.js
    says so in the open dialog; the next request takes the alert away."""
    login_as(manager)
    page.goto(f"{live_server.url}{segment.get_absolute_url()}")
    log_url = reverse("segments:log", args=[segment.pk])

    def fail_the_post(route):
        if route.request.method == "POST":
            route.fulfill(status=500, body="Server Error")
        else:
            route.continue_()

    page.route(f"**{log_url}", fail_the_post)
    page.locator("#log-button").click()
    dialog_shown(page)
    expect(page.locator("#log-summary-figures")).to_be_visible()
    page.locator("#log-form button[type='submit']").click()
    alert = page.locator("#dialog #request-failed")
    expect(alert).to_have_text(
        "The server could not finish this (error 500). Reload the page to see what was "
        "saved, then try again."
    )
    expect(alert).to_have_attribute("role", "alert")
    expect(page.locator("#log-form button[type='submit']")).to_be_enabled()
    assert not LoggedSegment.objects.exists()

    page.unroute(f"**{log_url}")
    page.locator("#log-form button[type='submit']").click()
    expect(page.locator("main")).to_contain_text(f"Segment {segment.no} has been logged.")
    expect(page.locator("#request-failed")).to_have_count(0)


def test_removing_a_line_offers_undo_instead_of_asking(
    page: Page, live_server, login_as, staff, segment
):
    login_as(staff)
    page.goto(f"{live_server.url}{segment.get_absolute_url()}")
    first = segment.lines.order_by("line_no").first()
    page.locator(f"tr[data-line-no='{first.line_no}'] .line-remove").click()
    expect(page.locator("main .alert").first).to_contain_text(
        f"Line {first.line_no} ({first.contact.name}) has been removed"
    )
    expect(page.locator("#lines tbody tr[data-line-no]")).to_have_count(4)
    assert segment.lines.count() == 4
    page.locator("#undo-button").click()
    expect(page.locator("main .alert").first).to_contain_text("Went back: step 2")
    expect(page.locator(f"tr[data-line-no='{first.line_no}']")).to_be_visible()
    assert segment.lines.count() == 5
    expect(page.locator("#undo-step")).to_have_count(0)
