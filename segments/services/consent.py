"""Consent at logging (SPEC 9): which lines logging refuses, and removing them in one step.

``posting.segment_problems`` lists these lines by number like every other problem; the
logging page then offers ``remove_refused_lines``, recorded as a reduce step so that going
back restores them.
"""

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

import audit
from crm.choices import opted_out_of

from ..exceptions import SegmentError
from ..matching import action_options
from ..models import CriteriaAction, CriteriaActionType, Segment, SegmentLine
from ._worksheet import finish, lock_state, record, remove

__all__ = ["CONSENT_PROBLEMS", "consent_conditions", "remove_refused_lines"]


#: The problems ``remove_refused_lines`` removes the lines of.
CONSENT_PROBLEMS = ("privacy_blocked", "opted_out")


def consent_conditions() -> dict[str, Q]:
    """Lines whose contact may not be written to (SPEC 9), over effective values.

    Privacy blocked refuses every channel; an opt-out refuses its own channel only
    (email -> ``email_opt_out``, hard copy -> ``letter_opt_out``).
    """
    return {
        "privacy_blocked": Q(contact__privacy_blocked=True),
        "opted_out": Q(contact__privacy_blocked=False)
        & opted_out_of("effective_correspondence_type", "contact__"),
    }


@transaction.atomic
def remove_refused_lines(segment: Segment, *, user) -> CriteriaAction:
    """Remove every line logging refuses for consent (SPEC 9) as one reduce step.

    The lines whose contact is privacy blocked or opted out of the line's channel; like
    every removal it keeps snapshots, so going back restores them exactly.
    """
    state = lock_state(segment)
    refused = Q()
    for condition in consent_conditions().values():
        refused |= condition
    line_ids = (
        SegmentLine.objects.filter(segment=segment).with_effective_values().filter(refused)
    ).values("pk")
    lines = SegmentLine.objects.filter(segment=segment, pk__in=line_ids)
    contact_nos = sorted(set(lines.values_list("contact__no", flat=True)))
    if not contact_nos:
        raise SegmentError(
            _("Segment %(no)s has no line whose contact refuses its channel.") % {"no": segment.no},
            code="nothing_refused",
        )
    action = record(
        segment,
        state,
        CriteriaActionType.REDUCE,
        {"contact": {"no": contact_nos}},
        action_options(CriteriaActionType.REDUCE, {}),
        user=user,
        manual=True,
    )
    removed = remove(lines, action)
    audit.record(
        user, audit.Action.REFUSED_LINES_REMOVED, segment, step=action.seq, removed=removed
    )
    return finish(action, removed=removed)
