"""Unsubscribing (SPEC 9): open the link of a delivered email without logging in, confirm,
and the marketer sees the opt-out on the contact card and in the next segment's preview."""

import email
import re
from email import policy

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from playwright.sync_api import Page, expect

from crm.models import ConsentEvent, Contact
from interactions import letters
from segments import services
from segments.models import SegmentLine
from tests.browser.dialogs import open_dialog
from tests.factories import (
    ContactFactory,
    InteractionTemplateFactory,
    InteractionTemplateLanguageFactory,
    SalespersonFactory,
    SegmentFactory,
)
from tests.smtp import smtp_server_fixture  # noqa: F401 (the smtp_server fixture)

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


def test_an_unsubscribed_contact_is_left_out_of_the_next_segment_with_its_reason(
    page: Page, live_server, login_as, staff, settings, tmp_path, smtp_server
):
    """Issue 14, done when 4: the email goes through SMTP to a local server; the link is
    taken from the message received; the next add dialog shows the contact left out as
    opted out, and Apply adds no line for it."""
    settings.MEDIA_ROOT = tmp_path
    settings.SITE_URL = live_server.url
    template = InteractionTemplateFactory(default_language="en", correspondence_type="email")
    InteractionTemplateLanguageFactory(
        template=template,
        language="en",
        subject="Winter offer",
        document=ContentFile(
            letters.build_document(["Dear «ContactName»,", "No more? «UnsubscribeUrl»"]),
            name="en.docx",
        ),
    )
    salesperson = SalespersonFactory()
    first = SegmentFactory(interaction_template=template, salesperson=salesperson, created_by=staff)
    leaving = ContactFactory(name="Ingrid Aune", email="ingrid@example.com", city="Hamar")
    staying = ContactFactory(name="Per Holm", email="per@example.com", city="Hamar")
    SegmentLine.objects.create(segment=first, line_no=10000, contact=leaving)
    services.log_segment(first, user=staff, deliver=True)

    [received] = smtp_server.messages
    message = email.message_from_bytes(received, policy=policy.default)
    assert message["To"] == "ingrid@example.com"
    text = message.get_body(("plain",)).get_content()
    [link] = re.findall(r"No more\? (\S+)", text)
    assert link.startswith(f"{live_server.url}/unsubscribe/")

    # The recipient, with no session: the page asks, then the opt-out is recorded.
    page.goto(link)
    page.get_by_role("button", name="Yes, unsubscribe me").click()
    expect(page.locator("#unsubscribed")).to_contain_text("ingrid@example.com")
    assert Contact.objects.get(pk=leaving.pk).email_opt_out is True

    # The marketer builds the next email segment: the preview says who is left out, why.
    login_as(staff)
    second = services.create_segment(
        user=staff, description="Spring offer", interaction_template=template
    )
    page.goto(live_server.url + second.get_absolute_url())
    page.locator("#add-contacts").click()
    open_dialog(page, "add")
    expect(page.get_by_label("Leave out opted-out contacts")).to_be_checked()
    page.locator("#criteria-dialog [name='contact-city']").fill("Hamar")
    page.locator("#criteria-preview-button").click()
    expect(page.locator("#preview-count")).to_have_attribute("data-count", "1")
    left_out = page.locator("#preview-left-out")
    expect(left_out).to_have_attribute("data-left-out", "1")
    expect(left_out).to_have_text("1 left out: 1 opted out")
    expect(page.locator("#preview-sample")).to_contain_text("Per Holm")
    expect(page.locator("#preview-sample")).not_to_contain_text("Ingrid Aune")

    page.locator("#criteria-apply").click()
    expect(page.locator("#dialog")).to_be_hidden()
    assert list(second.lines.values_list("contact", flat=True)) == [staying.pk]
    assert not second.lines.filter(contact=leaving).exists()
