"""The admin's contact import as a background job: the upload is checked (type, size,
readable) and stored before the job starts; a worker runs ``import_contacts`` on it with
progress, and the job keeps the report (rows imported, every bad row)."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jobs import services as jobs
from jobs.models import Job

from ..spreadsheets import SpreadsheetError
from .import_reading import check_upload, file_format

__all__ = ["IMPORT_KIND", "ImportRefused", "max_upload_bytes", "start_import"]

IMPORT_KIND = "contact_import"
#: One contact import at a time: two files naming the same contact would race.
IMPORT_TARGET = "CONTACT-IMPORT"


class ImportRefused(ValidationError):
    """An import that found bad rows (or an unreadable file): the job fails with this
    message and keeps ``job_result``, the report that lists every bad row."""

    def __init__(self, message, *, job_result: dict, code: str = "import_refused"):
        super().__init__(message, code=code)
        self.job_result = job_result


def max_upload_bytes() -> int:
    return settings.CONTACT_IMPORT_MAX_BYTES


def start_import(upload, *, user) -> Job:
    """Check ``upload`` (a .csv or .xlsx file within the size limit that opens as its
    type), store it, and start the job that imports it. Raises ValidationError."""
    kind = file_format(upload.name or "")
    if kind is None:
        raise ValidationError(
            _("“%(name)s” is not a .csv or .xlsx file.") % {"name": upload.name},
            code="unsupported_type",
        )
    limit = max_upload_bytes()
    if upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s; an import takes at most %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    try:
        check_upload(upload.file, kind)
    except SpreadsheetError as error:
        raise ValidationError(
            _("The file cannot be imported: %(error)s.") % {"error": " ".join(error.messages)},
            code=error.code,
        ) from None
    upload.seek(0)
    stored = default_storage.save(f"imports/{uuid.uuid4().hex}.{kind}", upload)
    description = _("Import contacts from %(file)s") % {"file": upload.name}
    try:
        return jobs.start(
            kind=IMPORT_KIND,
            description=description[:200],
            task="crm.tasks.import_contacts",
            arguments={
                "file": stored,
                "format": kind,
                "name": upload.name,
                "user": user.pk,
                "language": get_language() or settings.LANGUAGE_CODE,
            },
            user=user,
            target=IMPORT_TARGET,
        )
    except jobs.JobBusy:
        default_storage.delete(stored)
        running = jobs.active_job(IMPORT_TARGET)
        raise ValidationError(
            _("Another contact import is running (job %(id)s); start this one when it ends.")
            % {"id": running.pk if running else "?"},
            code="busy",
        ) from None
