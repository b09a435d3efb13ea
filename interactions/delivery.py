"""Delivering a logged segment (SPEC 4.4 step 4): emails out, hard copies into a print batch.

Every entry's letter is rendered from its ``merge_data`` snapshot and its stored document,
so a letter downloaded again later is the one that was sent.
"""

import smtplib
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives, mailers
from django.db.models import Case, TextField, Value, When
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from crm import services as crm_services
from crm.choices import CorrespondenceType
from jobs import services as jobs
from jobs.models import Job

from . import letters
from .choices import DeliveryStatus
from .exceptions import LetterError
from .models import InteractionLogEntry, LoggedSegment

#: Entries read and statuses written per round trip.
CHUNK = 500

#: The job kind of a delivery (``tasks.deliver_logged_segment``).
KIND_DELIVER = "interactions.deliver"


class DocumentCache:
    """Stored documents by name; the few shared ones stay loaded, personal ones rotate."""

    def __init__(self, size: int = 16):
        self.size = size
        self.documents: dict[str, bytes] = {}

    def get(self, name: str) -> bytes:
        document = self.documents.pop(name, None)
        if document is None:
            with default_storage.open(name, "rb") as stored:
                document = stored.read()
        self.documents[name] = document
        while len(self.documents) > self.size:
            self.documents.pop(next(iter(self.documents)))
        return document


def letter_values(merge: dict | None, *, contact_id: int | None, entry_no="") -> dict[str, str]:
    """A letter's values: the ``merge_data`` snapshot plus the render-time fields, the
    entry number (empty before logging) and the contact's email unsubscribe link."""
    return {
        **(merge or {}),
        "EntryNo": str(entry_no),
        "UnsubscribeUrl": crm_services.unsubscribe_url(contact_id) if contact_id else "",
    }


def entry_values(entry: InteractionLogEntry | dict) -> dict[str, str]:
    """The merge values of a logged entry: its snapshot plus its entry number and the
    contact's unsubscribe link."""
    if isinstance(entry, dict):
        return letter_values(
            entry["merge_data"], contact_id=entry["contact_id"], entry_no=entry["entry_no"]
        )
    return letter_values(entry.merge_data, contact_id=entry.contact_id, entry_no=entry.entry_no)


def _no_document_error(entry: dict) -> LetterError:
    return LetterError(
        _(
            "Interaction log entry %(entry_no)s has no letter: no document in %(language)s "
            "was there to merge when it was logged."
        ),
        code="no_document",
        params={"entry_no": entry["entry_no"], "language": entry["language"] or "-"},
    )


def entry_letter(entry: InteractionLogEntry) -> bytes:
    """The letter of a logged entry, rendered again exactly as it was sent."""
    row = (
        InteractionLogEntry.objects.filter(pk=entry.pk)
        .values(
            "entry_no",
            "merge_data",
            "document",
            "language",
            "contact__no",
            "contact__erased",
            "contact_id",
        )
        .get()
    )
    if row["contact__erased"]:
        raise LetterError(
            _(
                "The letter of interaction log entry %(entry_no)s can no longer be made: "
                "contact %(no)s was erased, and its personal data with it."
            ),
            code="erased",
            params={"entry_no": row["entry_no"], "no": row["contact__no"]},
        )
    if not row["document"]:
        raise _no_document_error(row)
    return letters.render(DocumentCache(1).get(row["document"]), entry_values(row))


ROW_FIELDS = (
    "entry_no",
    "merge_data",
    "document",
    "language",
    "subject",
    "description",
    "contact__email",
    "contact_id",
)


def _rows(entries) -> Iterator[dict]:
    return entries.order_by("entry_no").values(*ROW_FIELDS).iterator(chunk_size=CHUNK)


def _batches(entries) -> Iterator[list[dict]]:
    """The entries' rows, CHUNK at a time, each batch read whole by a query of its own
    (from the last entry number on): no read stays open while a batch's statuses are
    written, which on SQLite (WAL) fails once another connection, such as the job's
    heartbeat, has written in between."""
    last = None
    while True:
        page = entries if last is None else entries.filter(entry_no__gt=last)
        rows = list(page.order_by("entry_no").values(*ROW_FIELDS)[:CHUNK])
        if rows:
            yield rows
        if len(rows) < CHUNK:
            return
        last = rows[-1]["entry_no"]


def message_headers(url: str) -> dict[str, str]:
    """The extra headers of one entry's message: the one place that adds headers.

    Every email carries the contact's unsubscribe link ``url`` (SPEC 9): in the headers for
    the mail client's one-click POST (RFC 8058), and in the body (``_unsubscribe_footer``)
    unless the letter has it already (its «UnsubscribeUrl» field)."""
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _unsubscribe_footer(url: str, language: str) -> str:
    """The line with the unsubscribe link, in the entry's language."""
    with translation.override(language or translation.get_language()):
        return _("To receive no more emails from us, open this link: %(url)s") % {"url": url}


