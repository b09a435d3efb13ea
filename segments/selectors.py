"""Reads for the segment pages: a bounded number of queries whatever a segment's size.

Views show what these return; nothing here writes. Effective values come from
``SegmentLine.objects.with_effective_values()`` (SPEC 4.2), never from Python.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import CharField, Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Cast, Coalesce
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from audit.models import AuditEntry
from crm.models import Contact, MailingGroup, Salesperson
from interactions.models import Campaign, InteractionTemplate, InteractionTemplateLanguage

from .criteria import Criteria, describe, parse_criteria
from .effective import inherited_number
from .exceptions import SegmentError
from .matching import (
    LEFT_OUT_REASONS,
    LINE_ORDER,
    action_options,
    action_type,
    candidate_pool,
    candidates,
    left_out_conditions,
    matching_lines,
    with_new_line_channel,
)
from .models import CriteriaAction, CriteriaActionType, SavedCriteria, Segment, SegmentLine

#: Lines per page of the worksheet, unless the user chose another of ``PAGE_SIZES``.
LINES_PER_PAGE = 50
PAGE_SIZES = (25, 50, 100, 250)

#: Sortable columns of the segment list: query parameter -> ordering.
SEGMENT_SORTS = {
    "no": "no",
    "description": "description",
    "template": "interaction_template__code",
    "lines": "line_count",
    "actions": "action_count",
    "created_by": "created_by__username",
    "date": "date",
}


def _count(model, **filters):
    """A correlated ``COUNT(*)`` of ``model`` rows of the outer segment (no join fan-out)."""
    return Subquery(
        model.objects.filter(segment=OuterRef("pk"), **filters)
        .order_by()
        .values("segment")
        .annotate(count=Count("pk"))
        .values("count")[:1]
    )


def segment_list(sort: str = "") -> tuple:
    """Segments with their line and action counts, and the ordering actually applied."""
    key = sort.lstrip("-")
    if key not in SEGMENT_SORTS:
        sort, key = "-no", "no"
    ordering = ("-" if sort.startswith("-") else "") + SEGMENT_SORTS[key]
    queryset = (
        Segment.objects.select_related("interaction_template", "created_by")
        .annotate(line_count=_count(SegmentLine), action_count=_count(CriteriaAction))
        .order_by(ordering, "-pk")
    )
    return queryset, sort


#: How many segments the home page lists under "My recent segments".
RECENT_SEGMENTS = 5


def recent_segments(user, limit: int = RECENT_SEGMENTS) -> QuerySet:
    """The segments ``user`` created or changed, most recently touched first (one query).

    The audit trail says who changed a segment and when; ``touched_at`` is the user's
    latest change, or the creation for a segment they created and never changed.
    """
    mine = (
        AuditEntry.objects.filter(
            user=user,
            content_type=ContentType.objects.get_for_model(Segment),
            object_id=Cast(OuterRef("pk"), CharField()),
        )
        .order_by("-at")
        .values("at")[:1]
    )
    return (
        Segment.objects.annotate(changed_at=Subquery(mine))
        .filter(Q(created_by=user) | Q(changed_at__isnull=False))
        .annotate(touched_at=Coalesce("changed_at", "created_at"))
        .select_related("interaction_template")
        .order_by("-touched_at", "-pk")[:limit]
    )


def saved_criteria_list():
    return (
        SavedCriteria.objects.select_related("created_by")
        .annotate(action_count=Count("actions"))
        .order_by("code")
    )


class CountedPaginator(Paginator):
    """A paginator told its total, so the page does not count the lines a second time."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = count

    @cached_property
    def count(self):
        return self._known_count


@dataclass(frozen=True)
class Totals:
    lines: int
    cost: Decimal
    duration: Decimal


