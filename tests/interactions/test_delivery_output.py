"""Delivered emails are exactly what the letter says: the body converted from the merged
letter, the attachment the merged letter's bytes, hostile values escaped.

Written against the delivery that converted each merged letter with mammoth, and kept
green when the body became prepared once per batch: the expected body here is still that
conversion of the entry's own letter (``delivery.entry_letter``).
"""

import io

import docx
import mammoth
import pytest
from django.core import mail
from django.core.files.base import ContentFile

from interactions import delivery, letters
from interactions.models import InteractionLogEntry
from segments import services
from segments.models import SegmentLine
from tests.factories import (
    ContactFactory,
    InteractionTemplateFactory,
    InteractionTemplateLanguageFactory,
    SalespersonFactory,
    SegmentFactory,
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

PARAGRAPHS = {
    "en": [
        "Dear «ContactName»,",
        "«MailingAddress»",
        "«PersonalNote»",
        "Tab\t«CompanyName»\tend «City»«PostCode»",
        "Unknown: «NoSuchField»",
        "Regards, «SalespersonName» <«SalespersonEmail»>",
    ],
    "nb": ["Kjære «ContactName»!", "«PersonalNote»", "Hilsen «SalespersonName»"],
}

HOSTILE = '<script>alert("x")</script> & Co'

CONTACTS = [
    # (name, language, personal note, address)
    (HOSTILE, "en", "Fish & chips <b>bold</b>\nsecond line\twith a tab", "Storgata 1 & 2"),
    ("Bob \x07Jones", "en", "", ""),
    ("Åse Øvre", "nb", "Ha en <fin> dag & natt", "Kirkeveien 3"),
    ("Dag Dahl", "nb", "", "Veien 4"),
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def segment(db, user):
    template = InteractionTemplateFactory(default_language="en", correspondence_type="email")
    for language, subject in [("en", "Offer & <news>"), ("nb", "Tilbud")]:
        InteractionTemplateLanguageFactory(
            template=template,
            language=language,
            subject=subject,
            document=ContentFile(
                letters.build_document(PARAGRAPHS[language]), name=f"{language}.docx"
            ),
        )
    salesperson = SalespersonFactory(name="Kari & Co", email="kari@example.com")
    segment = SegmentFactory(
        interaction_template=template, salesperson=salesperson, created_by=user
    )
    for n, (name, language, note, address) in enumerate(CONTACTS, 1):
        SegmentLine.objects.create(
            segment=segment,
            line_no=n * 10000,
            contact=ContactFactory(
                name=name, email=f"c{n}@example.com", language=language, address=address
            ),
            personal_note=note,
        )
    return segment


def deliver(segment, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        logged = services.log_segment(segment, user=user, deliver=True)
    entries = list(InteractionLogEntry.objects.filter(logged_segment=logged).order_by("entry_no"))
    assert [message.to for message in mail.outbox] == [[e.merge_data["Email"]] for e in entries]
    return entries


def without_footer(message) -> tuple[str, list]:
    """The message's body and alternatives without the unsubscribe footer every delivered
    email ends with (SPEC 9), after checking the footer is there and carries the link of
    the List-Unsubscribe header."""
    url = message.extra_headers["List-Unsubscribe"][1:-1]
    body, footer = message.body.rsplit("\n\n", 1)
    assert url in footer
    alternatives = []
    for html, mimetype in message.alternatives:
        html, link = html.rsplit("<p><a href=", 1)
        assert url in link
        alternatives.append((html, mimetype))
    return body, alternatives


def converted(letter: bytes) -> tuple[str, str]:
    """The body delivery always sent: the merged letter converted by mammoth."""
    text = mammoth.extract_raw_text(io.BytesIO(letter)).value
    html = mammoth.convert_to_html(io.BytesIO(letter)).value
    return text, html


def test_body_emails_are_the_converted_merged_letter(
    segment, user, django_capture_on_commit_callbacks
):
    entries = deliver(segment, user, django_capture_on_commit_callbacks)
    for entry, message in zip(entries, mail.outbox, strict=True):
        text, html = converted(delivery.entry_letter(entry))
        assert without_footer(message) == (text, [(html, "text/html")])
        assert message.attachments == []
        assert message.from_email == "crm@localhost"
        assert message.reply_to == ["kari@example.com"]
    assert [m.subject for m in mail.outbox] == ["Offer & <news>"] * 2 + ["Tilbud"] * 2


def test_hostile_values_are_escaped_in_the_html_and_plain_in_the_text(
    segment, user, django_capture_on_commit_callbacks
):
    deliver(segment, user, django_capture_on_commit_callbacks)
    first, second, third, fourth = mail.outbox
    html = first.alternatives[0][0]
    assert "<script>" not in html and "<b>" not in html
    assert "Dear &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co," in html
    assert "Fish &amp; chips &lt;b&gt;bold&lt;/b&gt;<br />second line\twith a tab" in html
    assert "Storgata 1 &amp; 2" in html
    assert "Unknown: «NoSuchField»" in html
    assert "Regards, Kari &amp; Co &lt;kari@example.com&gt;" in html
    assert f"Dear {HOSTILE}," in first.body
    assert "Fish & chips <b>bold</b>second line\twith a tab" in first.body
    # A character XML forbids is dropped; an empty note leaves no empty paragraph.
    assert "<p>Dear Bob Jones,</p>" in second.alternatives[0][0]
    assert "<p></p>" not in second.alternatives[0][0]
    assert "Ha en &lt;fin&gt; dag &amp; natt" in third.alternatives[0][0]
    body, [(html, _)] = without_footer(fourth)
    assert html == "<p>Kjære Dag Dahl!</p><p>Hilsen Kari &amp; Co</p>"
    assert body == "Kjære Dag Dahl!\n\n\n\nHilsen Kari & Co\n\n"


def test_attached_letters_are_the_merged_letter_bytes(
    segment, user, django_capture_on_commit_callbacks
):
    segment.send_as_attachment = True
    segment.save()
    entries = deliver(segment, user, django_capture_on_commit_callbacks)
    for entry, message in zip(entries, mail.outbox, strict=True):
        [(name, content, mimetype)] = message.attachments
        assert mimetype == DOCX
        assert content == delivery.entry_letter(entry)
        with entry.document.open("rb") as document:
            assert content == letters.render(document.read(), delivery.entry_values(entry))
        body, _ = without_footer(message)
        assert body == (entry.merge_data["PersonalNote"] or entry.subject)
        assert message.alternatives == []
        assert message.reply_to == ["kari@example.com"]
    assert [m.attachments[0][0] for m in mail.outbox] == ["Offer &  news.docx"] * 2 + [
        "Tilbud.docx"
    ] * 2
    paragraphs = [
        p.text for p in docx.Document(io.BytesIO(mail.outbox[0].attachments[0][1])).paragraphs
    ]
    assert paragraphs[0] == f"Dear {HOSTILE},"
    assert paragraphs[2] == "Fish & chips <b>bold</b>\nsecond line\twith a tab"


def test_one_connection_and_one_update_per_status_per_batch(
    segment, user, django_capture_on_commit_callbacks, monkeypatch, django_assert_num_queries
):
    """Batches of two: two connections for four entries, and each batch's outcome is
    written by one UPDATE per status, whatever the number of distinct failure reasons."""
    segment.send_as_attachment = True
    segment.save()
    logged = services.log_segment(segment, user=user)
    InteractionLogEntry.objects.filter(logged_segment=logged).record_status(
        delivery_status="pending"
    )
    monkeypatch.setattr(delivery, "CHUNK", 2)
    backend = type(mail.mailers.default)
    real_send = backend.send_messages
    opened = []

    def refuse(self, messages):
        [message] = messages
        if message.to != ["c1@example.com"]:
            raise OSError(f"refused {message.to[0]}")
        return real_send(self, messages)

    monkeypatch.setattr(backend, "send_messages", refuse)
    monkeypatch.setattr(backend, "open", lambda self: opened.append(1), raising=False)
    # Per batch its rows, then one UPDATE per status: the first batch's sent and failed
    # entries, the second batch's two failed ones (two different reasons) in one UPDATE;
    # a last read finds nothing more.
    with django_assert_num_queries(6) as queries:
        counts = delivery.send_emails(logged)
    assert counts == {"sent": 1, "failed": 3}
    assert len(opened) == 2
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 3
    rows = list(
        InteractionLogEntry.objects.filter(logged_segment=logged)
        .order_by("entry_no")
        .values_list("delivery_status", "delivery_error")
    )
    assert rows == [
        ("sent", ""),
        ("failed", "refused c2@example.com"),
        ("failed", "refused c3@example.com"),
        ("failed", "refused c4@example.com"),
    ]


def test_a_mail_server_that_cannot_be_reached_fails_the_batch(
    segment, user, django_capture_on_commit_callbacks, monkeypatch
):
    """Before, the delivery stopped with the error and left every entry pending."""
    logged = services.log_segment(segment, user=user)
    InteractionLogEntry.objects.filter(logged_segment=logged).record_status(
        delivery_status="pending"
    )
    backend = type(mail.mailers.default)

    def unreachable(self):
        raise ConnectionRefusedError("Connection refused")

    monkeypatch.setattr(backend, "open", unreachable, raising=False)
    assert delivery.send_emails(logged) == {"sent": 0, "failed": 4}
    assert mail.outbox == []
    assert set(
        InteractionLogEntry.objects.filter(logged_segment=logged).values_list(
            "delivery_status", "delivery_error"
        )
    ) == {("failed", "Connection refused")}
