"""Behaviour that lives in static files now that the CSP refuses inline handlers.

static/js/app.js empties the segment page's dialog when it closes; static/js/admin-export.js
is the admin export page's "Select all" (django-import-export ships it as an onchange=
attribute, which the CSP refuses). The ``page`` fixture fails a test on any CSP refusal.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from segments import services
from tests.browser.dialogs import dialog_shown

# live_server needs committed data: each test is transactional.
pytestmark = pytest.mark.django_db(transaction=True)


def test_a_closed_dialog_shows_loading_until_the_next_one_arrives(
    page: Page, live_server, login_as, staff
):
    segment = services.create_segment(user=staff, description="Dialogs")
    login_as(staff)
    page.goto(f"{live_server.url}{segment.get_absolute_url()}")
    page.click("#reuse-criteria")
    dialog_shown(page)
    expect(page.locator("#reuse-criteria-form")).to_be_visible()
    page.locator("#dialog .btn-close").click()
    expect(page.locator("#dialog")).to_be_hidden()
    # Not the reuse dialog any more: the next dialog opened cannot show it meanwhile.
    expect(page.locator("#reuse-criteria-form")).to_have_count(0)
    expect(page.locator("#dialog-body")).to_have_text("Loading…")
    page.click("#save-criteria")
    dialog_shown(page)
    expect(page.locator("#dialog-body h1, #dialog-body .modal-title").first).to_contain_text(
        "Save criteria"
    )


def test_select_all_on_the_admin_export_page_works_under_the_csp(
    page: Page, live_server, login_as, admin_user
):
    login_as(admin_user)
    page.goto(f"{live_server.url}/admin/crm/contact/export/")
    toggle = page.locator("input.select-toggle")
    fields = page.locator('.selectable-field-export-row input[type="checkbox"]:visible')
    expect(toggle).to_be_checked()
    assert fields.count() > 3
    toggle.uncheck()
    for index in range(fields.count()):
        expect(fields.nth(index)).not_to_be_checked()
    toggle.check()
    for index in range(fields.count()):
        expect(fields.nth(index)).to_be_checked()


def test_the_contact_cards_interaction_table_stays_inside_its_card(
    page: Page, live_server, login_as, staff
):
    """The walk saw a company's interaction table run past its card (and the page) on a
    1400-pixel screen: the table scrolls inside the card instead."""
    from interactions.services import log_interaction
    from tests.factories import (
        CompanyFactory,
        ContactFactory,
        InteractionTemplateFactory,
        SalespersonFactory,
    )

    company = CompanyFactory(name="Aas, Birkeland og Bøe")
    template = InteractionTemplateFactory()
    salesperson = SalespersonFactory(name="Anthony Scott-Dawson")
    for number in range(3):
        colleague = ContactFactory(company=company, first_name="Mathias", surname="Andreassen")
        log_interaction(
            colleague,
            template=template,
            user=staff,
            salesperson=salesperson,
            description=f"Offer to prospects: autumn campaign number {number}",
        )
    page.set_viewport_size({"width": 1000, "height": 900})
    login_as(staff)
    page.goto(f"{live_server.url}/contacts/{company.pk}/")
    expect(page.locator("#interactions tbody tr")).to_have_count(3)
    # The card holds its table: nothing sticks out of it (the table scrolls within).
    assert page.locator("#interactions").evaluate("card => card.scrollWidth <= card.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_request_the_server_fails_outside_a_dialog_says_so_above_the_page(
    page: Page, live_server, login_as, staff
):
    """static/js/app.js: with no dialog open, the alert goes first in the page's main."""
    segment = services.create_segment(user=staff, description="Search")
    login_as(staff)
    page.goto(f"{live_server.url}{segment.get_absolute_url()}")
    page.route(f"**{reverse('segments:contact-search')}*", lambda route: route.fulfill(status=503))
    page.locator("#add-line-form [name='contact']").press_sequentially("CT")
    alert = page.locator("main > #request-failed:first-child")
    expect(alert).to_have_text(
        "The server could not finish this (error 503). Reload the page to see what was "
        "saved, then try again."
    )
    expect(page.locator("#dialog #request-failed")).to_have_count(0)
