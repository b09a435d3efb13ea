"""Building a segment (SPEC 4.1): create, add / reduce / refine, go back, preview, reuse.

Every operation is one transaction whose number of queries does not depend on how many
contacts match: adding is one ``INSERT ... SELECT`` numbering lines with ``ROW_NUMBER()``;
removing is one snapshot ``INSERT ... SELECT`` into RemovedLine plus one ``DELETE``.
"""

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import (
    BigIntegerField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from crm.choices import ContactType
from crm.models import Contact, MailingGroup, Salesperson, next_code
from crm.spreadsheets import safe_row
from interactions.models import InteractionLogEntry, LoggedSegment

from ..criteria import ACTION_OPTIONS, Criteria, describe, parse_criteria
from ..exceptions import SegmentError
from ..locks import ensure_free, select_segment
from ..models import (
    LINE_NO_STEP,
    ActionOptions,
    CriteriaAction,
    CriteriaActionType,
    LineValues,
    RemovedLine,
    SavedCriteria,
    SavedCriteriaAction,
    Segment,
    SegmentLine,
)
from ..sql import delete_rows, insert_select

__all__ = [
    "LINE_ORDER",
    "Preview",
    "add_contacts",
    "add_line",
    "apply_mailing_group",
    "create_segment",
    "export_contacts",
    "go_back",
    "mailing_group_assignment_count",
    "preview",
    "reduce_contacts",
    "refine_contacts",
    "remove_line",
    "reset_line_value",
    "reuse_criteria",
    "reuse_logged_segment",
    "save_criteria",
    "set_line_values",
]

#: The order new lines get their numbers in: company name, company no., companies
#: before persons ("company" < "person"), name; the pk makes it total.
LINE_ORDER = ("company_name", "company__no", "type", "name", "pk")

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

SAMPLE_SIZE = 20
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_.\-]*$")


@dataclass(frozen=True)
class Preview:
    """What an action would do: lines added and removed, and up to 20 of those contacts."""

    added: int
    removed: int
    sample: list[Contact] = field(default_factory=list)
    description: str = ""
    #: The description as the dialog shows it: country and choice names, not codes.
    shown: str = ""


# --- helpers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _State:
    last_seq: int
    last_line_no: int


def _lock(segment: Segment) -> _State:
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
    return _State(last_seq=last_seq or 0, last_line_no=last_line_no or 0)


def _options(action: str, given: Mapping[str, Any]) -> dict[str, bool]:
    allowed = ACTION_OPTIONS[CriteriaActionType(action)]
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        raise SegmentError(
            _("%(action)s has no option %(options)s; its options are: %(allowed)s.")
            % {
                "action": CriteriaActionType(action).label,
                "options": ", ".join(unknown),
                "allowed": ", ".join(allowed),
            },
            code="unknown_option",
        )
    return {name: bool(given.get(name, False)) for name in allowed}


def _action_type(action) -> str:
    try:
        return CriteriaActionType(action).value
    except ValueError:
        raise SegmentError(
            _('Unknown action "%(action)s"; choose add, reduce or refine.') % {"action": action},
            code="unknown_action",
        ) from None


def _record(
    segment: Segment,
    state: _State,
    action: str,
    data: dict,
    options: Mapping[str, bool],
    *,
    user,
    manual: bool = False,
) -> CriteriaAction:
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


def _candidates(segment: Segment, matching: QuerySet, options: Mapping[str, bool]) -> QuerySet:
    """The contacts an add action appends, as one query over the contacts table."""
    contacts = matching
    if options.get("expand_companies") or options.get("allow_related_companies"):
        if options.get("expand_companies"):
            # A company's own company is itself, so this brings the company and every
            # person of it, whether the candidate was the company or one of its persons.
            wanted = Q(company__in=matching.filter(company__isnull=False).values("company")) | Q(
                pk__in=matching.filter(company__isnull=True).values("pk")
            )
        else:
            wanted = Q(pk__in=matching.values("pk"))
        if options.get("allow_related_companies"):
            wanted |= Q(
                pk__in=matching.filter(type=ContactType.PERSON, company__isnull=False).values(
                    "company"
                )
            )
        contacts = Contact.objects.filter(wanted)
    if not options.get("ignore_exclusion"):
        contacts = contacts.filter(exclude_from_segment=False)
    if not options.get("allow_existing"):
        contacts = contacts.exclude(
            Exists(SegmentLine.objects.filter(segment=segment, contact=OuterRef("pk")))
        )
    return contacts


