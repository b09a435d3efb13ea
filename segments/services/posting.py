"""Logging a segment into the ledger (SPEC 4.4) and the follow-up segment.

Logging is posting a worksheet into a journal: check every line first and report every
problem at once; then, in one transaction, write the logged segment, one campaign entry per
campaign its lines carry (SPEC 8), one interaction log entry per line with one
``INSERT ... SELECT`` (effective values and merge data computed by the database; the merge
data only what the entry's letter can use), and delete the segment. The number of queries
does not depend on the number of lines.
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, models, transaction
from django.db.models import Case, Count, Exists, F, Max, OuterRef, Q, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy

import audit
from crm.models import Contact, Salesperson
from interactions import posting as rules
from interactions.models import (
    Campaign,
    CampaignEntry,
    InteractionLogEntry,
    InteractionTemplate,
    LoggedSegment,
)
from interactions.services import summarize_entries

from ..effective import (
    annotate_campaign_values,
    annotate_effective_values,
    overridden_sources,
    plain_values,
)
from ..exceptions import LoggingError
from ..locks import already_logged, ensure_free, select_segment
from ..merge import snapshot_values
from ..models import (
    FOLLOW_UP_DESCRIPTION,
    CriteriaAction,
    Segment,
    SegmentLine,
)
from ..sql import insert_select
from .consent import consent_conditions
from .saved_criteria import reuse_logged_segment
from .segments import create_segment, delete_segment_rows

__all__ = [
    "LoggingProblem",
    "create_follow_up_segment",
    "follow_up_header",
    "log_segment",
    "segment_problems",
    "validate_segment",
]

#: How many line numbers a problem lists before it says "and N more".
LISTED_LINES = 10


@dataclass(frozen=True)
class LoggingProblem:
    """One kind of problem that stops a segment from being logged, with its lines."""

    code: str
    message: str
    count: int = 0
    line_nos: tuple[int, ...] = field(default=())


# Problem code -> message; %(lines)s lists the line numbers.
LINE_PROBLEMS = {
    "missing_contact": ngettext_lazy(
        "%(count)d line has a contact that no longer exists (line %(lines)s)",
        "%(count)d lines have a contact that no longer exists (lines %(lines)s)",
        "count",
    ),
    "no_template": ngettext_lazy(
        "%(count)d line has no interaction template (line %(lines)s)",
        "%(count)d lines have no interaction template (lines %(lines)s)",
        "count",
    ),
    "missing_template": ngettext_lazy(
        "%(count)d line has an interaction template that no longer exists (line %(lines)s)",
        "%(count)d lines have an interaction template that no longer exists (lines %(lines)s)",
        "count",
    ),
    "no_date": ngettext_lazy(
        "%(count)d line has no date (line %(lines)s)",
        "%(count)d lines have no date (lines %(lines)s)",
        "count",
    ),
    "no_salesperson": ngettext_lazy(
        "%(count)d line has no salesperson (line %(lines)s)",
        "%(count)d lines have no salesperson (lines %(lines)s)",
        "count",
    ),
    "blocked_salesperson": ngettext_lazy(
        "%(count)d line has a blocked salesperson (line %(lines)s)",
        "%(count)d lines have a blocked salesperson (lines %(lines)s)",
        "count",
    ),
    "no_email": ngettext_lazy(
        "%(count)d email line's contact has no email address (line %(lines)s)",
        "%(count)d email lines' contacts have no email address (lines %(lines)s)",
        "count",
    ),
    # Consent (SPEC 9): the page offers to remove these lines in one step.
    "privacy_blocked": ngettext_lazy(
        "%(count)d line's contact is privacy blocked (line %(lines)s)",
        "%(count)d lines' contacts are privacy blocked (lines %(lines)s)",
        "count",
    ),
    "opted_out": ngettext_lazy(
        "%(count)d line's contact opted out of the line's channel (line %(lines)s)",
        "%(count)d lines' contacts opted out of the line's channel (lines %(lines)s)",
        "count",
    ),
    "no_letter": ngettext_lazy(
        "%(count)d line to deliver has no letter: no document for its language on the line, "
        "the segment or the interaction template (line %(lines)s)",
        "%(count)d lines to deliver have no letter: no document for their language on the "
        "line, the segment or the interaction template (lines %(lines)s)",
        "count",
    ),
}


def _line_conditions(*, deliver: bool) -> dict:
    """Problem code -> condition over lines annotated with their effective values.

    Conditions follow joins rather than ``Exists(... OuterRef("effective_..."))``: inside
    an aggregate's filter Django would not resolve an outer reference to an annotation.
    """
    conditions = rules.problem_conditions(contact="contact__", deliver=deliver)
    # A row deleted behind the ORM's back: the id is set, the joined row is missing.
    conditions["missing_template"] = Q(
        interaction_template__isnull=False, interaction_template__code__isnull=True
    ) | Q(
        interaction_template__isnull=True,
        segment__interaction_template__isnull=False,
        segment__interaction_template__code__isnull=True,
    )
    conditions["blocked_salesperson"] = (
        Q(salesperson__blocked=True)
        | Q(salesperson__isnull=True, segment__salesperson__blocked=True)
        | Q(
            salesperson__isnull=True,
            segment__salesperson__isnull=True,
            contact__salesperson__blocked=True,
        )
    )
    conditions.update(consent_conditions())
    return conditions


def segment_problems(
    segment: Segment, *, deliver: bool = False, sources=None
) -> list[LoggingProblem]:
    """Every problem that stops ``segment`` from being logged, by kind, with line numbers.

    A bounded number of aggregate queries: two (three without the lines' ``sources``,
    ``overridden_sources``), plus one per kind of problem found.
    """
    problems = []
    if not segment.description.strip():
        problems.append(LoggingProblem("no_description", _("its description is blank")))
    lines = SegmentLine.objects.filter(segment=segment).order_by()
    # A contact deleted behind the ORM's back drops out of any join, so count it join-free.
    missing_contact = ~Exists(Contact.objects.filter(pk=OuterRef("contact_id")))
    totals = lines.aggregate(lines=Count("pk"), missing_contact=Count("pk", filter=missing_contact))
    if not totals["lines"]:
        problems.append(LoggingProblem("no_lines", _("it has no lines")))
        return problems
    conditions = _line_conditions(deliver=deliver)
    sources = sources or overridden_sources(lines)
    # Only delivery checks a value that depends on the language (the letter): without it,
    # the lines are read without the per-language joins.
    if deliver:
        effective = annotate_effective_values(lines, sources)
    else:
        effective = lines.annotate(**plain_values(sources))
    counts = effective.aggregate(
        **{code: Count("pk", filter=condition) for code, condition in conditions.items()}
    )
    counts["missing_contact"] = totals["missing_contact"]
    conditions["missing_contact"] = missing_contact
    for code, message in LINE_PROBLEMS.items():
        count = counts.get(code) or 0
        if not count:
            continue
        source = lines if code == "missing_contact" else effective
        line_nos = tuple(
            source.filter(conditions[code])
            .order_by("line_no")
            .values_list("line_no", flat=True)[:LISTED_LINES]
        )
        listed = ", ".join(str(line_no) for line_no in line_nos)
        if count > len(line_nos):
            listed += " " + _("and %(more)d more") % {"more": count - len(line_nos)}
        text = str(message % {"count": count, "lines": listed})
        problems.append(LoggingProblem(code, text, count, line_nos))
    return problems


def _cannot_log(segment: Segment, problems: list[LoggingProblem]) -> LoggingError:
    message = _("Segment %(no)s cannot be logged: %(problems)s.") % {
        "no": segment.no,
        "problems": "; ".join(problem.message for problem in problems),
    }
    error = LoggingError(message, code="cannot_log")
    error.problems = problems
    return error


def validate_segment(segment: Segment, *, deliver: bool = False, sources=None) -> None:
    """Raise a LoggingError listing every problem when ``segment`` cannot be logged."""
    problems = segment_problems(segment, deliver=deliver, sources=sources)
    if problems:
        raise _cannot_log(segment, problems)


def _entry_columns(
    segment: Segment, logged: LoggedSegment, *, user, deliver: bool, campaign_entries: dict
) -> dict:
    """Entry column -> expression over lines annotated with effective values and merge data."""
    return rules.entry_columns(
        contact="contact__",
        logged_segment=logged.pk,
        segment_no=segment.no,
        evaluation=F("evaluation"),
        attempt_failed=False,
        user=user,
        deliver=deliver,
        campaign_entry=_campaign_entry_of(campaign_entries),
    )


def _create_campaign_entries(segment: Segment, logged: LoggedSegment, *, user, sources) -> dict:
    """One campaign entry per campaign the segment's lines carry (SPEC 8): campaign id ->
    campaign entry id. Two queries whatever the number of lines: the distinct effective
    campaigns, then one insert of their (few) entries."""
    lines = annotate_campaign_values(
        SegmentLine.objects.filter(segment=segment).order_by(), sources
    )
    campaigns = sorted(
        lines.filter(effective_campaign__isnull=False)
        .values_list("effective_campaign", flat=True)
        .distinct()
    )
    if not campaigns:
        return {}
    entries = CampaignEntry.objects.bulk_create(
        CampaignEntry(
            campaign_id=campaign,
            logged_segment=logged,
            segment_no=segment.no,
            description=segment.description,
            date=segment.date,
            created_by=user,
        )
        for campaign in campaigns
    )
    return {entry.campaign_id: entry.pk for entry in entries}


def _campaign_entry_of(campaign_entries: dict):
    """The campaign entry of a line's effective campaign: a CASE over the few campaigns."""
    if not campaign_entries:
        return Value(None, output_field=models.BigIntegerField())
    return Case(
        *(
            When(effective_campaign=campaign, then=Value(entry))
            for campaign, entry in campaign_entries.items()
        ),
        default=None,
        output_field=models.BigIntegerField(),
    )


