"""The unsubscribe link (SPEC 9): signed token, page without login, one-click POST, the
List-Unsubscribe headers of a delivered email and the SITE_URL deploy check."""

import email
from email import policy
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from crm import services as crm_services
from crm.checks import site_url_check
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
from tests.smtp import smtp_server_fixture  # noqa: F401 (the smtp_server fixture)


@pytest.fixture
def contact(db):
    return ContactFactory(email="ann@example.com", language="nb")


@pytest.fixture
def anonymous():
    # No session, and CSRF checked as a browser would be: the one-click POST has neither.
    return Client(enforce_csrf_checks=True)


def path_of(url):
    return urlsplit(url).path


def events(contact):
    return list(ConsentEvent.objects.filter(contact=contact).values_list("channel", "granted"))


def sign(value, key=None):
    return signing.Signer(key=key, salt="crm.unsubscribe").sign_object(value)


# --- the token ---------------------------------------------------------------------------


def test_token_round_trip_and_absolute_url(contact, settings):
    settings.SITE_URL = "https://crm.example.com/"
    token = crm_services.unsubscribe_token(contact.pk, "email")
    assert crm_services.read_unsubscribe_token(token) == (contact, "email")
    url = crm_services.unsubscribe_url(contact.pk)
    assert url == f"https://crm.example.com/unsubscribe/{token}/"


def test_a_token_cannot_be_forged_or_moved_to_another_contact_or_channel(contact):
    other = ContactFactory()
    token = crm_services.unsubscribe_token(contact.pk, "email")
    assert crm_services.unsubscribe_token(contact.pk, "email") == token  # stable
    payload, signature = token.split(":", 1)
    forged = [
        # the same signature on another contact's or channel's payload
        f"{sign([other.pk, 'email']).split(':')[0]}:{signature}",
        f"{sign([contact.pk, 'phone']).split(':')[0]}:{signature}",
        # signed for another purpose of the site, or with another key
        signing.Signer().sign_object([other.pk, "email"]),
        signing.dumps([other.pk, "email"], salt="crm.unsubscribe"),
        sign([other.pk, "email"], key="not-our-key"),
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        "garbage",
    ]
    for bad in forged:
        with pytest.raises(crm_services.InvalidUnsubscribeToken):
            crm_services.read_unsubscribe_token(bad)
    # The genuine tokens of the other contact and channel are different tokens.
    assert crm_services.unsubscribe_token(other.pk) != token
    assert crm_services.unsubscribe_token(contact.pk, "letter") != token


# --- the page ----------------------------------------------------------------------------


def test_get_asks_to_confirm_and_changes_nothing(contact, anonymous):
    url = crm_services.unsubscribe_url(contact.pk)
    response = anonymous.get(path_of(url))
    assert response.status_code == 200
    page = response.content.decode()
    assert "ann@example.com" in page and 'method="post"' in page
    # In the contact's language (nb).
    assert "Ja, meld meg av" in page
    assert not ConsentEvent.objects.exists()
    assert Contact.objects.get(pk=contact.pk).email_opt_out is False


