"""Delivery of a logged segment: one email per entry, statuses, print batch, retries."""

import io
import smtplib
from unittest import mock

import docx
import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from interactions import delivery, letters
from interactions.choices import DeliveryStatus
from interactions.models import InteractionLogEntry, LoggedSegment
from segments import services
from segments.exceptions import LoggingError
from segments.models import SegmentLine
from tests.factories import (
    ContactFactory,
    InteractionTemplateFactory,
    InteractionTemplateLanguageFactory,
    SalespersonFactory,
    SegmentFactory,
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def segment(db, user):
    template = InteractionTemplateFactory(default_language="en", correspondence_type="email")
    InteractionTemplateLanguageFactory(
        template=template,
        language="en",
        subject="Autumn offer",
        document=ContentFile(
            letters.build_document(["Dear «ContactName»,", "Our offer: «PersonalNote»"]),
            name="en.docx",
        ),
    )
    segment = SegmentFactory(
        interaction_template=template, salesperson=SalespersonFactory(), created_by=user
    )
    for n, name in enumerate(["Ann Smith", "Bob Jones", "Cat Brown"], 1):
        SegmentLine.objects.create(
            segment=segment,
            line_no=n * 10000,
            contact=ContactFactory(name=name, email=f"c{n}@example.com"),
            personal_note=f"note {n}",
        )
    return segment


def log(segment, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.log_segment(segment, user=user, deliver=True)


def statuses(logged):
    return list(
        InteractionLogEntry.objects.filter(logged_segment=logged)
        .order_by("entry_no")
        .values_list("contact_name", "delivery_status", "delivery_error")
    )


def test_one_message_per_email_entry_with_the_letter_as_html_body(
    segment, user, django_capture_on_commit_callbacks
):
    logged = log(segment, user, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 3
    first = mail.outbox[0]
    assert first.to == ["c1@example.com"]
    assert first.subject == "Autumn offer"
    assert first.attachments == []
    html, mimetype = first.alternatives[0]
    assert mimetype == "text/html"
    assert "Dear Ann Smith," in html and "Our offer: note 1" in html
    assert "Dear Ann Smith," in first.body
    assert [row[1] for row in statuses(logged)] == [DeliveryStatus.SENT] * 3


def test_letter_attached_as_subject_docx_when_send_as_attachment(
    segment, user, django_capture_on_commit_callbacks
):
    segment.send_as_attachment = True
    segment.save()
    logged = log(segment, user, django_capture_on_commit_callbacks)
    assert logged.send_as_attachment is True
    message = mail.outbox[1]
    assert message.to == ["c2@example.com"]
    [(name, content, mimetype)] = message.attachments
    assert (name, mimetype) == ("Autumn offer.docx", DOCX)
    paragraphs = [p.text for p in docx.Document(io.BytesIO(content)).paragraphs]
    assert paragraphs == ["Dear Bob Jones,", "Our offer: note 2"]
    entry = InteractionLogEntry.objects.get(logged_segment=logged, contact_name="Bob Jones")
    assert delivery.entry_letter(entry) == content


def test_a_failure_is_recorded_and_the_others_are_sent(
    segment, user, django_capture_on_commit_callbacks
):
    backend = mail.mailers.default
    real_send = backend.send_messages

    def refuse_bob(messages):
        if messages[0].to == ["c2@example.com"]:
            raise smtplib.SMTPRecipientsRefused({"c2@example.com": (550, b"No such user")})
        return real_send(messages)

    with mock.patch.object(type(backend), "send_messages", side_effect=refuse_bob):
        logged = log(segment, user, django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [["c1@example.com"], ["c3@example.com"]]
    rows = statuses(logged)
    assert [(name, status) for name, status, _error in rows] == [
        ("Ann Smith", DeliveryStatus.SENT),
        ("Bob Jones", DeliveryStatus.FAILED),
        ("Cat Brown", DeliveryStatus.SENT),
    ]
    assert "No such user" in rows[1][2]


def test_retry_sends_only_the_failed_ones(segment, user, django_capture_on_commit_callbacks):
    with mock.patch.object(
        type(mail.mailers.default), "send_messages", side_effect=OSError("Connection refused")
    ):
        logged = log(segment, user, django_capture_on_commit_callbacks)
    assert {row[1] for row in statuses(logged)} == {DeliveryStatus.FAILED}
    assert statuses(logged)[0][2] == "Connection refused"
    # One entry is fixed by hand in the meantime (sent by other means): not resent.
    InteractionLogEntry.objects.filter(
        logged_segment=logged, contact_name="Ann Smith"
    ).record_status(delivery_status=DeliveryStatus.SENT)
    out = io.StringIO()
    call_command("retry_deliveries", stdout=out)
    assert [m.to for m in mail.outbox] == [["c2@example.com"], ["c3@example.com"]]
    assert "2 sent, 0 failed" in out.getvalue()
    assert {row[1] for row in statuses(logged)} == {DeliveryStatus.SENT}
    call_command("retry_deliveries", stdout=io.StringIO())
    assert len(mail.outbox) == 2


def test_retry_of_an_unknown_segment_is_an_error(db):
    with pytest.raises(CommandError, match="No logged segment NOPE"):
        call_command("retry_deliveries", "NOPE", stdout=io.StringIO())


def test_retry_that_fails_again_exits_with_an_error(
    segment, user, django_capture_on_commit_callbacks
):
    with mock.patch.object(
        type(mail.mailers.default), "send_messages", side_effect=OSError("down")
    ):
        log(segment, user, django_capture_on_commit_callbacks)
        with pytest.raises(CommandError, match="3 emails failed again"):
            call_command("retry_deliveries", stdout=io.StringIO())


def test_hard_copy_entries_form_a_print_batch(segment, user, django_capture_on_commit_callbacks):
    segment.lines.filter(line_no__in=[10000, 30000]).update(correspondence_type="hard_copy")
    logged = log(segment, user, django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [["c2@example.com"]]
    logged.refresh_from_db()
    assert logged.print_batch.name.startswith("print_batches/")
    with logged.print_batch.open("rb") as batch:
        combined = docx.Document(batch)
    assert len(combined.sections) == 2
    greetings = [p.text for p in combined.paragraphs if p.text.startswith("Dear")]
    assert greetings == ["Dear Ann Smith,", "Dear Cat Brown,"]
    if letters.pdf_available():
        with default_storage.open(delivery.print_batch_pdf_name(logged), "rb") as pdf:
            assert pdf.read(5) == b"%PDF-"


def test_logging_with_delivery_refuses_lines_without_a_letter(
    segment, user, django_capture_on_commit_callbacks
):
    """Logged, every email would fail for good: logging reports it first, by line."""
    segment.interaction_template.languages.all().delete()
    with pytest.raises(LoggingError) as raised:
        log(segment, user, django_capture_on_commit_callbacks)
    assert "3 lines to deliver have no letter" in raised.value.messages[0]
    assert "(lines 10000, 20000, 30000)" in raised.value.messages[0]
    assert not LoggedSegment.objects.exists()
    assert not InteractionLogEntry.objects.exists()
    assert segment.lines.count() == 3
    assert mail.outbox == []


def test_entry_without_document_fails_with_the_reason(
    segment, user, django_capture_on_commit_callbacks
):
    """Logged without delivery, then sent: the entry's failure says why."""
    template = segment.interaction_template
    template.languages.all().delete()
    logged = services.log_segment(segment, user=user)
    InteractionLogEntry.objects.filter(logged_segment=logged).record_status(
        delivery_status=DeliveryStatus.PENDING
    )
    delivery.send_emails(logged)
    assert mail.outbox == []
    [(_name, status, error), *_rest] = statuses(logged)
    assert status == DeliveryStatus.FAILED
    assert "has no letter" in error


def test_delivery_queries_do_not_grow_per_entry(
    segment, user, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    logged = services.log_segment(segment, user=user)
    InteractionLogEntry.objects.filter(logged_segment=logged).record_status(
        delivery_status=DeliveryStatus.PENDING
    )
    with django_assert_max_num_queries(6):
        counts = delivery.deliver_logged_segment(logged.pk)
    assert counts == {"sent": 3, "failed": 0, "printed": 0}
