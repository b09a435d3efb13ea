"""Write operations on the ledger (SPEC 4.5): cancel, un-cancel, delete canceled logged
segments; and its statistics.

Logged segments and interaction log entries are append-only: these services change only
what ``LedgerQuerySet.record_status`` allows, one set-based ``UPDATE`` each.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import FieldError
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Count, Max, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from crm.choices import CorrespondenceType
from crm.models import Contact, Salesperson

from . import effective, letters, posting
from .attachments import attachment_problems
from .choices import DeliveryStatus, Evaluation, InformationFlow, InitiatedBy
from .exceptions import InteractionError
from .merge import merge_data
from .models import (
    InteractionDraft,
    InteractionGroup,
    InteractionLogEntry,
    InteractionNote,
    InteractionTemplate,
    LoggedSegment,
)
from .tasks import deliver_entry

__all__ = [
    "add_interaction_note",
    "delete_canceled_logged_segments",
    "delete_interaction_draft",
    "log_interaction",
    "log_interaction_draft",
    "preview_interaction_letter",
    "save_interaction_draft",
    "group_statistics",
    "logged_segment_counts",
    "set_entries_canceled",
    "set_logged_segment_canceled",
    "template_statistics",
    "with_entry_counts",
]

#: How many entry numbers an error lists before it says "and N more".
LISTED_ENTRIES = 10


@transaction.atomic
def set_logged_segment_canceled(logged: LoggedSegment, *, canceled: bool, user) -> int:
    """Cancel (or un-cancel) a logged segment and all its entries; returns entries changed."""
    LoggedSegment.objects.filter(pk=logged.pk).record_status(canceled=canceled)
    logged.canceled = canceled
    return InteractionLogEntry.objects.filter(logged_segment=logged).record_status(
        canceled=canceled
    )


def _entry_queryset(entries) -> models.QuerySet:
    """``entries`` (a queryset, or entries or entry numbers) as a queryset of entries."""
    if isinstance(entries, models.QuerySet):
        return InteractionLogEntry.objects.filter(pk__in=entries.values("pk"))
    keys = [entry.pk if isinstance(entry, InteractionLogEntry) else entry for entry in entries]
    return InteractionLogEntry.objects.filter(pk__in=keys)


@transaction.atomic
def set_entries_canceled(entries: Iterable | models.QuerySet, *, canceled: bool, user) -> int:
    """Cancel (or un-cancel) interaction log entries; returns how many changed.

    An entry of a canceled logged segment cannot be un-canceled on its own: un-cancel the
    logged segment instead.
    """
    queryset = _entry_queryset(entries)
    if not canceled:
        refused = queryset.filter(logged_segment__canceled=True).order_by("entry_no")
        count = refused.count()
        if count:
            listed = list(refused.values_list("entry_no", "logged_segment__segment_no"))
            listed = listed[:LISTED_ENTRIES]
            names = ", ".join(
                _("%(entry)s (logged segment %(segment)s)") % {"entry": no, "segment": segment}
                for no, segment in listed
            )
            if count > len(listed):
                names += " " + _("and %(more)d more") % {"more": count - len(listed)}
            raise InteractionError(
                ngettext(
                    "%(count)d interaction log entry cannot be un-canceled because its "
                    "logged segment is canceled: %(entries)s. Un-cancel the logged segment "
                    "instead.",
                    "%(count)d interaction log entries cannot be un-canceled because their "
                    "logged segment is canceled: %(entries)s. Un-cancel the logged segment "
                    "instead.",
                    count,
                )
                % {"count": count, "entries": names},
                code="logged_segment_canceled",
            )
    return queryset.exclude(canceled=canceled).record_status(canceled=canceled)


@transaction.atomic
def delete_canceled_logged_segments(*, user, **filters) -> int:
    """Delete canceled logged segments matching ``filters``; returns how many.

    Their interaction log entries stay in the ledger, unlinked from the deleted header.
    """
    try:
        # The logged segments' keys (not their entries), read before anything changes: a
        # bad filter fails here, and a filter over the entries still holds once they are
        # unlinked.
        keys = list(
            LoggedSegment.objects.filter(canceled=True, **filters)
            .order_by()
            .values_list("pk", flat=True)
            .distinct()
        )
    except (FieldError, ValueError, TypeError) as error:
        raise InteractionError(
            _("Logged segments cannot be filtered by %(filters)s: %(error)s")
            % {"filters": ", ".join(sorted(filters)), "error": error},
            code="invalid_filter",
        ) from None
    InteractionLogEntry.objects.filter(logged_segment__in=keys).record_status(logged_segment=None)
    return LoggedSegment.objects.filter(pk__in=keys)._purge()


def _totals(prefix: str):
    active = Q(**{f"{prefix}canceled": False})
    return {
        "interactions": Count(f"{prefix}pk", filter=active),
        "cost": Coalesce(
            Sum(f"{prefix}cost", filter=active),
            Value(0),
            output_field=models.DecimalField(max_digits=14, decimal_places=2),
        ),
        "duration": Coalesce(
            Sum(f"{prefix}duration", filter=active),
            Value(0),
            output_field=models.DecimalField(max_digits=14, decimal_places=2),
        ),
    }


def template_statistics(entries: models.QuerySet | None = None) -> models.QuerySet:
    """Interaction templates with ``interactions``, ``cost`` and ``duration`` of their
    entries (``entries`` narrows them, e.g. to a date range); canceled entries not counted.
    """
    return _statistics(InteractionTemplate.objects.select_related("group"), entries)


def group_statistics(entries: models.QuerySet | None = None) -> models.QuerySet:
    """Interaction groups with ``interactions``, ``cost`` and ``duration``, as above."""
    return _statistics(InteractionGroup.objects.all(), entries)


def _statistics(queryset, entries):
    if entries is None:
        return queryset.annotate(**_totals("entries__"))
    # Narrowed: aggregate the chosen entries in a subquery per row.
    field = "template" if queryset.model is InteractionTemplate else "group"
    chosen = entries.active().filter(**{field: OuterRef("pk")}).order_by().values(field)
    number = models.DecimalField(max_digits=14, decimal_places=2)
    return queryset.annotate(
        interactions=Coalesce(Subquery(chosen.annotate(n=Count("pk")).values("n")), Value(0)),
        cost=Coalesce(
            Subquery(chosen.annotate(s=Sum("cost")).values("s")), Value(0), output_field=number
        ),
        duration=Coalesce(
            Subquery(chosen.annotate(s=Sum("duration")).values("s")),
            Value(0),
            output_field=number,
        ),
    )


def with_entry_counts(queryset: models.QuerySet) -> models.QuerySet:
    """Logged segments annotated with ``active_entries`` and ``canceled_entries``."""

    # A subquery per row, not a JOIN ... GROUP BY: a page of 50 logged segments then
    # counts only their entries, instead of grouping the whole ledger first.
    def count(canceled: bool):
        entries = (
            InteractionLogEntry.objects.filter(logged_segment=OuterRef("pk"), canceled=canceled)
            .order_by()
            .values("logged_segment")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(entries), Value(0))

    return queryset.annotate(active_entries=count(False), canceled_entries=count(True))


def logged_segment_counts(logged: LoggedSegment) -> dict[str, int]:
    """``{"active": n, "canceled": m}``: the logged segment's entries by status."""
    return InteractionLogEntry.objects.filter(logged_segment=logged).aggregate(
        active=Count("pk", filter=Q(canceled=False)),
        canceled=Count("pk", filter=Q(canceled=True)),
    )