def _append(segment: Segment, state: _State, rows: QuerySet, contact: str, order, action) -> int:
    """Append one line per row of ``rows``, numbered in ``order`` after the last line."""
    line_no = ExpressionWrapper(
        Window(RowNumber(), order_by=order) * Value(LINE_NO_STEP) + Value(state.last_line_no),
        output_field=BigIntegerField(),
    )
    return insert_select(
        SegmentLine,
        rows,
        {
            "segment": Value(segment.pk),
            "line_no": line_no,
            "contact": contact,
            "added_by": Value(action.pk),
        },
    )


def _contact_order(prefix: str = "") -> list:
    return [F(f"{prefix}{name}").asc() for name in LINE_ORDER]


def _matching_lines(matching: QuerySet, entire_companies: bool) -> Exists | Q:
    """A condition on segment lines: the line's contact matches (or its company does).

    ``EXISTS`` rather than ``IN``: negated for refine, PostgreSQL plans ``NOT EXISTS`` as
    an anti-join, while ``NOT IN`` over a large subquery rescans it for every line.
    """
    if not entire_companies:
        return Exists(matching.filter(pk=OuterRef("contact")))
    return Exists(
        matching.filter(company__isnull=False, company=OuterRef("contact__company"))
    ) | Exists(matching.filter(company__isnull=True, pk=OuterRef("contact")))


def _remove(lines: QuerySet, action: CriteriaAction) -> int:
    """Snapshot ``lines`` into RemovedLine (one INSERT ... SELECT), then delete them."""
    snapshot = {name: name for name in LINE_FIELDS}
    snapshot["removed_by"] = Value(action.pk)
    insert_select(RemovedLine, lines, snapshot)
    return delete_rows(lines)


def _finish(action: CriteriaAction, *, added: int = 0, removed: int = 0) -> CriteriaAction:
    action.added, action.removed = added, removed
    CriteriaAction.objects.filter(pk=action.pk).update(added=added, removed=removed)
    return action


# --- the services ------------------------------------------------------------------------


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
    return segment


@transaction.atomic
def add_contacts(
    segment: Segment,
    *,
    criteria: Criteria,
    allow_existing: bool = False,
    expand_companies: bool = False,
    allow_related_companies: bool = False,
    ignore_exclusion: bool = False,
    user,
) -> CriteriaAction:
    """Append a line for every contact matching ``criteria`` (SPEC 4.1 options)."""
    parsed = parse_criteria(criteria)
    options = {
        "allow_existing": allow_existing,
        "expand_companies": expand_companies,
        "allow_related_companies": allow_related_companies,
        "ignore_exclusion": ignore_exclusion,
    }
    state = _lock(segment)
    action = _record(segment, state, CriteriaActionType.ADD, parsed.data, options, user=user)
    rows = _candidates(segment, parsed.contacts, options)
    added = _append(segment, state, rows, "pk", _contact_order(), action)
    return _finish(action, added=added)


@transaction.atomic
def reduce_contacts(
    segment: Segment, *, criteria: Criteria, entire_companies: bool = False, user
) -> CriteriaAction:
    """Delete every line whose contact matches (or, with entire companies, its company)."""
    parsed = parse_criteria(criteria)
    options = {"entire_companies": entire_companies}
    state = _lock(segment)
    action = _record(segment, state, CriteriaActionType.REDUCE, parsed.data, options, user=user)
    lines = segment.lines.filter(_matching_lines(parsed.contacts, entire_companies))
    return _finish(action, removed=_remove(lines, action))


@transaction.atomic
def refine_contacts(
    segment: Segment, *, criteria: Criteria, entire_companies: bool = False, user
) -> CriteriaAction:
    """Keep only the lines whose contact matches (or its company does); delete the rest."""
    parsed = parse_criteria(criteria)
    options = {"entire_companies": entire_companies}
    state = _lock(segment)
    action = _record(segment, state, CriteriaActionType.REFINE, parsed.data, options, user=user)
    lines = segment.lines.filter(~_matching_lines(parsed.contacts, entire_companies))
    return _finish(action, removed=_remove(lines, action))


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
    state = _lock(segment)
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
                    "field": _field_label(SegmentLine, name),
                    "error": " ".join(messages),
                }
                for name, messages in error.message_dict.items()
            ],
            code="invalid_line",
        ) from None
    # The line is added whatever its contact (excluded, already on the segment), but the
    # action is stored with every option off (SPEC 4.1): replaying saved criteria must
    # never re-add a contact since excluded from segments, nor add it twice.
    action = _record(
        segment,
        state,
        CriteriaActionType.ADD,
        {"contact": {"no": [contact.no]}},
        _options(CriteriaActionType.ADD, {}),
        user=user,
        manual=True,
    )
    line.added_by = action
    line.save(force_insert=True)
    _finish(action, added=1)
    return line