def test_one_click_post_without_session_or_csrf_records_the_opt_out(contact, anonymous):
    url = crm_services.unsubscribe_url(contact.pk)
    response = anonymous.post(path_of(url), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "ann@example.com" in response.content.decode()
    event = ConsentEvent.objects.get(contact=contact)
    assert (event.channel, event.granted, event.source, event.created_by) == (
        "email",
        False,
        "unsubscribe_link",
        None,
    )
    assert Contact.objects.get(pk=contact.pk).email_opt_out is True


def test_the_page_form_post_records_the_opt_out_too(contact, anonymous):
    url = crm_services.unsubscribe_url(contact.pk)
    anonymous.post(path_of(url))
    assert events(contact) == [("email", False)]


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_or_foreign_token_records_nothing_and_answers_400(contact, anonymous, method):
    for bad in [
        crm_services.unsubscribe_token(contact.pk)[:-2] + "xx",
        signing.Signer().sign_object([contact.pk, "email"]),  # not salted for unsubscribing
        sign([10**9, "email"]),  # no such contact
    ]:
        response = getattr(anonymous, method)(reverse("unsubscribe", args=[bad]))
        assert response.status_code == 400
        assert "not valid" in response.content.decode()
    assert not ConsentEvent.objects.exists()
    assert Contact.objects.get(pk=contact.pk).email_opt_out is False


def test_only_the_unsubscribe_page_is_open_without_login(anonymous):
    response = anonymous.get(reverse("crm:contact-list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- SITE_URL ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "errors"),
    [("", ["crm.E001"]), ("http://crm.example.com", ["crm.E002"]), ("https://crm.example.com", [])],
)
def test_deploy_check_wants_an_https_site_url(settings, value, errors):
    settings.SITE_URL = value
    assert [error.id for error in site_url_check()] == errors


# --- a delivered email, through SMTP to a local server --------------------------------------


@pytest.fixture
def segment(db, user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    template = InteractionTemplateFactory(default_language="en", correspondence_type="email")
    InteractionTemplateLanguageFactory(
        template=template,
        language="en",
        subject="Autumn offer",
        document=ContentFile(
            letters.build_document(["Dear «ContactName»,", "Unsubscribe: «UnsubscribeUrl»"]),
            name="en.docx",
        ),
    )
    segment = SegmentFactory(
        interaction_template=template, salesperson=SalespersonFactory(), created_by=user
    )
    contact = ContactFactory(name="Ann Smith", email="ann@example.com")
    SegmentLine.objects.create(segment=segment, line_no=10000, contact=contact)
    return segment


def test_a_delivered_email_carries_the_headers_and_the_link_and_one_click_works(
    segment, user, smtp_server, anonymous, django_capture_on_commit_callbacks
):
    contact = Contact.objects.get(email="ann@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        services.log_segment(segment, user=user, deliver=True)
    assert len(smtp_server.messages) == 1
    message = email.message_from_bytes(smtp_server.messages[0], policy=policy.default)
    url = crm_services.unsubscribe_url(contact.pk)
    assert url.startswith("http://testserver/unsubscribe/")
    assert message["List-Unsubscribe"] == f"<{url}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert f"Unsubscribe: {url}" in text and url in html

    # The mail client's one-click POST: the header's URL, no session, no CSRF token.
    link = message["List-Unsubscribe"].strip("<>")
    response = anonymous.post(
        path_of(link),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert list(
        ConsentEvent.objects.filter(contact=contact).values_list("channel", "granted", "source")
    ) == [("email", False, "unsubscribe_link")]
    assert Contact.objects.get(pk=contact.pk).email_opt_out is True

    # The next segment step on the same template leaves the contact out, and says why.
    bob = ContactFactory(name="Bob Berg", email="bob@example.com")
    next_segment = SegmentFactory(
        interaction_template=segment.interaction_template, created_by=user
    )
    criteria = {"contact": {"no": [contact.no, bob.no]}}
    shown = services.preview(
        next_segment, action="add", criteria=criteria, leave_out_opted_out=True
    )
    assert (shown.added, shown.left_out["opted_out"]) == (1, 1)
    services.add_contacts(next_segment, criteria=criteria, leave_out_opted_out=True, user=user)
    assert list(next_segment.lines.values_list("contact__email", flat=True)) == ["bob@example.com"]


def test_a_letter_without_the_field_still_gets_the_link_in_the_body(
    segment, user, smtp_server, django_capture_on_commit_callbacks
):
    language = segment.interaction_template.languages.get()
    language.document = ContentFile(letters.build_document(["Dear «ContactName»,"]), name="b.docx")
    language.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.log_segment(segment, user=user, deliver=True)
    message = email.message_from_bytes(smtp_server.messages[0], policy=policy.default)
    url = crm_services.unsubscribe_url(Contact.objects.get(email="ann@example.com").pk)
    assert url in message.get_body(("plain",)).get_content()
    assert message["List-Unsubscribe"] == f"<{url}>"
