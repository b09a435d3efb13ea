"""Notes on an interaction log entry (SPEC 7): what came back after an interaction."""

from django.db import transaction
from django.utils.translation import gettext as _

import audit

from ..choices import Evaluation
from ..exceptions import InteractionError
from ..models import InteractionLogEntry, InteractionNote

__all__ = ["add_interaction_note"]


@transaction.atomic
def add_interaction_note(
    entry: InteractionLogEntry,
    *,
    user,
    comment: str = "",
    evaluation: str | None = None,
    attempt_failed: bool | None = None,
) -> InteractionNote:
    """Record what came back after an interaction; a given evaluation or attempt-failed
    flag becomes the entry's. A canceled entry takes no note."""
    locked = InteractionLogEntry.objects.select_for_update().get(pk=entry.pk)
    problems = []
    if locked.canceled:
        problems.append(_("the entry is canceled"))
    if evaluation and evaluation not in Evaluation.values:
        problems.append(
            _("evaluation %(value)s is not one of %(choices)s")
            % {
                "value": repr(evaluation),
                "choices": ", ".join(str(label) for label in Evaluation.labels),
            }
        )
    if not (comment or "").strip() and not evaluation and attempt_failed is None:
        problems.append(_("it is empty: give a comment, an evaluation or attempt failed"))
    if problems:
        raise InteractionError(
            _("Interaction log entry %(entry_no)s cannot take this note: %(problems)s.")
            % {"entry_no": locked.entry_no, "problems": "; ".join(problems)},
            code="note_refused",
        )
    note = InteractionNote.objects.create(
        entry=locked,
        comment=comment or "",
        evaluation=evaluation or "",
        attempt_failed=attempt_failed,
        created_by=user,
    )
    status = {}
    if evaluation:
        status["evaluation"] = evaluation
    if attempt_failed is not None:
        status["attempt_failed"] = bool(attempt_failed)
    if status:
        InteractionLogEntry.objects.filter(pk=locked.pk).record_status(**status)
        for name, value in status.items():
            setattr(entry, name, value)
    # The comment stays on the note; the row says which of the entry's fields it set.
    audit.record(user, audit.Action.NOTE_ADDED, locked, fields=sorted(status))
    return note
