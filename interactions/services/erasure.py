"""What erasure and the subject access export (SPEC 9) need from the ledger.

``crm.services`` owns both services but cannot import this app; ``InteractionsConfig.ready``
registers ``scrub_contact`` in ``crm.services.ERASURE_SCRUBBERS`` and
``export_contact_entries`` in ``crm.services.CONTACT_DATA_EXPORTERS``.
"""

import csv
import io
import zipfile

from django.db.models import Func, JSONField

from crm.models import Contact
from crm.services.erasure import Erasure

from .. import delivery, letters
from ..exceptions import LetterError
from ..ledger import erasure_bypass
from ..models import InteractionDraft, InteractionLogEntry

__all__ = ["PERSONAL_MERGE_FIELDS", "export_contact_entries", "scrub_contact"]

#: The merge-data values that describe the contact; the rest (numbers, dates, subject,
#: salesperson, our company) are kept, so an entry still reads as what happened.
PERSONAL_MERGE_FIELDS = (
    "ContactName",
    "JobTitle",
    "Address",
    "Address2",
    "PostCode",
    "City",
    "County",
    "Country",
    "MailingAddress",
    "Email",
    "Phone",
    "MobilePhone",
    "FormalSalutation",
    "InformalSalutation",
    "PersonalNote",
)


class BlankJsonKeys(Func):
    """``merge_data`` with the given keys set to "" where present; other keys unchanged."""

    output_field = JSONField()

    def __init__(self, expression, keys):
        self.keys = tuple(keys)
        super().__init__(expression)

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        pairs = ", ".join("%s, ''" for _ in self.keys)
        return f"json_replace({sql}, {pairs})", [*params, *(f'$."{key}"' for key in self.keys)]

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        for key in self.keys:
            sql = f"jsonb_set({sql}, %s, '\"\"'::jsonb, false)"
            params = [*params, [key]]
        return sql, params


def scrub_contact(erasure: Erasure) -> None:
    """Blank the contact's entries' name, personal merge data and stored files; drop drafts."""
    contact_id = erasure.contact.pk
    entries = InteractionLogEntry._base_manager.filter(contact_id=contact_id)
    for document, attachment in entries.values_list("document", "attachment"):
        erasure.files.update({document, attachment})
    with erasure_bypass(contact_id, using=entries.db):
        erasure.counts["interaction_log_entries"] = entries.update(
            contact_name="",
            merge_data=BlankJsonKeys("merge_data", PERSONAL_MERGE_FIELDS),
            document="",
            attachment="",
        )
    drafts = InteractionDraft.objects.filter(contact_id=contact_id)
    erasure.files.update(drafts.values_list("attachment", flat=True))
    erasure.counts["interaction_drafts"] = drafts.delete()[0]


#: The columns of ``entries.csv``, in order.
ENTRY_COLUMNS = (
    "entry_no",
    "date",
    "description",
    "subject",
    "template__code",
    "group__code",
    "language",
    "correspondence_type",
    "information_flow",
    "initiated_by",
    "cost",
    "duration",
    "evaluation",
    "attempt_failed",
    "canceled",
    "delivery_status",
    "segment_no",
    "salesperson__code",
    "contact_name",
    "created_at",
)


def export_contact_entries(contact: Contact, archive: zipfile.ZipFile) -> None:
    """``entries.csv`` (a header and a row per entry) and ``letters/`` into ``archive``."""
    entries = InteractionLogEntry.objects.filter(contact=contact).order_by("entry_no")
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(ENTRY_COLUMNS)
    for row in entries.values_list(*ENTRY_COLUMNS).iterator():
        writer.writerow(row)
    archive.writestr("entries.csv", text.getvalue())
    cache = delivery.DocumentCache()
    rows = entries.exclude(document="").values(
        "entry_no", "merge_data", "document", "language", "contact_id"
    )
    for row in rows.iterator():
        try:
            letter = letters.render(cache.get(row["document"]), delivery.entry_values(row))
        except (LetterError, OSError):
            continue  # a document gone from storage: the entry is still in entries.csv
        archive.writestr(f"letters/{row['entry_no']}.docx", letter)