# --- interactions with one contact (SPEC 7) -----------------------------------------------

TEXT = models.CharField()


@dataclass(frozen=True)
class InteractionProblem:
    """One reason a single interaction cannot be logged."""

    code: str
    message: str


#: Problem code -> message for the shared checks of ``posting.problem_conditions``.
SINGLE_PROBLEMS = {
    "no_template": gettext_lazy("it has no interaction template"),
    "no_date": gettext_lazy("it has no date"),
    "no_salesperson": gettext_lazy(
        "it has no salesperson: neither given, nor yours, nor the contact's"
    ),
    "no_email": gettext_lazy("it is an email and the contact has no email address"),
    "no_letter": gettext_lazy(
        "it is to be delivered and has no letter: the interaction template has no "
        "document for its language"
    ),
}


def _user_salesperson(user) -> Salesperson | None:
    if user is None or not user.pk:
        return None
    return Salesperson.objects.filter(user=user, blocked=False).first()


def _single_rows(
    contact: Contact, *, template, user, given: dict, personal_note: str
) -> models.QuerySet:
    """The contact as one row annotated like a segment line with no segment: the effective
    values of SPEC 4.2 by the segment lines' own rules (``interactions.effective``) and
    merge data, so the shared checks and entry columns apply to it unchanged. The given
    values are the line's overrides; date defaults to today, salesperson to the user's."""
    salesperson = given["salesperson"] or _user_salesperson(user)
    line = {
        "description": given["description"],
        "date": given["date"] or timezone.localdate(),
        "correspondence_type": given["correspondence_type"],
        "language": given["language"],
        "subject": given["subject"],
        "cost": None if given["cost"] is None else Decimal(given["cost"]),
        "duration": None if given["duration"] is None else Decimal(given["duration"]),
        "information_flow": given["information_flow"],
        "initiated_by": given["initiated_by"],
        "document": "",
    }
    sources = effective.single_sources(template=template, given=line, salesperson=salesperson)
    rows = effective.annotate_effective_values(
        Contact.objects.filter(pk=contact.pk).order_by(), sources
    )
    return rows.annotate(
        _salesperson_blocked=effective.effective_salesperson_value(
            sources, "blocked", models.BooleanField()
        ),
        merge_data=merge_data(
            contact="",
            salesperson=lambda field: effective.effective_salesperson_value(sources, field, TEXT),
            segment_no=Value("", output_field=TEXT),
            personal_note=Value(personal_note or "", output_field=TEXT),
        ),
    )