def segment_totals(segment: Segment) -> Totals:
    """Lines, total effective cost and duration: one aggregate query.

    The sums use the very expressions ``with_effective_values()`` annotates cost and
    duration with, but only the joins those two need: the full annotation also joins
    every line's contact and template versions, which triples the time on big segments.
    """
    cost_field = SegmentLine._meta.get_field("cost")
    duration_field = SegmentLine._meta.get_field("duration")
    totals = (
        SegmentLine.objects.filter(segment=segment)
        .order_by()
        .aggregate(
            lines=Count("pk"),
            cost=Sum(inherited_number("cost", "unit_cost", "unit_cost", cost_field)),
            duration=Sum(
                inherited_number("duration", "unit_duration", "unit_duration", duration_field)
            ),
        )
    )
    return Totals(
        lines=totals["lines"] or 0,
        cost=totals["cost"] or Decimal(0),
        duration=totals["duration"] or Decimal(0),
    )


def worksheet_lines(segment: Segment):
    """The segment's lines with their effective values and the names the table shows."""
    return (
        SegmentLine.objects.filter(segment=segment)
        .with_effective_values()
        .select_related("contact")
        .annotate(
            effective_template_code=Subquery(
                InteractionTemplate.objects.filter(pk=OuterRef("effective_template"))
                .order_by()
                .values("code")[:1]
            ),
            effective_salesperson_name=Subquery(
                Salesperson.objects.filter(pk=OuterRef("effective_salesperson"))
                .order_by()
                .values("name")[:1]
            ),
            effective_campaign_no=Subquery(
                Campaign.objects.filter(pk=OuterRef("effective_campaign"))
                .order_by()
                .values("no")[:1]
            ),
        )
        .order_by("line_no")
    )


def worksheet_line(segment: Segment, pk: int) -> SegmentLine | None:
    """One line of the worksheet as the table shows it, or None when it is gone."""
    return worksheet_lines(segment).filter(pk=pk).first()


#: The largest line no. (a 64-bit integer): a larger ``?line=`` shows the first page.
LARGEST_LINE_NO = 2**63 - 1


def page_of_line(segment: Segment, line_no: int, per_page: int = LINES_PER_PAGE) -> int:
    """The worksheet page that shows line ``line_no``."""
    return (line_position(segment, line_no) - 1) // per_page + 1


def line_position(segment: Segment, line_no: int) -> int:
    """Where line ``line_no`` stands in the worksheet's order: 1, 2, 3... (one query)."""
    return SegmentLine.objects.filter(segment=segment, line_no__lt=line_no).count() + 1


def inherited_values(segment: Segment) -> dict:
    """What a blank header field falls back to: the segment template's values."""
    template = segment.interaction_template
    if template is None:
        return {}
    language = segment.language or template.default_language
    subject = (
        InteractionTemplateLanguage.objects.filter(template=template, language=language)
        .order_by()
        .values_list("subject", flat=True)
        .first()
    )
    return {
        "description": template.description,
        "language": template.default_language,
        "subject": subject or segment.description or template.description,
        "correspondence_type": template.get_correspondence_type_display(),
        "ignore_contact_correspondence_type": template.ignore_contact_correspondence_type,
        "unit_cost": template.unit_cost,
        "unit_duration": template.unit_duration,
        "information_flow": template.get_information_flow_display(),
        "initiated_by": template.get_initiated_by_display(),
        "campaign": template.campaign.no if template.campaign_id else "",
    }


def letter_documents(segment: Segment) -> list[dict]:
    """Each language the segment's letters can be in, with the document used for it.

    The segment's own edited copy wins over the template's document in that language.
    """
    template = segment.interaction_template
    documents = {}
    if template is not None:
        for row in (
            InteractionTemplateLanguage.objects.filter(template=template)
            .exclude(document="")
            .order_by("language")
            .values("language", "document")
        ):
            documents[row["language"]] = {"source": "template", **row}
    for row in segment.languages.exclude(document="").order_by().values("language", "document"):
        documents[row["language"]] = {"source": "segment", **row}
    return [documents[language] for language in sorted(documents)]


# --- what a criteria action would do, and lookups by code (SPEC 4.1) ---------------------

#: How many of the contacts an action would add or remove the preview lists.
SAMPLE_SIZE = 20


