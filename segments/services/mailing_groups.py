"""Applying a segment to a mailing group (SPEC 4.1): every line's contact joins it."""

from django.db import transaction
from django.db.models import Exists, OuterRef, Value

import audit
from crm.models import Contact, MailingGroup

from ..models import Segment, SegmentLine
from ..selectors import mailing_group_by_code
from ..sql import delete_rows, insert_select
from ._worksheet import lock_state

__all__ = ["apply_mailing_group"]


@transaction.atomic
def apply_mailing_group(
    segment: Segment,
    *,
    mailing_group: MailingGroup | str,
    delete_old_assignments: bool = False,
    user,
) -> int:
    """Put every line's contact in the group; returns how many contacts were added to it.

    With ``delete_old_assignments`` the group is emptied first, so it ends up holding
    exactly the segment's contacts.
    """
    group = mailing_group_by_code(mailing_group)
    lock_state(segment)
    membership = Contact.mailing_groups.through
    removed = {}
    if delete_old_assignments:
        removed["removed"] = delete_rows(membership.objects.filter(mailinggroup=group))
    contacts = Contact.objects.filter(
        Exists(SegmentLine.objects.filter(segment=segment, contact=OuterRef("pk")))
    ).exclude(Exists(membership.objects.filter(mailinggroup=group, contact=OuterRef("pk"))))
    added = insert_select(membership, contacts, {"contact": "pk", "mailinggroup": Value(group.pk)})
    audit.record(
        user,
        audit.Action.MAILING_GROUP_APPLIED,
        segment,
        mailing_group=group.code,
        added=added,
        **removed,
    )
    return added
