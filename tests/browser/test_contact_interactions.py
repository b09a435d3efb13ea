"""A marketer's day with one contact (SPEC 7): open the contact, log a phone call with an
attachment, add a note that makes it positive, and see the card's figures change."""

import pytest
from playwright.sync_api import Page, expect

from interactions.models import InteractionLogEntry, InteractionNote
from tests.factories import ContactFactory, InteractionTemplateFactory, SalespersonFactory

# live_server needs committed data: each test is transactional.
pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_marketing_logs_a_call_with_an_attachment_and_a_note_makes_it_positive(
    page: Page, live_server, login_as, staff, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    SalespersonFactory(user=staff, name="Kari Nordmann")
    contact = ContactFactory(name="Ingrid Aune")
    call = InteractionTemplateFactory(code="CALL", description="Phone call", unit_cost=3)
    login_as(staff)

    page.goto(live_server.url + contact.get_absolute_url())
    expect(page.locator("#figure-interactions")).to_have_text("0")
    page.locator("#log-interaction").click()

    expect(page.get_by_role("heading", name="Log interaction with Ingrid Aune")).to_be_visible()
    page.get_by_label("Interaction template").select_option(str(call.pk))
    # The form re-renders from the template (htmx): its description is the placeholder.
    expect(page.get_by_label("Description")).to_have_attribute("placeholder", "Phone call")
    page.get_by_label("Description").fill("Wants the offer by post")
    page.get_by_label("Attempt failed").check()
    page.get_by_label("Attachment").set_input_files(
        files=[{"name": "offer.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="Log", exact=True).click()

    expect(page.locator(".alert-success")).to_contain_text("has been logged for Ingrid Aune")
    expect(page.locator("#figure-interactions")).to_have_text("1")
    expect(page.locator("#figure-failed")).to_have_text("1")
    expect(page.locator("#figure-cost")).to_have_text("3.00")
    entry = InteractionLogEntry.objects.get()
    row = page.locator(f"#entry-{entry.entry_no}")
    expect(row).to_contain_text("Wants the offer by post")
    with page.expect_download() as download:
        row.get_by_role("link", name="Attachment").click()
    assert download.value.suggested_filename.endswith(".pdf")

    row.get_by_role("link", name="Add note").click()
    page.get_by_label("Comment").fill("She called back: yes please")
    page.get_by_label("Evaluation").select_option("positive")
    page.get_by_label("Attempt failed").select_option("false")
    page.get_by_role("button", name="Add note").click()

    expect(page.locator(".alert-success")).to_contain_text("The note has been added")
    expect(page.locator("#figure-failed")).to_have_text("0")
    expect(page.locator(f"#entry-{entry.entry_no} .entry-evaluation")).to_have_text("Positive")
    expect(page.locator("#interactions")).to_contain_text("She called back: yes please")
    entry.refresh_from_db()
    assert (entry.evaluation, entry.attempt_failed) == ("positive", False)
    assert InteractionNote.objects.get().created_by == staff