def _message(row: dict, document: bytes, *, attach: bool) -> EmailMultiAlternatives:
    """One entry's message: its letter attached, or converted into the body."""
    values = entry_values(row)
    recipient = values.get("Email") or row["contact__email"]
    if not recipient:
        raise LetterError(
            _("Interaction log entry %(entry_no)s has no email address."),
            code="no_email",
            params={"entry_no": row["entry_no"]},
        )
    subject = letters.clean_text(row["subject"] or row["description"]).replace("\n", " ")
    reply_to = [values["SalespersonEmail"]] if values.get("SalespersonEmail") else []
    # One signed link per message: the merge field, the headers and the footer share it.
    url = values["UnsubscribeUrl"]
    headers = message_headers(url)
    footer = _unsubscribe_footer(url, row["language"])
    if attach:
        body = values.get("PersonalNote") or subject
        message = EmailMultiAlternatives(
            subject, f"{body}\n\n{footer}", to=[recipient], reply_to=reply_to, headers=headers
        )
        message.attach(
            f"{letters.safe_filename(subject or _('Letter'))}.docx",
            letters.render(document, values),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    else:
        text, html = letters.email_body(document, values)
        if url not in text:
            text = f"{text}\n\n{footer}"
            html = f'{html}<p><a href="{escape(url)}">{escape(footer)}</a></p>'
        message = EmailMultiAlternatives(
            subject, text, to=[recipient], reply_to=reply_to, headers=headers
        )
        message.attach_alternative(html, "text/html")
    return message


def _reason(error: Exception) -> str:
    return "; ".join(getattr(error, "messages", None) or [str(error)])[:1000]


def _record(sent: list[int], failed: dict[str, list[int]]) -> None:
    """Write the outcome of a batch of messages: one UPDATE per status."""
    if sent:
        InteractionLogEntry.objects.filter(pk__in=sent).record_status(
            delivery_status=DeliveryStatus.SENT, delivery_error=""
        )
    if len(failed) == 1:
        [(error, entry_nos)] = failed.items()
        InteractionLogEntry.objects.filter(pk__in=entry_nos).record_status(
            delivery_status=DeliveryStatus.FAILED, delivery_error=error
        )
    elif failed:
        InteractionLogEntry.objects.filter(
            pk__in=[entry_no for entry_nos in failed.values() for entry_no in entry_nos]
        ).record_status(
            delivery_status=DeliveryStatus.FAILED,
            delivery_error=Case(
                *(When(pk__in=entry_nos, then=Value(error)) for error, entry_nos in failed.items()),
                default=Value(""),
                output_field=TextField(),
            ),
        )


def send_emails(
    logged: LoggedSegment, *, only_failed: bool = False, also_pending: bool = False
) -> dict[str, int]:
    """Send one message per email entry of ``logged``; returns how many were sent and failed.

    Pending entries are sent (with ``only_failed``, failed ones are sent again, and with
    ``also_pending`` too the pending ones a lost delivery left behind). A failure is
    recorded on its entry and does not stop the others.
    """
    wanted = [DeliveryStatus.FAILED] if only_failed else [DeliveryStatus.PENDING]
    if only_failed and also_pending:
        wanted.append(DeliveryStatus.PENDING)
    entries = InteractionLogEntry.objects.filter(
        logged_segment=logged,
        canceled=False,
        correspondence_type=CorrespondenceType.EMAIL,
        delivery_status__in=wanted,
    )
    return _send(entries, attach=logged.send_as_attachment)


def send_entry_email(entry_no: int) -> dict[str, int]:
    """Send the email of one pending single interaction (SPEC 7), its letter as the body."""
    entries = InteractionLogEntry.objects.filter(
        pk=entry_no,
        canceled=False,
        correspondence_type=CorrespondenceType.EMAIL,
        delivery_status=DeliveryStatus.PENDING,
    )
    return _send(entries, attach=False)


# The failures a message can meet: a bad document, a missing file, the mail server
# refusing or unreachable, an address or header the mail framework rejects.
FAILURES = (ValidationError, OSError, smtplib.SMTPException, ValueError)


def _send(entries, *, attach: bool) -> dict[str, int]:
    """Send the entries' messages batch by batch; a failure is recorded on its entry and
    does not stop the others."""
    documents = DocumentCache()
    counts = {"sent": 0, "failed": 0}
    for batch in _batches(entries):
        sent, failed = _send_batch(batch, documents, attach=attach)
        _record(sent, failed)
        counts["sent"] += len(sent)
        counts["failed"] += sum(map(len, failed.values()))
    return counts


def _send_batch(
    rows, documents: DocumentCache, *, attach: bool
) -> tuple[list[int], dict[str, list[int]]]:
    """Build a batch's messages, then send them over one connection to the mail server;
    returns the entries sent and the failed ones by reason."""
    sent: list[int] = []
    failed: dict[str, list[int]] = defaultdict(list)
    messages = []
    for row in rows:
        try:
            if not row["document"]:
                raise _no_document_error(row)
            messages.append(
                (row["entry_no"], _message(row, documents.get(row["document"]), attach=attach))
            )
        except FAILURES as error:
            failed[_reason(error)].append(row["entry_no"])
    if not messages:
        return sent, failed
    mailer = mailers.default
    try:
        with mailer:
            for entry_no, message in messages:
                # One message per call, on the open connection: each entry gets its own
                # outcome, and a refused one does not stop the others.
                try:
                    if not mailer.send_messages([message]):
                        raise smtplib.SMTPException(_("The mail server accepted no recipient."))
                except FAILURES as error:
                    failed[_reason(error)].append(entry_no)
                else:
                    sent.append(entry_no)
    except FAILURES as error:
        # The connection could not be opened (or closed): the batch's remaining messages
        # are failed, to be sent again by retry_deliveries.
        done = set(sent).union(*failed.values())
        left = [entry_no for entry_no, _message in messages if entry_no not in done]
        if left:
            failed[_reason(error)].extend(left)
    return sent, failed


def stale_pending(*, now=None) -> set[int]:
    """The logged segments whose emails a lost delivery left ``pending``: logged longer
    than JOB_HEARTBEAT_TIMEOUT_SECONDS ago, and no live delivery job working on them.

    A delivery in progress keeps its job's heartbeat fresh, so its entries are never
    sent twice; one whose worker died has its job failed here first.
    """
    now = now or timezone.now()
    jobs.fail_stale(now=now)
    delivering = {
        pk
        for pk in Job.objects.filter(kind=KIND_DELIVER, state__in=Job.ACTIVE).values_list(
            "arguments__logged_segment", flat=True
        )
        if pk is not None
    }
    return set(
        LoggedSegment.objects.filter(
            created_at__lt=now - jobs.heartbeat_timeout(),
            entries__delivery_status=DeliveryStatus.PENDING,
            entries__correspondence_type=CorrespondenceType.EMAIL,
            entries__canceled=False,
        )
        .exclude(pk__in=delivering)
        .values_list("pk", flat=True)
        .distinct()
    )


def print_batch_pdf_name(logged: LoggedSegment) -> str:
    """Where the PDF of a print batch is stored: beside its ``.docx``."""
    return str(PurePosixPath(logged.print_batch.name).with_suffix(".pdf"))


def make_print_batch(logged: LoggedSegment) -> int:
    """Combine the hard-copy letters of ``logged`` into its print batch; returns the count.

    The combined ``.docx`` is stored on the logged segment; a PDF beside it when
    LibreOffice is installed. A logged segment that already has its batch keeps it.
    """
    if logged.print_batch:
        return 0
    entries = InteractionLogEntry.objects.filter(
        logged_segment=logged, canceled=False, correspondence_type=CorrespondenceType.HARD_COPY
    )
    documents = DocumentCache()

    def letters_of_entries():
        for row in _rows(entries):
            if not row["document"]:
                raise _no_document_error(row)
            yield documents.get(row["document"]), entry_values(row)

    if not entries.exists():
        return 0
    with tempfile.TemporaryFile() as combined:
        count = letters.write_combined(combined, letters_of_entries())
        combined.seek(0)
        name = default_storage.save(
            f"print_batches/{letters.safe_filename(logged.segment_no)}.docx", File(combined)
        )
        LoggedSegment.objects.filter(pk=logged.pk).record_status(print_batch=name)
        logged.print_batch.name = name
        if letters.pdf_available():
            combined.seek(0)
            with tempfile.NamedTemporaryFile(suffix=".docx") as source:
                source.write(combined.read())
                source.flush()
                with tempfile.TemporaryFile() as pdf:
                    letters.to_pdf(source.name, pdf)
                    pdf.seek(0)
                    default_storage.save(print_batch_pdf_name(logged), File(pdf))
    return count


def deliver_logged_segment(logged_segment_id: int, *, only_failed: bool = False) -> dict:
    """Send the email entries and build the print batch of one logged segment."""
    logged = LoggedSegment.objects.get(pk=logged_segment_id)
    counts = send_emails(logged, only_failed=only_failed)
    counts["printed"] = 0 if only_failed else make_print_batch(logged)
    return counts
