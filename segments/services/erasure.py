"""What erasure (SPEC 9) needs from the worksheet: the contact leaves every segment.

Registered in ``crm.services.ERASURE_SCRUBBERS`` by ``SegmentsConfig.ready``.
"""

from django.db.models import Q

import audit
from crm.services.erasure import Erasure

from ..models import CriteriaActionType, RemovedLine, Segment, SegmentLine
from ..sql import delete_rows
from ._worksheet import finish, lock_state, record

__all__ = ["scrub_contact"]


def scrub_contact(erasure: Erasure) -> None:
    """Remove the contact's lines from every segment not yet logged, for good.

    Each segment records the removal as a reduce step by hand, but keeps no snapshot of
    the lines: going back cannot bring them back. Removed-line snapshots of the contact
    (what going back over earlier steps would restore) go too, with their documents.
    """
    contact = erasure.contact
    segments = Segment.objects.filter(
        Q(lines__contact=contact) | Q(removed_lines__contact=contact)
    ).distinct()
    lines = removed = 0
    for segment in segments.order_by("pk"):
        state = lock_state(segment)
        action = record(
            segment,
            state,
            CriteriaActionType.REDUCE,
            {"contact": {"no": [contact.no]}},
            {"entire_companies": False},
            user=erasure.user,
            manual=True,
        )
        on_segment = SegmentLine.objects.filter(segment=segment, contact=contact)
        snapshots = RemovedLine.objects.filter(segment=segment, contact=contact)
        erasure.files.update(on_segment.values_list("document", flat=True))
        erasure.files.update(snapshots.values_list("document", flat=True))
        removed_here = delete_rows(on_segment)
        removed += delete_rows(snapshots)
        lines += removed_here
        finish(action, removed=removed_here)
        audit.record(
            erasure.user,
            audit.Action.CONTACT_LEFT_SEGMENT,
            segment,
            step=action.seq,
            removed=removed_here,
            contact=contact.no,
        )
    erasure.counts["segment_lines"] = lines
    erasure.counts["removed_line_snapshots"] = removed
