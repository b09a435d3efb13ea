"""The criteria actions of SPEC 4.1: add, reduce, refine, and go back (undo the latest).

Every step is one transaction whose number of queries does not depend on how many
contacts match: adding is one ``INSERT ... SELECT`` numbering lines with ``ROW_NUMBER()``;
removing is one snapshot ``INSERT ... SELECT`` into RemovedLine plus one ``DELETE``.
"""

from django.db import transaction
from django.utils.text import Truncator
from django.utils.translation import gettext as _

import audit

from ..criteria import Criteria, describe, parse_criteria
from ..exceptions import SegmentError
from ..matching import candidates, contact_order, matching_lines
from ..models import CriteriaAction, CriteriaActionType, RemovedLine, Segment, SegmentLine
from ..sql import delete_rows, insert_select
from ._worksheet import LINE_FIELDS, append, finish, lock_state, record, remove
from .segments import create_segment

__all__ = [
    "add_contacts",
    "create_segment_from_criteria",
    "go_back",
    "reduce_contacts",
    "refine_contacts",
]

#: The longest segment description (the field's length).
DESCRIPTION_LENGTH = Segment._meta.get_field("description").max_length


@transaction.atomic
def add_contacts(
    segment: Segment,
    *,
    criteria: Criteria,
    allow_existing: bool = False,
    expand_companies: bool = False,
    allow_related_companies: bool = False,
    ignore_exclusion: bool = False,
    leave_out_opted_out: bool = False,
    user,
) -> CriteriaAction:
    """Append a line for every contact matching ``criteria`` (SPEC 4.1 options).

    With ``leave_out_opted_out``, a contact opted out of the channel its new line would
    have (the one logging checks) is not added; by default it is, and logging refuses it.
    """
    parsed = parse_criteria(criteria)
    options = {
        "allow_existing": allow_existing,
        "expand_companies": expand_companies,
        "allow_related_companies": allow_related_companies,
        "ignore_exclusion": ignore_exclusion,
        "leave_out_opted_out": leave_out_opted_out,
    }
    state = lock_state(segment)
    action = record(segment, state, CriteriaActionType.ADD, parsed.data, options, user=user)
    rows = candidates(segment, parsed.contacts, options)
    added = append(segment, state, rows, "pk", contact_order(), action)
    audit.record(user, audit.Action.CRITERIA_ADDED, segment, step=action.seq, added=added)
    return finish(action, added=added)


@transaction.atomic
def create_segment_from_criteria(
    *, user, criteria: Criteria, description: str = ""
) -> CriteriaAction:
    """A new segment whose first step adds the contacts matching ``criteria`` (the contact
    list's "Create segment from this filter"); returns that add action.

    The criteria are checked before a segment number is taken: bad criteria create nothing.
    Without a description the segment is described by its criteria.
    """
    parsed = parse_criteria(criteria)
    if not description:
        described = describe(CriteriaActionType.ADD, parsed.data, names=True)
        description = Truncator(described).chars(DESCRIPTION_LENGTH)
    segment = create_segment(user=user, description=description)
    return add_contacts(segment, criteria=parsed.data, user=user)


@transaction.atomic
def reduce_contacts(
    segment: Segment, *, criteria: Criteria, entire_companies: bool = False, user
) -> CriteriaAction:
    """Delete every line whose contact matches (or, with entire companies, its company)."""
    parsed = parse_criteria(criteria)
    options = {"entire_companies": entire_companies}
    state = lock_state(segment)
    action = record(segment, state, CriteriaActionType.REDUCE, parsed.data, options, user=user)
    lines = segment.lines.filter(matching_lines(parsed.contacts, entire_companies))
    removed = remove(lines, action)
    audit.record(user, audit.Action.CRITERIA_REDUCED, segment, step=action.seq, removed=removed)
    return finish(action, removed=removed)


@transaction.atomic
def refine_contacts(
    segment: Segment, *, criteria: Criteria, entire_companies: bool = False, user
) -> CriteriaAction:
    """Keep only the lines whose contact matches (or its company does); delete the rest."""
    parsed = parse_criteria(criteria)
    options = {"entire_companies": entire_companies}
    state = lock_state(segment)
    action = record(segment, state, CriteriaActionType.REFINE, parsed.data, options, user=user)
    lines = segment.lines.filter(~matching_lines(parsed.contacts, entire_companies))
    removed = remove(lines, action)
    audit.record(user, audit.Action.CRITERIA_REFINED, segment, step=action.seq, removed=removed)
    return finish(action, removed=removed)


@transaction.atomic
def go_back(segment: Segment, *, user, seq: int | None = None) -> CriteriaAction:
    """Undo the latest action exactly; returns it (no longer saved).

    The lines it added go; the lines it removed come back with their overrides, line
    numbers and ``added_by``. Actions are undone latest first, so a restored number is
    always free again. With ``seq`` (an "Undo" offered right after a step), only that
    step is undone: if another step came after it meanwhile, nothing is.
    """
    state = lock_state(segment)
    action = segment.actions.filter(seq=state.last_seq).first()
    if action is None:
        raise SegmentError(
            _("Segment %(no)s has no action to go back from.") % {"no": segment.no},
            code="nothing_to_undo",
        )
    if seq is not None and action.seq != seq:
        raise SegmentError(
            _(
                "Step %(seq)s is no longer the latest step of segment %(no)s (step %(latest)s "
                "came after it). Nothing was undone."
            )
            % {"seq": seq, "no": segment.no, "latest": action.seq},
            code="not_latest_step",
        )
    removed = delete_rows(segment.lines.filter(added_by=action))
    restored = insert_select(
        SegmentLine,
        RemovedLine.objects.filter(removed_by=action),
        {name: name for name in LINE_FIELDS},
    )
    delete_rows(RemovedLine.objects.filter(removed_by=action))
    delete_rows(CriteriaAction.objects.filter(pk=action.pk))
    audit.record(
        user, audit.Action.WENT_BACK, segment, step=action.seq, removed=removed, restored=restored
    )
    return action