def _choice_problem(value, choices, code: str, label) -> InteractionProblem | None:
    if value in (None, "") or value in choices.values:
        return None
    return InteractionProblem(
        code,
        _("%(field)s %(value)s is not one of %(choices)s")
        % {
            "field": label,
            "value": repr(value),
            "choices": ", ".join(str(choice) for choice in choices.labels),
        },
    )


def _argument_problems(*, given: dict, campaign, attachment) -> list:
    problems = [
        _choice_problem(
            given["correspondence_type"],
            CorrespondenceType,
            "invalid_correspondence_type",
            _("Correspondence type"),
        ),
        _choice_problem(
            given["information_flow"],
            InformationFlow,
            "invalid_information_flow",
            _("Information flow"),
        ),
        _choice_problem(
            given["initiated_by"], InitiatedBy, "invalid_initiated_by", _("Initiated by")
        ),
        _choice_problem(given["evaluation"], Evaluation, "invalid_evaluation", _("Evaluation")),
    ]
    for name, label in (("cost", _("cost")), ("duration", _("duration"))):
        if given[name] is not None and Decimal(given[name]) < 0:
            problems.append(
                InteractionProblem(
                    f"negative_{name}", _("its %(field)s is negative") % {"field": label}
                )
            )
    if campaign is not None:
        problems.append(
            InteractionProblem(
                "campaigns_unavailable",
                _("campaigns are not available yet, so it cannot be linked to one"),
            )
        )
    if attachment:
        problems += [
            InteractionProblem(error.code, " ".join(error.messages))
            for error in attachment_problems(attachment)
        ]
    return [problem for problem in problems if problem is not None]


def _cannot_log_interaction(contact: Contact, problems: list) -> InteractionError:
    error = InteractionError(
        _("The interaction with %(contact)s cannot be logged: %(problems)s.")
        % {
            "contact": f"{contact.no} {contact.name}",
            "problems": "; ".join(str(problem.message) for problem in problems),
        },
        code="cannot_log",
    )
    error.problems = problems
    return error


