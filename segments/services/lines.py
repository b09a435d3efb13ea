"""One segment line by hand (SPEC 4.1, 4.2): add, remove, override values, its document.

Adding and removing a line are recorded as manual add / reduce actions, so go back undoes
them like any step; value overrides and documents change the line in place, under the
segment lock like every step.
"""

from functools import partial

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

import audit
from crm.models import Contact

from ..exceptions import SegmentError
from ..export import field_label
from ..locks import locked_segment
from ..matching import action_options
from ..models import (
    LINE_NO_STEP,
    CriteriaAction,
    CriteriaActionType,
    RemovedLine,
    Segment,
    SegmentLine,
)
from ._worksheet import OVERRIDE_FIELDS, finish, lock_state, record, remove, segment_no

__all__ = [
    "add_line",
    "delete_unused_document",
    "remove_line",
    "remove_line_document",
    "reset_line_value",
    "set_line_document",
    "set_line_values",
]


@transaction.atomic
def add_line(segment: Segment, *, contact: Contact | str, user, **overrides) -> SegmentLine:
    """Add one line by hand, recorded as an add action so that go back undoes it."""
    unknown = sorted(set(overrides) - OVERRIDE_FIELDS)
    if unknown:
        raise SegmentError(
            _("A segment line has no field %(fields)s; it can override: %(allowed)s.")
            % {"fields": ", ".join(unknown), "allowed": ", ".join(sorted(OVERRIDE_FIELDS))},
            code="unknown_field",
        )
    if isinstance(contact, str):
        found = Contact.objects.filter(no=contact.strip().upper()).first()
        if found is None:
            raise SegmentError(
                _("Contact %(no)s does not exist.") % {"no": contact}, code="contact_missing"
            )
        contact = found
    state = lock_state(segment)
    line = SegmentLine(
        segment=segment,
        contact=contact,
        line_no=state.last_line_no + LINE_NO_STEP,
        **overrides,
    )
    try:
        line.full_clean(exclude=["added_by"], validate_unique=False)
    except ValidationError as error:
        raise SegmentError(
            [
                _("Line for contact %(no)s: %(error)s")
                % {"no": contact.no, "error": " ".join(messages)}
                if name == NON_FIELD_ERRORS
                else _("Line for contact %(no)s: %(field)s: %(error)s")
                % {
                    "no": contact.no,
                    "field": field_label(SegmentLine, name),
                    "error": " ".join(messages),
                }
                for name, messages in error.message_dict.items()
            ],
            code="invalid_line",
        ) from None
    # The line is added whatever its contact (excluded, already on the segment), but the
    # action is stored with every option off (SPEC 4.1): replaying saved criteria must
    # never re-add a contact since excluded from segments, nor add it twice.
    action = record(
        segment,
        state,
        CriteriaActionType.ADD,
        {"contact": {"no": [contact.no]}},
        action_options(CriteriaActionType.ADD, {}),
        user=user,
        manual=True,
    )
    line.added_by = action
    line.save(force_insert=True)
    finish(action, added=1)
    audit.record(user, audit.Action.LINE_ADDED, segment, line=line.line_no, contact=contact.no)
    return line


@transaction.atomic
def remove_line(line: SegmentLine, *, user) -> CriteriaAction:
    """Remove one line by hand, recorded as a reduce action so that go back restores it."""
    segment = line.segment
    state = lock_state(segment)
    contact_no = Contact.objects.filter(pk=line.contact_id).values_list("no", flat=True).first()
    action = record(
        segment,
        state,
        CriteriaActionType.REDUCE,
        {"contact": {"no": [contact_no]}},
        action_options(CriteriaActionType.REDUCE, {}),
        user=user,
        manual=True,
    )
    removed = remove(SegmentLine.objects.filter(pk=line.pk, segment=segment), action)
    if not removed:
        raise SegmentError(
            _("Line %(line_no)s is no longer on segment %(no)s.")
            % {"line_no": line.line_no, "no": segment.no},
            code="line_missing",
        )
    audit.record(user, audit.Action.LINE_REMOVED, segment, line=line.line_no, contact=contact_no)
    return finish(action, removed=removed)


@transaction.atomic
def set_line_values(line: SegmentLine, *, user, **values) -> SegmentLine:
    """Override values of one line (SPEC 4.2), under the segment lock like every step.

    The caller (a form) has validated the values; this checks the names, that the line
    is still on its segment and that no background job holds the segment.
    """
    unknown = sorted(set(values) - OVERRIDE_FIELDS)
    if unknown or not values:
        raise SegmentError(
            _("A segment line has no field %(fields)s; it can override: %(allowed)s.")
            % {"fields": ", ".join(unknown), "allowed": ", ".join(sorted(OVERRIDE_FIELDS))},
            code="unknown_field",
        )
    segment = Segment(pk=line.segment_id, no=segment_no(line))
    lock_state(segment)
    updated = SegmentLine.objects.filter(pk=line.pk, segment_id=line.segment_id).update(**values)
    if not updated:
        raise SegmentError(
            _("Line %(line_no)s is no longer on segment %(no)s.")
            % {"line_no": line.line_no, "no": segment.no},
            code="line_missing",
        )
    for name, value in values.items():
        setattr(line, name, value)
    audit.record(
        user,
        audit.Action.LINE_CHANGED,
        _segment_of(line),
        line=line.line_no,
        fields=sorted(values),
    )
    return line


@transaction.atomic
def reset_line_value(line: SegmentLine, *, field: str, user) -> SegmentLine:
    """Clear one override: the line inherits the value again."""
    if field not in OVERRIDE_FIELDS:
        return set_line_values(line, user=user, **{field: None})  # refused: unknown field
    blank = None if SegmentLine._meta.get_field(field).null else ""
    with audit.steps():
        set_line_values(line, user=user, **{field: blank})
    audit.record(user, audit.Action.LINE_RESET, _segment_of(line), line=line.line_no, field=field)
    return line


def _segment_of(line: SegmentLine) -> Segment:
    """The line's segment, named in its audit row (read only if not loaded yet)."""
    if "segment" in line._state.fields_cache:
        return line.segment
    found = Segment.objects.only("no", "description").filter(pk=line.segment_id).first()
    return found or Segment(pk=line.segment_id)


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
    locked_segment(Segment(pk=line.segment_id, no=segment_no(line)))
    old = line.document.name
    line.document.save(upload.name, upload, save=False)
    new = line.document.name
    try:
        with audit.steps():
            set_line_values(line, user=user, document=new)
    except SegmentError:
        line.document.name = old
        delete_unused_document(new)
        raise
    audit.record(user, audit.Action.DOCUMENT_CHANGED, _segment_of(line), line=line.line_no)
    transaction.on_commit(partial(delete_unused_document, old))
    return line


@transaction.atomic
def remove_line_document(line: SegmentLine, *, user) -> SegmentLine:
    """Remove the personalised document of ``line``: it gets the segment's letter again."""
    old = line.document.name
    with audit.steps():
        set_line_values(line, user=user, document="")
    audit.record(user, audit.Action.DOCUMENT_REMOVED, _segment_of(line), line=line.line_no)
    transaction.on_commit(partial(delete_unused_document, old))
    return line
