"""A single interaction with one contact (SPEC 7): log it, preview its letter.

The contact is annotated as a one-line segment with no segment would be, so the checks and
entry columns of ``interactions.posting`` apply to it unchanged.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Count, Max, Q, Value
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import audit
from crm.choices import CorrespondenceType
from crm.models import Contact, Salesperson

from .. import effective, letters, posting
from ..attachments import attachment_problems
from ..choices import DeliveryStatus, Evaluation, InformationFlow, InitiatedBy
from ..delivery import letter_values
from ..exceptions import InteractionError
from ..merge import kept_values, merge_data
from ..models import Campaign, InteractionLogEntry, InteractionTemplate
from ..tasks import deliver_entry
from .campaigns import single_campaign_entry

__all__ = [
    "SINGLE_PROBLEMS",
    "InteractionProblem",
    "log_interaction",
    "preview_interaction_letter",
]

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
        # SPEC 8: blank takes the template's campaign; target and response are the given.
        "campaign_id": given["campaign"].pk if given["campaign"] is not None else None,
        "campaign_target": bool(given["campaign_target"]),
        "campaign_response": bool(given["campaign_response"]),
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


def _argument_problems(*, given: dict, attachment) -> list:
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
    if given["campaign"] is not None and not isinstance(given["campaign"], Campaign):
        problems.append(InteractionProblem("invalid_campaign", _("its campaign is not a campaign")))
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
    campaign: Campaign | None = None,
    campaign_target: bool = False,
    campaign_response: bool = False,
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
        "campaign": campaign,
        "campaign_target": campaign_target,
        "campaign_response": campaign_response,
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
    merge = letter_values(merge, contact_id=contact.pk)
    if not document:
        return None
    with default_storage.open(document, "rb") as stored:
        document = stored.read()
    return letters.render(document, merge)


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
    reported at once and nothing is written. With a campaign (given, or the template's)
    the entry gets a campaign entry of its own (SPEC 8).
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
        campaign=campaign,
        campaign_target=campaign_target,
        campaign_response=campaign_response,
    )
    problems = _argument_problems(given=given, attachment=attachment)
    if any(problem.code == "invalid_campaign" for problem in problems):
        given["campaign"] = None  # still check everything else, then refuse
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
    # The entry keeps the merge data its letter can use, as a logged segment's entries do.
    entry.merge_data = kept_values(
        entry.merge_data,
        entry.document.name,
        delivered=entry.delivery_status == DeliveryStatus.PENDING,
    )
    if entry.campaign_id is not None:
        entry.campaign_entry = single_campaign_entry(
            campaign_id=entry.campaign_id, description=entry.description, date=entry.date, user=user
        )
    if attachment:
        entry.attachment = attachment
    entry.save()
    audit.record(
        user, audit.Action.INTERACTION_LOGGED, entry, contact=contact.no, template=template.code
    )
    if entry.delivery_status == DeliveryStatus.PENDING:
        transaction.on_commit(lambda: deliver_entry.enqueue(entry.pk))
    return entry


def _attname(name: str) -> str:
    field = InteractionLogEntry._meta.get_field(name)
    return field.attname
