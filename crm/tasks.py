"""Background work of crm, run through ``django.tasks``: each task takes a job id."""

import contextlib
import threading

from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, connections
from django.tasks import task
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from jobs import services as jobs

from .services.import_jobs import ImportRefused
from .services.import_reading import count_rows
from .services.importing import import_contacts as import_file
from .spreadsheets import SpreadsheetError


def _write_progress(progress, count: int) -> None:
    try:
        # A write that cannot get the job's row within a second is skipped (the count
        # is kept and written with the next one): the work is waiting for this thread.
        with contextlib.suppress(DatabaseError), jobs.waiting_at_most(1):
            progress.advance(count)
    finally:
        connections.close_all()  # this thread's connection only


def outside_the_transaction(progress):
    """``progress.advance`` for work inside one long transaction: written on a connection
    of its own, so the transaction never holds the job's row (the heartbeat, and a job page
    failing stale jobs, would wait for it). SQLite has one writer at a time: there the
    count is kept and written when the job ends."""

    def advance(count: int) -> None:
        if connection.vendor == "sqlite":
            progress.done += count
            return
        writer = threading.Thread(target=_write_progress, args=(progress, count))
        writer.start()
        writer.join()

    return advance


def _import(job, progress) -> jobs.Outcome:
    arguments = job.arguments
    user = get_user_model()._default_manager.filter(pk=arguments["user"]).first()
    name, kind = arguments["name"], arguments["format"]
    try:
        with translation.override(arguments.get("language")):
            try:
                with default_storage.open(arguments["file"], "rb") as handle:
                    progress.set_total(count_rows(handle, kind))
                    handle.seek(0)
                    report = import_file(
                        handle, kind, user=user, progress=outside_the_transaction(progress)
                    )
            except SpreadsheetError as error:
                message = _("%(file)s cannot be imported: %(error)s.") % {
                    "file": name,
                    "error": " ".join(error.messages),
                }
                raise ImportRefused(message, job_result={"file": name}) from None
            result = {"file": name, **report.as_dict()}
            if report.errors:
                raise ImportRefused(
                    _("%(file)s: %(count)d problem(s); nothing was imported.")
                    % {"file": name, "count": len(report.errors)},
                    job_result=result,
                )
    finally:
        # The upload holds personal data: it is not kept once the import has run.
        default_storage.delete(arguments["file"])
    return jobs.Outcome(result=result, url=reverse("crm:contact-list"))


@task()
def import_contacts(job_id: int) -> dict:
    """Import the job's stored contact file (``crm.services.importing``)."""
    return jobs.run(job_id, _import)
