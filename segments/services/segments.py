"""The segment itself (SPEC 4.1): create, change its header and language versions, delete.

Edits take the segment lock (``locks.locked_segment``: the row locked, no background job
at work), so an edit made from a page, the admin or a command meets the same errors as
the building steps.
"""

from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

import audit
from crm.models import Salesperson, next_code

from ..exceptions import SegmentError
from ..locks import locked_segment
from ..models import CriteriaAction, RemovedLine, Segment, SegmentLanguage, SegmentLine
from .lines import delete_unused_document

__all__ = [
    "HEADER_VALUE_FIELDS",
    "create_segment",
    "delete_segment",
    "delete_segment_language",
    "save_segment_language",
    "update_segment_header",
]

#: What the header edit may change: the header values, not the number or the record.
HEADER_VALUE_FIELDS = frozenset(
    f.name
    for f in Segment._meta.concrete_fields
    if f.name not in ("id", "no", "follow_up_of", "created_by", "created_at", "updated_at")
)


@transaction.atomic
def create_segment(*, user, description: str = "", **header) -> Segment:
    """A new segment: the next number, today's date, the user's salesperson if none given."""
    unknown = sorted(
        name
        for name in header
        if name not in {f.name for f in Segment._meta.concrete_fields}
        or name in ("id", "created_by", "created_at", "updated_at")
    )
    if unknown:
        raise SegmentError(
            _("A segment has no field %(fields)s.") % {"fields": ", ".join(unknown)},
            code="unknown_field",
        )
    segment = Segment(description=description, created_by=user, **header)
    if not segment.no:
        segment.no = next_code("SEGMENT", Segment)
    if segment.salesperson_id is None and user is not None and user.pk:
        segment.salesperson = Salesperson.objects.filter(user=user, blocked=False).first()
    try:
        segment.full_clean()
    except ValidationError as error:
        raise SegmentError(error.messages, code="invalid_segment") from None
    segment.save()
    audit.record(user, audit.Action.SEGMENT_CREATED, segment)
    return segment


@transaction.atomic
def update_segment_header(segment: Segment, *, user, **values) -> Segment:
    """Change header values of ``segment`` (SPEC 4.1); its lines inherit them when read."""
    unknown = sorted(set(values) - HEADER_VALUE_FIELDS)
    if unknown or not values:
        raise SegmentError(
            _("A segment header has no field %(fields)s.") % {"fields": ", ".join(unknown)},
            code="unknown_field",
        )
    locked = locked_segment(segment)
    changed = audit.changed_fields(locked, values)
    for name, value in values.items():
        setattr(locked, name, value)
    try:
        locked.full_clean(
            exclude=[f.name for f in Segment._meta.fields if f.name not in values],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        raise SegmentError(error.messages, code="invalid_segment") from None
    locked.save(update_fields=[*values, "updated_at"])
    for name in (*values, "updated_at"):
        setattr(segment, name, getattr(locked, name))
    audit.record(user, audit.Action.HEADER_CHANGED, segment, fields=changed)
    return segment


@transaction.atomic
def save_segment_language(version: SegmentLanguage, *, user) -> SegmentLanguage:
    """Save a language version (subject, letter document) of a segment, under its lock."""
    locked_segment(version.segment)
    version.save()
    audit.record(user, audit.Action.LANGUAGE_SAVED, version.segment, language=version.language)
    return version


@transaction.atomic
def delete_segment_language(version: SegmentLanguage, *, user) -> None:
    """Delete a language version of a segment, under its lock."""
    locked_segment(version.segment)
    SegmentLanguage.objects.filter(pk=version.pk).delete()
    audit.record(user, audit.Action.LANGUAGE_DELETED, version.segment, language=version.language)


@transaction.atomic
def delete_segment(segment: Segment, *, user) -> None:
    """Delete a segment that is not logged, with its lines and history, under its lock.

    The line documents nothing else refers to any more are deleted after the commit.
    """
    locked = locked_segment(segment)
    documents = {
        *SegmentLine.objects.filter(segment=locked)
        .exclude(document="")
        .values_list("document", flat=True),
        *RemovedLine.objects.filter(segment=locked)
        .exclude(document="")
        .values_list("document", flat=True),
    }
    lines = delete_segment_rows(locked)
    audit.record(user, audit.Action.SEGMENT_DELETED, locked, lines=lines)
    for name in documents:
        transaction.on_commit(partial(delete_unused_document, name))


def delete_segment_rows(segment: Segment) -> int:
    """Delete the segment with its lines, languages, criteria actions and removed lines;
    returns how many lines it had.

    The caller holds the segment's lock (deleting, or logging which ends in this).
    The big tables go first with one ``DELETE`` each, so that deleting the actions does
    not first clear ``added_by`` on every line.
    """
    lines = SegmentLine.objects.filter(segment=segment).delete()[1].get(SegmentLine._meta.label, 0)
    RemovedLine.objects.filter(segment=segment).delete()
    SegmentLanguage.objects.filter(segment=segment).delete()
    CriteriaAction.objects.filter(segment=segment).delete()
    Segment.objects.filter(pk=segment.pk).delete()
    return lines