@dataclass(frozen=True)
class Preview:
    """What an action would do: lines added and removed, and up to 20 of those contacts."""

    added: int
    removed: int
    sample: list[Contact] = field(default_factory=list)
    description: str = ""
    #: The description as the dialog shows it: country and choice names, not codes.
    shown: str = ""
    #: How many matching contacts the action leaves out, per reason (SPEC 9): keys
    #: ``excluded``, ``privacy_blocked`` and ``already_on_segment``, and ``opted_out``
    #: only when the add leaves out opted-out contacts.
    left_out: dict = field(default_factory=lambda: dict.fromkeys(LEFT_OUT_REASONS, 0))

    @property
    def left_out_total(self) -> int:
        return sum(self.left_out.values())

    @property
    def left_out_shown(self) -> str:
        """ "22 left out: 18 excluded, 4 privacy blocked", or "" when none is left out."""
        if not self.left_out_total:
            return ""
        labels = {
            "excluded": _("%(count)s excluded"),
            "privacy_blocked": _("%(count)s privacy blocked"),
            "opted_out": _("%(count)s opted out"),
            "already_on_segment": _("%(count)s already on the segment"),
        }
        reasons = ", ".join(
            labels[reason] % {"count": self.left_out[reason]}
            for reason in labels
            if self.left_out.get(reason)
        )
        return _("%(total)s left out: %(reasons)s") % {
            "total": self.left_out_total,
            "reasons": reasons,
        }


def preview(segment: Segment, *, action: str, criteria: Criteria, **options) -> Preview:
    """What ``action`` would do to the segment now, changing nothing."""
    action = action_type(action)
    options = action_options(action, options)
    parsed = parse_criteria(criteria)
    description = describe(action, parsed.data, options)
    shown = describe(action, parsed.data, options, names=True)
    if action == CriteriaActionType.ADD:
        rows = candidates(segment, parsed.contacts, options)
        # One aggregate over the pool: how many it holds and how many are left out, and
        # why. The reasons exclude one another and a contact left out for none is added,
        # so the added count is the rest: the "already on the segment" test (a lookup in
        # the segment's lines per contact) runs once per contact, not twice.
        conditions = left_out_conditions(segment, options)
        pool = with_new_line_channel(segment, candidate_pool(parsed.contacts, options), options)
        counts = pool.aggregate(
            _pool=Count("pk"),
            **{f"_{reason}": Count("pk", filter=q) for reason, q in conditions.items()},
        )
        left_out = {reason: counts[f"_{reason}"] for reason in conditions}
        added = counts["_pool"] - sum(left_out.values())
        # Nothing to show, nothing to look for: looking would walk the whole pool.
        sample = list(rows.order_by(*LINE_ORDER)[:SAMPLE_SIZE]) if added else []
        return Preview(
            added=added,
            left_out=left_out,
            removed=0,
            sample=sample,
            description=description,
            shown=shown,
        )
    condition = matching_lines(parsed.contacts, options["entire_companies"])
    if action == CriteriaActionType.REFINE:
        condition = ~condition
    lines = segment.lines.filter(condition)
    # Any 20 of them: the first in contact order, found on the (segment, contact) index
    # the count walks too. In line order (by company) the lines a criterion removes
    # cluster, and finding 20 could walk most of a large segment.
    # Counted first: with nothing to remove, looking for a sample would walk every line.
    removed = lines.count()
    sample_lines = lines.order_by("contact").values("contact")[:SAMPLE_SIZE]
    contacts = Contact.objects.filter(pk__in=sample_lines).order_by(*LINE_ORDER)
    return Preview(
        added=0,
        removed=removed,
        sample=list(contacts) if removed else [],
        description=description,
        shown=shown,
    )


def saved_criteria_by_code(saved: SavedCriteria | str) -> SavedCriteria:
    """``saved`` itself, or the saved criteria with that code; a clear error if none."""
    if not isinstance(saved, str):
        return saved
    found = SavedCriteria.objects.filter(code=saved.strip().upper()).first()
    if found is None:
        raise SegmentError(
            _("Saved criteria %(code)s do not exist.") % {"code": saved},
            code="saved_criteria_missing",
        )
    return found


def mailing_group_by_code(mailing_group: MailingGroup | str) -> MailingGroup:
    """``mailing_group`` itself, or the mailing group with that code; a clear error if none."""
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
    group = mailing_group_by_code(mailing_group)
    return Contact.mailing_groups.through.objects.filter(mailinggroup=group).count()