def _given(
    *,
    description: str = "",
    date: datetime.date | None = None,
    correspondence_type: str | None = None,
    salesperson: Salesperson | None = None,
    cost: Decimal | None = None,
    duration: Decimal | None = None,
    information_flow: str | None = None,
    initiated_by: str | None = None,
    evaluation: str = "",
    subject: str = "",
    language: str | None = None,
) -> dict:
    """log_interaction's optional values, blank as "" or None ("take the template's")."""
    return {
        "description": description or "",
        "date": date,
        "correspondence_type": correspondence_type or "",
        "salesperson": salesperson,
        "cost": cost,
        "duration": duration,
        "information_flow": information_flow or "",
        "initiated_by": initiated_by or "",
        "evaluation": evaluation or "",
        "subject": subject or "",
        "language": language or "",
    }


def preview_interaction_letter(
    contact: Contact,
    *,
    template: InteractionTemplate,
    user,
    personal_note: str = "",
    **given,
) -> bytes | None:
    """The letter ``log_interaction`` would merge for ``contact`` with these values (the
    entry number left empty); None when the template has no letter for it. Reads only."""
    rows = _single_rows(
        contact, template=template, user=user, given=_given(**given), personal_note=personal_note
    )
    document, merge = rows.values_list("effective_document", "merge_data").get()
    if not document:
        return None
    with default_storage.open(document, "rb") as stored:
        document = stored.read()
    return letters.render(document, {**merge, "EntryNo": ""})


@transaction.atomic
def log_interaction(
    contact: Contact,
    *,
    template: InteractionTemplate,
    user,
    description: str = "",
    date: datetime.date | None = None,
    correspondence_type: str | None = None,
    salesperson: Salesperson | None = None,
    cost: Decimal | None = None,
    duration: Decimal | None = None,
    information_flow: str | None = None,
    initiated_by: str | None = None,
    evaluation: str = "",
    attempt_failed: bool = False,
    subject: str = "",
    language: str | None = None,
    campaign=None,
    campaign_target: bool = False,
    campaign_response: bool = False,
    personal_note: str = "",
    attachment=None,
    deliver: bool = False,
) -> InteractionLogEntry:
    """Log one interaction with ``contact`` as one interaction log entry (no logged segment).

    Blank values take the template's as a one-line segment would; every problem is
    reported at once and nothing is written. Campaigns (SPEC 8) do not exist yet: a
    campaign is refused, the two campaign flags are accepted and not stored.
    """
    given = _given(
        description=description,
        date=date,
        correspondence_type=correspondence_type,
        salesperson=salesperson,
        cost=cost,
        duration=duration,
        information_flow=information_flow,
        initiated_by=initiated_by,
        evaluation=evaluation,
        subject=subject,
        language=language,
    )
    problems = _argument_problems(given=given, campaign=campaign, attachment=attachment)
    rows = _single_rows(
        contact, template=template, user=user, given=given, personal_note=personal_note
    )
    conditions = posting.problem_conditions(contact="", deliver=deliver)
    found = rows.aggregate(
        _blocked=Max("effective_salesperson", filter=Q(_salesperson_blocked=True)),
        **{code: Count("pk", filter=condition) for code, condition in conditions.items()},
    )
    if found["_blocked"] is not None:
        problems.append(
            InteractionProblem(
                "blocked_salesperson",
                _("its salesperson %(salesperson)s is blocked")
                % {"salesperson": Salesperson.objects.get(pk=found["_blocked"])},
            )
        )
    problems = [
        InteractionProblem(code, SINGLE_PROBLEMS[code]) for code in conditions if found[code]
    ] + problems
    if problems:
        raise _cannot_log_interaction(contact, problems)
    columns = posting.entry_columns(
        contact="",
        logged_segment=None,
        segment_no="",
        evaluation=given["evaluation"],
        attempt_failed=bool(attempt_failed),
        user=user,
        deliver=deliver,
    )
    aliases = {f"_entry_{name}": expression for name, expression in columns.items()}
    row = rows.annotate(**aliases).values(*aliases).get()
    entry = InteractionLogEntry(**{_attname(name): row[f"_entry_{name}"] for name in columns})
    if attachment:
        entry.attachment = attachment
    entry.save()
    if entry.delivery_status == DeliveryStatus.PENDING:
        transaction.on_commit(lambda: deliver_entry.enqueue(entry.pk))
    return entry


