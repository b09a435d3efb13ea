"""Unsubscribing (SPEC 9): open the link of a delivered email without logging in, confirm,
and the marketer sees the opt-out on the contact card."""

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from playwright.sync_api import Page, expect

from crm.models import ConsentEvent, Contact
from interactions import letters
from segments import services
from segments.models import SegmentLine
from tests.factories import (
    ContactFactory,
    InteractionTemplateFactory,
    InteractionTemplateLanguageFactory,
    SalespersonFactory,
    SegmentFactory,
)

# live_server needs committed data: each test is transactional.
pytestmark = pytest.mark.django_db(transaction=True)


def test_a_recipient_unsubscribes_from_the_email_and_the_card_shows_it(
    page: Page, live_server, login_as, staff, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    settings.SITE_URL = live_server.url
    template = InteractionTemplateFactory(default_language="en", correspondence_type="email")
    InteractionTemplateLanguageFactory(
        template=template,
        language="en",
        subject="Autumn offer",
        document=ContentFile(
            letters.build_document(["Dear «ContactName»,", "No more? «UnsubscribeUrl»"]),
            name="en.docx",
        ),
    )
    segment = SegmentFactory(
        interaction_template=template, salesperson=SalespersonFactory(), created_by=staff
    )
    contact = ContactFactory(name="Ingrid Aune", email="ingrid@example.com")
    SegmentLine.objects.create(segment=segment, line_no=10000, contact=contact)
    services.log_segment(segment, user=staff, deliver=True)

    [message] = mail.outbox
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert link in message.body and link.startswith(live_server.url)

    # The recipient, not logged in: the link asks first and changes nothing.
    page.goto(link)
    expect(page.get_by_role("heading", name="Unsubscribe")).to_be_visible()
    expect(page.locator("main")).to_contain_text("ingrid@example.com")
    assert not ConsentEvent.objects.exists()
    page.get_by_role("button", name="Yes, unsubscribe me").click()
    expect(page.locator("#unsubscribed")).to_contain_text("ingrid@example.com")
    assert Contact.objects.get(pk=contact.pk).email_opt_out is True

    # The marketer sees it on the card, with where it came from.
    login_as(staff)
    page.goto(live_server.url + contact.get_absolute_url())
    row = page.locator("#consent-email")
    expect(row.locator(".consent-state")).to_have_text("Opted out")
    expect(row).to_contain_text("Unsubscribe link")
    expect(page.locator("#consent-letter .consent-state")).to_have_text("May contact")