@transaction.atomic
def remove_line(line: SegmentLine, *, user) -> CriteriaAction:
    """Remove one line by hand, recorded as a reduce action so that go back restores it."""
    segment = line.segment
    state = _lock(segment)
    contact_no = Contact.objects.filter(pk=line.contact_id).values_list("no", flat=True).first()
    action = _record(
        segment,
        state,
        CriteriaActionType.REDUCE,
        {"contact": {"no": [contact_no]}},
        _options(CriteriaActionType.REDUCE, {}),
        user=user,
        manual=True,
    )
    removed = _remove(SegmentLine.objects.filter(pk=line.pk, segment=segment), action)
    if not removed:
        raise SegmentError(
            _("Line %(line_no)s is no longer on segment %(no)s.")
            % {"line_no": line.line_no, "no": segment.no},
            code="line_missing",
        )
    return _finish(action, removed=removed)


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
    segment = Segment(pk=line.segment_id, no=_segment_no(line))
    _lock(segment)
    updated = SegmentLine.objects.filter(pk=line.pk, segment_id=line.segment_id).update(**values)
    if not updated:
        raise SegmentError(
            _("Line %(line_no)s is no longer on segment %(no)s.")
            % {"line_no": line.line_no, "no": segment.no},
            code="line_missing",
        )
    for name, value in values.items():
        setattr(line, name, value)
    return line


def reset_line_value(line: SegmentLine, *, field: str, user) -> SegmentLine:
    """Clear one override: the line inherits the value again."""
    if field not in OVERRIDE_FIELDS:
        return set_line_values(line, user=user, **{field: None})  # refused: unknown field
    blank = None if SegmentLine._meta.get_field(field).null else ""
    return set_line_values(line, user=user, **{field: blank})


def _segment_no(line: SegmentLine) -> str:
    if "segment" in line._state.fields_cache:
        return line.segment.no
    return Segment.objects.filter(pk=line.segment_id).values_list("no", flat=True).first() or ""


@transaction.atomic
def go_back(segment: Segment, *, user) -> CriteriaAction:
    """Undo the latest action exactly; returns it (no longer saved).

    The lines it added go; the lines it removed come back with their overrides, line
    numbers and ``added_by``. Actions are undone latest first, so a restored number is
    always free again.
    """
    state = _lock(segment)
    action = segment.actions.filter(seq=state.last_seq).first()
    if action is None:
        raise SegmentError(
            _("Segment %(no)s has no action to go back from.") % {"no": segment.no},
            code="nothing_to_undo",
        )
    delete_rows(segment.lines.filter(added_by=action))
    insert_select(
        SegmentLine,
        RemovedLine.objects.filter(removed_by=action),
        {name: name for name in LINE_FIELDS},
    )
    delete_rows(RemovedLine.objects.filter(removed_by=action))
    delete_rows(CriteriaAction.objects.filter(pk=action.pk))
    return action


def preview(segment: Segment, *, action: str, criteria: Criteria, **options) -> Preview:
    """What ``action`` would do to the segment now, changing nothing."""
    action = _action_type(action)
    options = _options(action, options)
    parsed = parse_criteria(criteria)
    description = describe(action, parsed.data, options)
    shown = describe(action, parsed.data, options, names=True)
    if action == CriteriaActionType.ADD:
        rows = _candidates(segment, parsed.contacts, options)
        return Preview(
            added=rows.count(),
            removed=0,
            sample=list(rows.order_by(*LINE_ORDER)[:SAMPLE_SIZE]),
            description=description,
            shown=shown,
        )
    condition = _matching_lines(parsed.contacts, options["entire_companies"])
    if action == CriteriaActionType.REFINE:
        condition = ~condition
    lines = segment.lines.filter(condition)
    sample_lines = lines.order_by("line_no").values("contact")[:SAMPLE_SIZE]
    contacts = Contact.objects.filter(pk__in=sample_lines).order_by(*LINE_ORDER)
    return Preview(
        added=0,
        removed=lines.count(),
        sample=list(contacts),
        description=description,
        shown=shown,
    )


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
    insert_select(
        SavedCriteriaAction,
        segment.actions.all(),
        {"saved": Value(saved.pk), **{name: name for name in copied}},
    )
    return saved