def _criteria_snapshot(segment: Segment) -> list[dict]:
    """The segment's criteria actions as JSON, kept on the logged segment."""
    actions = CriteriaAction.objects.filter(segment=segment).order_by("seq")
    return [
        {**action, "created_at": action["created_at"].isoformat()}
        for action in actions.values(
            "seq",
            "action",
            "criteria",
            "description",
            "allow_existing",
            "expand_companies",
            "allow_related_companies",
            "ignore_exclusion",
            "leave_out_opted_out",
            "entire_companies",
            "added",
            "removed",
            "created_at",
        )
    ]


@transaction.atomic
def log_segment(
    segment: Segment, *, user, deliver: bool = False, create_follow_up: bool = False
) -> LoggedSegment:
    """Log ``segment`` into the ledger and delete it; returns the logged segment.

    With ``deliver``, the entries' letters and emails go out after the commit; with
    ``create_follow_up``, a follow-up segment with the same contacts is made.
    """
    # The row lock serialises concurrent attempts on PostgreSQL (on SQLite the write
    # transaction does); the loser finds the segment gone once the winner commits.
    locked = select_segment(segment)
    if LoggedSegment.objects.filter(segment_no=locked.no).exists():
        raise already_logged(locked.no)
    ensure_free(locked)  # a background job on the segment (another log) locks it
    # The overrides the lines set, read once under the lock: the statements below compute
    # and join only those (an inherited value is computed once per line, not per use).
    sources = overridden_sources(SegmentLine.objects.filter(segment=locked), locked)
    validate_segment(locked, deliver=deliver, sources=sources)
    if deliver:
        # Imported here: delivery belongs to the letters and is only needed on demand.
        from interactions.tasks import deliver_logged_segment
    try:
        with transaction.atomic():
            logged = LoggedSegment.objects.create(
                segment_no=locked.no,
                description=locked.description,
                criteria=_criteria_snapshot(locked),
                send_as_attachment=locked.send_as_attachment,
                created_by=user,
            )
    except IntegrityError:
        # The unique segment number is the last guard against a concurrent second log.
        raise already_logged(locked.no) from None
    campaign_entries = _create_campaign_entries(locked, logged, user=user, sources=sources)
    # Each entry keeps the merge data its letter can use (interactions.merge.snapshot).
    lines = snapshot_values(
        annotate_effective_values(SegmentLine.objects.filter(segment=locked), sources),
        locked,
        deliver=deliver,
        sources=sources,
    )
    # Kept in line order, so that entry numbers follow line numbers.
    entries = insert_select(
        InteractionLogEntry,
        lines.order_by("line_no"),
        _entry_columns(
            locked, logged, user=user, deliver=deliver, campaign_entries=campaign_entries
        ),
        keep_order=True,
    )
    summarize_entries(logged)  # the statistics' summaries, in this transaction
    # One row for the whole log, however many lines: the entries are the ledger's own record.
    audit.record(user, audit.Action.SEGMENT_LOGGED, logged, segment=locked.no, entries=entries)
    delete_segment_rows(locked)
    if create_follow_up:
        create_follow_up_segment(logged, user=user)
    if deliver:
        transaction.on_commit(lambda: deliver_logged_segment.enqueue(logged.pk))
    return logged


