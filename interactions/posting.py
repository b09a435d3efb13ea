"""From effective values to an interaction log entry: the rules a segment line and a single
interaction share (SPEC 4.4 step 1-2 and SPEC 7).

Both paths annotate their rows (segment lines, or the one contact of a single interaction)
with the effective values of SPEC 4.2 under the names ``effective_template``,
``effective_group``, ``effective_description``, ``effective_date``,
``effective_salesperson``, ``effective_language``, ``effective_subject``,
``effective_correspondence_type``, ``effective_cost``, ``effective_duration``,
``effective_information_flow``, ``effective_initiated_by``, ``effective_document``, and with
``merge_data`` (``interactions.merge``). The checks and the entry's columns below are then
written once, as SQL expressions over those names, and ``contact`` is the path from a row
to its contact (``"contact__"`` from a line, ``""`` from the contact itself).
"""

from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from crm.choices import CorrespondenceType

from .choices import DeliveryStatus

__all__ = ["entry_columns", "no_address", "problem_conditions"]

TEXT = models.CharField()


def no_address(contact: str = "contact__") -> Q:
    """An email row whose contact has no email address."""
    return Q(effective_correspondence_type=CorrespondenceType.EMAIL, **{f"{contact}email": ""})


def problem_conditions(*, contact: str = "contact__", deliver: bool) -> dict[str, Q]:
    """Problem code -> condition over rows with effective values: what stops logging.

    Conditions follow joins rather than ``Exists(... OuterRef("effective_..."))``: inside
    an aggregate's filter Django would not resolve an outer reference to an annotation.
    """
    conditions = {
        "no_template": Q(effective_template__isnull=True),
        "no_date": Q(effective_date__isnull=True),
        "no_salesperson": Q(effective_salesperson__isnull=True),
    }
    if deliver:
        # Without delivery the entry is logged with no correspondence type instead.
        conditions["no_email"] = no_address(contact)
        # Delivery sends each email row's letter (attached or as the body) and prints
        # each hard copy's: a row without an effective document would be logged and then
        # fail for good, a retry cannot fix it.
        conditions["no_letter"] = Q(
            effective_correspondence_type__in=[
                CorrespondenceType.EMAIL,
                CorrespondenceType.HARD_COPY,
            ],
            effective_document="",
        )
    return conditions


def entry_columns(
    *,
    contact: str = "contact__",
    logged_segment,
    segment_no,
    evaluation,
    attempt_failed,
    user,
    deliver: bool,
    campaign_entry=None,
    now=None,
) -> dict:
    """Entry field -> expression over rows annotated with effective values and merge data.

    ``logged_segment``, ``segment_no``, ``evaluation``, ``attempt_failed`` and
    ``campaign_entry`` are the values (or expressions) only the caller knows: a logged
    segment's key and number, a line's evaluation, a single interaction's own, the
    campaign entry written for the row's campaign (SPEC 8). Target and response are kept
    only where the row has a campaign.
    """
    correspondence_type = Case(
        When(no_address(contact), then=Value("")),
        default=F("effective_correspondence_type"),
        output_field=TEXT,
    )
    if deliver:
        # Email entries wait for the delivery task; hard copies go into the print batch.
        delivery_status = Case(
            When(
                Q(effective_correspondence_type=CorrespondenceType.EMAIL) & ~no_address(contact),
                then=Value(DeliveryStatus.PENDING.value),
            ),
            default=Value(""),
            output_field=TEXT,
        )
    else:
        delivery_status = Value("")

    def value(item, output_field=None):
        if hasattr(item, "resolve_expression"):
            return item
        return Value(item, output_field=output_field)

    def with_campaign(flag: str):
        return Case(
            When(effective_campaign__isnull=False, then=F(flag)),
            default=Value(False),
            output_field=models.BooleanField(),
        )

    return {
        "contact": F(f"{contact}id"),
        "contact_company": F(f"{contact}company_id"),
        "contact_name": F(f"{contact}name"),
        "logged_segment": value(logged_segment, models.BigIntegerField()),
        "segment_no": value(segment_no, TEXT),
        "date": F("effective_date"),
        "description": F("effective_description"),
        "subject": F("effective_subject"),
        "template": F("effective_template"),
        "group": F("effective_group"),
        "language": F("effective_language"),
        "correspondence_type": correspondence_type,
        "cost": F("effective_cost"),
        "duration": F("effective_duration"),
        "information_flow": F("effective_information_flow"),
        "initiated_by": F("effective_initiated_by"),
        "salesperson": F("effective_salesperson"),
        "evaluation": value(evaluation, TEXT),
        "attempt_failed": value(attempt_failed, models.BooleanField()),
        "canceled": Value(False),
        "delivery_status": delivery_status,
        "delivery_error": Value(""),
        "merge_data": F("merge_data"),
        # The document the letter was merged from. The entry keeps it, so its letter
        # renders again identically even after the template gets a new one.
        "document": F("effective_document"),
        "campaign": F("effective_campaign"),
        "campaign_entry": value(campaign_entry, models.BigIntegerField()),
        "campaign_target": with_campaign("effective_campaign_target"),
        "campaign_response": with_campaign("effective_campaign_response"),
        "created_by": Value(user.pk),
        "created_at": Value(now or timezone.now(), output_field=models.DateTimeField()),
    }
