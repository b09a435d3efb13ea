"""Reusing criteria (SPEC 4.1): saved criteria and logged segments.

Saved criteria are a segment's actions kept under a code, replayed step by step on any
segment; reusing a logged segment reaches the same contacts again with one add action.
"""

import re

from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.utils.translation import gettext as _

import audit
from interactions.models import InteractionLogEntry, LoggedSegment

from ..criteria import ACTION_OPTIONS
from ..exceptions import SegmentError
from ..matching import action_options, contact_order
from ..models import (
    CriteriaAction,
    CriteriaActionType,
    SavedCriteria,
    SavedCriteriaAction,
    Segment,
)
from ..selectors import saved_criteria_by_code
from ..sql import insert_select
from ._worksheet import OPTION_FIELDS, append, finish, lock_state, record
from .criteria_actions import add_contacts, reduce_contacts, refine_contacts

__all__ = [
    "delete_saved_criteria",
    "reuse_criteria",
    "reuse_logged_segment",
    "save_criteria",
]

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_.\-]*$")


@transaction.atomic
def save_criteria(segment: Segment, *, code: str, description: str = "", user) -> SavedCriteria:
    """Save the segment's actions, in order, under ``code`` for any segment to replay."""
    code = (code or "").strip().upper()
    max_length = SavedCriteria._meta.get_field("code").max_length
    if not code or len(code) > max_length or not _CODE.match(code):
        raise SegmentError(
            _(
                'Saved criteria code "%(code)s" is not valid: use up to %(max)s letters, '
                "digits, dots, dashes or underscores."
            )
            % {"code": code, "max": max_length},
            code="invalid_code",
        )
    if not segment.actions.exists():
        raise SegmentError(
            _("Segment %(no)s has no criteria actions to save.") % {"no": segment.no},
            code="no_actions",
        )
    if SavedCriteria.objects.filter(code=code).exists():
        raise SegmentError(
            _("Saved criteria %(code)s already exist; choose another code.") % {"code": code},
            code="code_in_use",
        )
    try:
        with transaction.atomic():
            saved = SavedCriteria.objects.create(
                code=code, description=description, created_by=user
            )
    except IntegrityError:
        # A concurrent save took the code between the check and the insert.
        raise SegmentError(
            _("Saved criteria %(code)s already exist; choose another code.") % {"code": code},
            code="code_in_use",
        ) from None
    copied = ["seq", "action", "criteria", "description", "manual", *OPTION_FIELDS]
    steps = insert_select(
        SavedCriteriaAction,
        segment.actions.all(),
        {"saved": Value(saved.pk), **{name: name for name in copied}},
    )
    audit.record(user, audit.Action.CRITERIA_SAVED, saved, segment=segment.no, steps=steps)
    return saved


@transaction.atomic
def reuse_criteria(segment: Segment, *, saved: SavedCriteria | str, user) -> list[CriteriaAction]:
    """Replay saved criteria: each saved action becomes a new action with its options."""
    saved = saved_criteria_by_code(saved)
    steps = list(saved.actions.order_by("seq"))
    if not steps:
        raise SegmentError(
            _("Saved criteria %(code)s have no actions.") % {"code": saved.code},
            code="no_actions",
        )
    done = []
    with audit.steps():  # one audit row for the replay, with its totals
        for step in steps:
            if step.action == CriteriaActionType.ADD:
                done.append(
                    add_contacts(
                        segment,
                        criteria=step.criteria,
                        user=user,
                        **{name: getattr(step, name) for name in ACTION_OPTIONS[step.action]},
                    )
                )
            else:
                service = (
                    reduce_contacts if step.action == CriteriaActionType.REDUCE else refine_contacts
                )
                done.append(
                    service(
                        segment,
                        criteria=step.criteria,
                        entire_companies=step.entire_companies,
                        user=user,
                    )
                )
    audit.record(
        user,
        audit.Action.CRITERIA_REUSED,
        segment,
        saved_criteria=saved.code,
        steps=len(done),
        added=sum(action.added for action in done),
        removed=sum(action.removed for action in done),
    )
    return done


@transaction.atomic
def delete_saved_criteria(saved: SavedCriteria, *, user) -> None:
    """Delete saved criteria with their actions; segments built from them keep their steps."""
    SavedCriteria.objects.filter(pk=saved.pk).delete()
    audit.record(user, audit.Action.SAVED_CRITERIA_DELETED, saved)


@transaction.atomic
def reuse_logged_segment(
    segment: Segment, *, logged: LoggedSegment | str, skip_canceled: bool = False, user
) -> CriteriaAction:
    """One add action appending a line per interaction log entry of ``logged``."""
    if isinstance(logged, str):
        found = LoggedSegment.objects.filter(segment_no=logged.strip().upper()).first()
        if found is None:
            raise SegmentError(
                _("Logged segment %(no)s does not exist.") % {"no": logged},
                code="logged_segment_missing",
            )
        logged = found
    data = {"interaction": {"logged_segment": [logged.segment_no]}}
    if skip_canceled:
        data["interaction"]["canceled"] = ["false"]
    # Every entry gets its line, whether or not its contact is excluded or already on
    # the segment: the point is to reach the same contacts again. A privacy-blocked
    # contact is never added (SPEC 9), not even by this.
    options = action_options(
        CriteriaActionType.ADD, {"allow_existing": True, "ignore_exclusion": True}
    )
    state = lock_state(segment)
    action = record(segment, state, CriteriaActionType.ADD, data, options, user=user)
    entries = InteractionLogEntry.objects.filter(
        logged_segment=logged, contact__privacy_blocked=False
    )
    if skip_canceled:
        entries = entries.filter(canceled=False)
    order = [*contact_order("contact__"), F("entry_no").asc()]
    added = append(segment, state, entries, "contact", order, action)
    audit.record(
        user,
        audit.Action.LOGGED_SEGMENT_REUSED,
        segment,
        logged_segment=logged.segment_no,
        added=added,
    )
    return finish(action, added=added)