@transaction.atomic
def create_follow_up_segment(
    logged: LoggedSegment, *, user, skip_canceled: bool = False
) -> Segment:
    """A new segment "Follow-up on segment <no>" with the logged segment's contacts.

    Like Business Central's *Create follow-up segment*, its header takes the logged
    segment's interaction template, correspondence type, salesperson and campaign (see
    ``follow_up_header``); they stay editable on the new segment.
    """
    header = follow_up_header(logged, skip_canceled=skip_canceled)
    with audit.steps():  # one audit row: the follow-up with its lines
        segment = create_segment(
            user=user,
            description=_(FOLLOW_UP_DESCRIPTION) % {"no": logged.segment_no},
            follow_up_of=logged,
            **header,
        )
        if "salesperson" not in header and segment.salesperson_id is not None:
            # The logged lines had each contact's own salesperson: so has the follow-up,
            # rather than the salesperson of whoever creates it.
            segment.salesperson = None
            segment.save(update_fields=["salesperson"])
        action = reuse_logged_segment(
            segment, logged=logged, skip_canceled=skip_canceled, user=user
        )
    audit.record(
        user,
        audit.Action.FOLLOW_UP_CREATED,
        segment,
        logged_segment=logged.segment_no,
        added=action.added,
    )
    return segment


