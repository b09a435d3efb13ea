"""The mechanics every building step shares: lock, record the action, append, remove.

Private to ``segments.services``: a step locks the segment and reads its last action and
line (``lock_state``), records its criteria action, appends or removes lines with one
``INSERT ... SELECT`` each, and stores its counts (``finish``).
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import (
    BigIntegerField,
    ExpressionWrapper,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import RowNumber

from crm.models import Contact, refresh_segment_sort_keys

from ..criteria import describe
from ..locks import ensure_free, select_segment
from ..models import (
    LINE_NO_STEP,
    ActionOptions,
    CriteriaAction,
    LineValues,
    RemovedLine,
    Segment,
    SegmentLine,
)
from ..sql import delete_rows, insert_select

#: What a line stores and a RemovedLine snapshot keeps (overrides, number, added_by).
LINE_FIELDS = tuple(
    f.name for f in RemovedLine._meta.concrete_fields if f.name not in ("id", "removed_by")
)
#: What ``add_line`` accepts as overrides.
OVERRIDE_FIELDS = frozenset(
    f.name for f in LineValues._meta.fields if f.name not in ("line_no", "contact", "added_by")
)

#: The options an action stores (allow existing, expand companies, ...).
OPTION_FIELDS = tuple(
    f.name
    for f in ActionOptions._meta.fields
    if f.name not in ("id", "action", "criteria", "manual")
)


@dataclass(frozen=True)
class State:
    last_seq: int
    last_line_no: int


def lock_state(segment: Segment) -> State:
    """Lock the segment row (serialising its builders), then read its last step and line.

    Two statements on purpose: on PostgreSQL a statement sees the data as of its start,
    so subqueries in the locking ``SELECT ... FOR UPDATE`` would read the last action and
    line as they were *before* waiting for the lock, and a step that waited would reuse
    the number the step it waited for had just taken. Read after the lock is granted,
    they include every step committed before.
    """
    select_segment(segment)
    ensure_free(segment)  # a background job on the segment locks it against edits
    last_seq, last_line_no = (
        Segment.objects.filter(pk=segment.pk)
        .annotate(
            last_seq=Subquery(
                CriteriaAction.objects.filter(segment=OuterRef("pk"))
                .order_by("-seq")
                .values("seq")[:1]
            ),
            last_line_no=Subquery(
                SegmentLine.objects.filter(segment=OuterRef("pk"))
                .order_by("-line_no")
                .values("line_no")[:1]
            ),
        )
        .values_list("last_seq", "last_line_no")
        .get()
    )
    return State(last_seq=last_seq or 0, last_line_no=last_line_no or 0)


def record(
    segment: Segment,
    state: State,
    action: str,
    data: dict,
    options: Mapping[str, bool],
    *,
    user,
    manual: bool = False,
) -> CriteriaAction:
    """Store the step as the segment's next criteria action (its counts come at the end)."""
    return CriteriaAction.objects.create(
        segment=segment,
        seq=state.last_seq + 1,
        action=action,
        criteria=data,
        description=describe(action, data, options),
        manual=manual,
        created_by=user,
        **options,
    )


def append(segment: Segment, state: State, rows: QuerySet, contact: str, order, action) -> int:
    """Append one line per row of ``rows``, numbered in ``order`` after the last line.

    The lines are numbered in ``order`` but inserted in contact order: the line table
    has three indexes led by the contact and one by the line number, so the contact ones
    are then filled page by page in their own order instead of at random places (on
    SQLite at 1,000,000 contacts this halves the insert).
    """
    # A contact written around Contact.save (bulk_create, raw SQL) has no sort key yet:
    # give it one first, so it is numbered where the product's order puts it. One UPDATE
    # through the key's index, which finds nothing when every writer kept the key.
    refresh_segment_sort_keys(Contact._base_manager.filter(segment_sort_key=""))
    line_no = ExpressionWrapper(
        Window(RowNumber(), order_by=order) * Value(LINE_NO_STEP) + Value(state.last_line_no),
        output_field=BigIntegerField(),
    )
    return insert_select(
        SegmentLine,
        rows.order_by(contact),
        {
            "segment": Value(segment.pk),
            "line_no": line_no,
            "contact": contact,
            "added_by": Value(action.pk),
        },
        keep_order=True,
    )


def remove(lines: QuerySet, action: CriteriaAction) -> int:
    """Snapshot ``lines`` into RemovedLine (one INSERT ... SELECT), then delete them."""
    snapshot = {name: name for name in LINE_FIELDS}
    snapshot["removed_by"] = Value(action.pk)
    insert_select(RemovedLine, lines, snapshot)
    return delete_rows(lines)


def finish(action: CriteriaAction, *, added: int = 0, removed: int = 0) -> CriteriaAction:
    """Store how many lines the step added and removed."""
    action.added, action.removed = added, removed
    CriteriaAction.objects.filter(pk=action.pk).update(added=added, removed=removed)
    return action


def segment_no(line: SegmentLine) -> str:
    """The number of the line's segment, for errors, without loading it if not loaded."""
    if "segment" in line._state.fields_cache:
        return line.segment.no
    return Segment.objects.filter(pk=line.segment_id).values_list("no", flat=True).first() or ""
