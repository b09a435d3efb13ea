"""Plain edits of a segment under its lock: the header, a line's document, deleting.

The views and the admin call these instead of saving models themselves, so an edit made
anywhere meets the same segment lock (``locks.locked_segment``: the row locked, no
background job at work) and the same errors as the building steps.
"""

from functools import partial

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from ..exceptions import SegmentError
from ..locks import locked_segment
from ..models import (
    CriteriaAction,
    RemovedLine,
    SavedCriteria,
    Segment,
    SegmentLanguage,
    SegmentLine,
)
from .building import set_line_values

__all__ = [
    "HEADER_VALUE_FIELDS",
    "delete_saved_criteria",
    "delete_segment",
    "delete_segment_language",
    "delete_unused_document",
    "remove_line_document",
    "save_segment_language",
    "set_line_document",
    "update_segment_header",
]

#: What the header edit may change: the header values, not the number or the record.
HEADER_VALUE_FIELDS = frozenset(
    f.name
    for f in Segment._meta.concrete_fields
    if f.name not in ("id", "no", "follow_up_of", "created_by", "created_at", "updated_at")
)


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
    return segment


def delete_unused_document(name: str) -> None:
    """Delete a stored line document no line and no removed line (go back) refers to."""
    if not name:
        return
    if SegmentLine.objects.filter(document=name).exists():
        return
    if RemovedLine.objects.filter(document=name).exists():
        return
    default_storage.delete(name)


@transaction.atomic
def set_line_document(line: SegmentLine, *, upload: UploadedFile, user) -> SegmentLine:
    """Give ``line`` its own letter document; the one it replaces goes after the commit.

    The segment is locked before the file is stored, so a refused edit stores nothing;
    should the row be gone by then, the new file is deleted again.
    """
    locked_segment(Segment(pk=line.segment_id, no=_segment_no(line)))
    old = line.document.name
    line.document.save(upload.name, upload, save=False)
    new = line.document.name
    try:
        set_line_values(line, user=user, document=new)
    except SegmentError:
        line.document.name = old
        delete_unused_document(new)
        raise
    transaction.on_commit(partial(delete_unused_document, old))
    return line


@transaction.atomic
def remove_line_document(line: SegmentLine, *, user) -> SegmentLine:
    """Remove the personalised document of ``line``: it gets the segment's letter again."""
    old = line.document.name
    set_line_values(line, user=user, document="")
    transaction.on_commit(partial(delete_unused_document, old))
    return line


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
    delete_segment_rows(locked)
    for name in documents:
        transaction.on_commit(partial(delete_unused_document, name))


def delete_segment_rows(segment: Segment) -> None:
    """Delete the segment with its lines, languages, criteria actions and removed lines.

    The caller holds the segment's lock (deleting, or logging which ends in this).
    The big tables go first with one ``DELETE`` each, so that deleting the actions does
    not first clear ``added_by`` on every line.
    """
    SegmentLine.objects.filter(segment=segment).delete()
    RemovedLine.objects.filter(segment=segment).delete()
    SegmentLanguage.objects.filter(segment=segment).delete()
    CriteriaAction.objects.filter(segment=segment).delete()
    Segment.objects.filter(pk=segment.pk).delete()


@transaction.atomic
def delete_saved_criteria(saved: SavedCriteria, *, user) -> None:
    """Delete saved criteria with their actions; segments built from them keep their steps."""
    SavedCriteria.objects.filter(pk=saved.pk).delete()


@transaction.atomic
def save_segment_language(version: SegmentLanguage, *, user) -> SegmentLanguage:
    """Save a language version (subject, letter document) of a segment, under its lock."""
    locked_segment(version.segment)
    version.save()
    return version


@transaction.atomic
def delete_segment_language(version: SegmentLanguage, *, user) -> None:
    """Delete a language version of a segment, under its lock."""
    locked_segment(version.segment)
    SegmentLanguage.objects.filter(pk=version.pk).delete()


def _segment_no(line: SegmentLine) -> str:
    if "segment" in line._state.fields_cache:
        return line.segment.no
    return Segment.objects.filter(pk=line.segment_id).values_list("no", flat=True).first() or ""