def follow_up_header(logged: LoggedSegment, *, skip_canceled: bool = False) -> dict:
    """The header values a follow-up of ``logged`` starts with, from its entries: one
    aggregate query.

    A logged segment keeps no header, but its entries carry the values every line had:
    a value all of them share (the segment's header, or a template's value every line
    inherited) is copied; where they differ (each contact's own salesperson, overrides
    on some lines) the follow-up leaves the field blank, so its lines inherit as before.
    Entries without a correspondence type (an email line whose contact had no address)
    do not count against the others' type.
    """
    entries = InteractionLogEntry.objects.filter(logged_segment=logged).order_by()
    if skip_canceled:
        entries = entries.filter(canceled=False)
    typed = ~Q(correspondence_type="")
    found = entries.aggregate(
        templates=Count("template", distinct=True),
        template_value=Max("template"),
        template_missing=Count("pk", filter=Q(template__isnull=True)),
        salespersons=Count("salesperson", distinct=True),
        salesperson_value=Max("salesperson"),
        salesperson_missing=Count("pk", filter=Q(salesperson__isnull=True)),
        campaigns=Count("campaign", distinct=True),
        campaign_value=Max("campaign"),
        campaign_missing=Count("pk", filter=Q(campaign__isnull=True)),
        correspondence_types=Count("correspondence_type", filter=typed, distinct=True),
        correspondence_type_value=Max("correspondence_type", filter=typed),
    )
    header = {}
    for name, field_name, model in (
        ("template", "interaction_template", InteractionTemplate),
        ("salesperson", "salesperson", Salesperson),
        ("campaign", "campaign", Campaign),
    ):
        if found[f"{name}s"] == 1 and not found[f"{name}_missing"]:
            shared = model.objects.filter(pk=found[f"{name}_value"]).first()
            if shared is not None:
                header[field_name] = shared
    if found["correspondence_types"] == 1:
        header["correspondence_type"] = found["correspondence_type_value"]
    return header