def _attname(name: str) -> str:
    field = InteractionLogEntry._meta.get_field(name)
    return field.attname


#: What a draft holds besides contact, template and creator: log_interaction's arguments.
DRAFT_FIELDS = (
    "description",
    "date",
    "correspondence_type",
    "salesperson",
    "cost",
    "duration",
    "information_flow",
    "initiated_by",
    "evaluation",
    "attempt_failed",
    "subject",
    "language",
    "campaign_target",
    "campaign_response",
    "personal_note",
)


@transaction.atomic
def save_interaction_draft(
    contact: Contact,
    *,
    template: InteractionTemplate,
    user,
    draft: InteractionDraft | None = None,
    attachment=None,
    **fields,
) -> InteractionDraft:
    """Keep an unfinished interaction to finish later; ``draft`` updates an existing one."""
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise InteractionError(
            _("A draft has no field %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
            code="unknown_field",
        )
    if attachment:
        errors = attachment_problems(attachment)
        if errors:
            raise InteractionError(errors)
    if draft is None:
        draft = InteractionDraft(contact=contact, created_by=user)
    draft.contact = contact
    draft.template = template
    for name, value in fields.items():
        if value is None and name not in ("date", "salesperson", "cost", "duration"):
            value = InteractionDraft._meta.get_field(name).get_default()
        setattr(draft, name, value)
    if attachment:
        draft.attachment = attachment
    draft.full_clean()
    draft.save()
    return draft


@transaction.atomic
def log_interaction_draft(draft: InteractionDraft, *, user, **changes) -> InteractionLogEntry:
    """Log a draft (with ``changes`` over what it holds) and delete it."""
    arguments = {name: getattr(draft, name) for name in DRAFT_FIELDS}
    arguments["template"] = draft.template
    if draft.attachment:
        arguments["attachment"] = draft.attachment
    arguments.update(changes)
    contact = arguments.pop("contact", draft.contact)
    entry = log_interaction(contact, user=user, **arguments)
    InteractionDraft.objects.filter(pk=draft.pk).delete()
    return entry


@transaction.atomic
def add_interaction_note(
    entry: InteractionLogEntry,
    *,
    user,
    comment: str = "",
    evaluation: str | None = None,
    attempt_failed: bool | None = None,
) -> InteractionNote:
    """Record what came back after an interaction; a given evaluation or attempt-failed
    flag becomes the entry's. A canceled entry takes no note."""
    locked = InteractionLogEntry.objects.select_for_update().get(pk=entry.pk)
    problems = []
    if locked.canceled:
        problems.append(_("the entry is canceled"))
    if evaluation and evaluation not in Evaluation.values:
        problems.append(
            _("evaluation %(value)s is not one of %(choices)s")
            % {
                "value": repr(evaluation),
                "choices": ", ".join(str(label) for label in Evaluation.labels),
            }
        )
    if not (comment or "").strip() and not evaluation and attempt_failed is None:
        problems.append(_("it is empty: give a comment, an evaluation or attempt failed"))
    if problems:
        raise InteractionError(
            _("Interaction log entry %(entry_no)s cannot take this note: %(problems)s.")
            % {"entry_no": locked.entry_no, "problems": "; ".join(problems)},
            code="note_refused",
        )
    note = InteractionNote.objects.create(
        entry=locked,
        comment=comment or "",
        evaluation=evaluation or "",
        attempt_failed=attempt_failed,
        created_by=user,
    )
    status = {}
    if evaluation:
        status["evaluation"] = evaluation
    if attempt_failed is not None:
        status["attempt_failed"] = bool(attempt_failed)
    if status:
        InteractionLogEntry.objects.filter(pk=locked.pk).record_status(**status)
        for name, value in status.items():
            setattr(entry, name, value)
    return note


@transaction.atomic
def delete_interaction_draft(draft: InteractionDraft, *, user) -> None:
    """Throw away a draft: it never reached the ledger."""
    InteractionDraft.objects.filter(pk=draft.pk).delete()