@transaction.atomic
def reuse_criteria(segment: Segment, *, saved: SavedCriteria | str, user) -> list[CriteriaAction]:
    """Replay saved criteria: each saved action becomes a new action with its options."""
    if isinstance(saved, str):
        found = SavedCriteria.objects.filter(code=saved.strip().upper()).first()
        if found is None:
            raise SegmentError(
                _("Saved criteria %(code)s do not exist.") % {"code": saved},
                code="saved_criteria_missing",
            )
        saved = found
    steps = list(saved.actions.order_by("seq"))
    if not steps:
        raise SegmentError(
            _("Saved criteria %(code)s have no actions.") % {"code": saved.code},
            code="no_actions",
        )
    done = []
    for step in steps:
        if step.action == CriteriaActionType.ADD:
            done.append(
                add_contacts(
                    segment,
                    criteria=step.criteria,
                    allow_existing=step.allow_existing,
                    expand_companies=step.expand_companies,
                    allow_related_companies=step.allow_related_companies,
                    ignore_exclusion=step.ignore_exclusion,
                    user=user,
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
    return done


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
    # the segment: the point is to reach the same contacts again.
    options = _options(CriteriaActionType.ADD, {"allow_existing": True, "ignore_exclusion": True})
    state = _lock(segment)
    action = _record(segment, state, CriteriaActionType.ADD, data, options, user=user)
    entries = InteractionLogEntry.objects.filter(logged_segment=logged)
    if skip_canceled:
        entries = entries.filter(canceled=False)
    order = [*_contact_order("contact__"), F("entry_no").asc()]
    added = _append(segment, state, entries, "contact", order, action)
    return _finish(action, added=added)


def _mailing_group(mailing_group: MailingGroup | str) -> MailingGroup:
    if isinstance(mailing_group, MailingGroup):
        return mailing_group
    found = MailingGroup.objects.filter(code=str(mailing_group).strip().upper()).first()
    if found is None:
        raise SegmentError(
            _("Mailing group %(code)s does not exist.") % {"code": mailing_group},
            code="mailing_group_missing",
        )
    return found


def mailing_group_assignment_count(mailing_group: MailingGroup | str) -> int:
    """How many contacts are in the group: what *delete old assignments* would remove."""
    group = _mailing_group(mailing_group)
    return Contact.mailing_groups.through.objects.filter(mailinggroup=group).count()


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
    group = _mailing_group(mailing_group)
    _lock(segment)
    membership = Contact.mailing_groups.through
    if delete_old_assignments:
        delete_rows(membership.objects.filter(mailinggroup=group))
    contacts = Contact.objects.filter(
        Exists(SegmentLine.objects.filter(segment=segment, contact=OuterRef("pk")))
    ).exclude(Exists(membership.objects.filter(mailinggroup=group, contact=OuterRef("pk"))))
    return insert_select(membership, contacts, {"contact": "pk", "mailinggroup": Value(group.pk)})


#: The columns of the export, in order: (heading field, path from the line).
EXPORT_COLUMNS = (
    ("line_no", "line_no"),
    ("no", "contact__no"),
    ("type", "contact__type"),
    ("name", "contact__name"),
    ("company", "contact__company__no"),
    ("company_name", "contact__company_name"),
    ("first_name", "contact__first_name"),
    ("middle_name", "contact__middle_name"),
    ("surname", "contact__surname"),
    ("job_title", "contact__job_title"),
    ("address", "contact__address"),
    ("address_2", "contact__address_2"),
    ("post_code", "contact__post_code"),
    ("city", "contact__city"),
    ("county", "contact__county"),
    ("country", "contact__country"),
    ("phone", "contact__phone"),
    ("mobile_phone", "contact__mobile_phone"),
    ("email", "contact__email"),
    ("language", "contact__language"),
    ("correspondence_type", "contact__correspondence_type"),
)


def export_contacts(segment: Segment, stream: IO[str]) -> int:
    """Write the segment as CSV to a text stream, one row per line; returns the rows.

    Rows are streamed from the database in chunks, so memory stays flat.
    """
    writer = csv.writer(stream)
    writer.writerow(
        [
            _field_label(SegmentLine if name == "line_no" else Contact, name)
            for name, _path in EXPORT_COLUMNS
        ]
    )
    rows = (
        SegmentLine.objects.filter(segment=segment)
        .order_by("line_no")
        .values_list(*(path for _name, path in EXPORT_COLUMNS))
    )
    count = 0
    for row in rows.iterator(chunk_size=2000):
        writer.writerow(safe_row(row))
        count += 1
    return count


def _field_label(model, name: str) -> str:
    try:
        return str(capfirst(model._meta.get_field(name).verbose_name))
    except FieldDoesNotExist:
        return name
