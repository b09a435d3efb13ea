"""The ledger's figures kept as it changes (issue 16): pages read these, never the ledger.

``InteractionDaySummary`` holds the additive figures of the interaction log entries per
day, interaction template, interaction group and campaign (its size grows with days and
reference data, never with the ledger); ``CampaignContactSummary`` the entries of each
contact per campaign, so a campaign's distinct contacts, targets and responses are
counted without reading its entries; ``CampaignSegmentSummary`` a campaign's figures per
segment no. (its logged segments, and single interactions under a blank number).

Both change in the same transaction as the ledger, set-based: ``summarize`` adds the
difference a set of entries makes (one ``INSERT ... SELECT ... GROUP BY`` upsert per
table, however many entries). The ledger's writers call it: inserting entries
(``InteractionLogEntry.save``, ``bulk_create``, and ``log_segment`` after its
``INSERT ... SELECT``) and ``record_status`` when it changes ``canceled`` or
``attempt_failed``. Erasure blanks names and merge data only: the figures stay.

A contact's own figures (the contact card) are not summarized per day: that table would
be as large as the ledger itself; the card reads the contact's entries through the
ledger's contact indexes, whose cost depends on that contact's entries only.
"""

from django.db import connections, models
from django.db.models import Case, ExpressionWrapper, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

__all__ = [
    "CURRENT",
    "CampaignContactSummary",
    "CampaignSegmentSummary",
    "InteractionDaySummary",
    "summarize",
]

#: Key columns of the day summary: 0 stands for "none", so the unique key and the
#: upsert's conflict target hold on both databases (NULLs never conflict).
DAY_KEYS = ("day", "template_key", "group_key", "campaign_key")
DAY_FIGURES = (
    "entries",
    "canceled",
    "cost",
    "duration",
    "attempts_failed",
    "targets",
    "responses",
)
CAMPAIGN_KEYS = ("campaign_id", "contact_id")
CAMPAIGN_FIGURES = ("entries", "targets", "responses")
SEGMENT_KEYS = ("campaign_id", "segment_no")
SEGMENT_FIGURES = ("entries", "canceled", "cost", "duration")


class InteractionDaySummary(models.Model):
    """The figures of one day's interaction log entries of one template, group and
    campaign (0: none)."""

    day = models.DateField(_("date"))
    template_key = models.PositiveBigIntegerField(_("interaction template"), default=0)
    group_key = models.PositiveBigIntegerField(_("interaction group"), default=0)
    campaign_key = models.PositiveBigIntegerField(_("campaign"), default=0)
    entries = models.BigIntegerField(_("interactions"), default=0)
    canceled = models.BigIntegerField(_("canceled"), default=0)
    cost = models.DecimalField(_("cost"), max_digits=18, decimal_places=2, default=0)
    duration = models.DecimalField(
        _("duration (minutes)"), max_digits=18, decimal_places=2, default=0
    )
    attempts_failed = models.BigIntegerField(_("attempts failed"), default=0)
    targets = models.BigIntegerField(_("campaign targets"), default=0)
    responses = models.BigIntegerField(_("campaign responses"), default=0)

    class Meta:
        verbose_name = _("interaction day summary")
        verbose_name_plural = _("interaction day summaries")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=DAY_KEYS, name="interactions_day_summary_key"),
        ]
        indexes = [
            models.Index(fields=["template_key", "day"], name="ids_template_day_idx"),
            models.Index(fields=["group_key", "day"], name="ids_group_day_idx"),
            models.Index(fields=["campaign_key", "day"], name="ids_campaign_day_idx"),
            models.Index(fields=["day"], name="ids_day_idx"),
        ]

    def __str__(self):
        return f"{self.day} {self.template_key}/{self.group_key}/{self.campaign_key}"


class CampaignContactSummary(models.Model):
    """How many active entries, target entries and response entries one contact has in
    one campaign: the campaign's distinct contacts are its rows with entries."""

    campaign = models.ForeignKey(
        "interactions.Campaign", models.CASCADE, related_name="+", verbose_name=_("campaign")
    )
    contact = models.ForeignKey(
        "crm.Contact", models.CASCADE, related_name="+", verbose_name=_("contact")
    )
    entries = models.BigIntegerField(_("interactions"), default=0)
    targets = models.BigIntegerField(_("campaign targets"), default=0)
    responses = models.BigIntegerField(_("campaign responses"), default=0)

    class Meta:
        verbose_name = _("campaign contact summary")
        verbose_name_plural = _("campaign contact summaries")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "contact"], name="interactions_campaign_contact_key"
            ),
        ]

    def __str__(self):
        return f"{self.campaign_id}/{self.contact_id}"


class CampaignSegmentSummary(models.Model):
    """A campaign's active entries, canceled entries, cost and duration per segment no.
    of the entries (a blank one: its single interactions)."""

    campaign = models.ForeignKey(
        "interactions.Campaign", models.CASCADE, related_name="+", verbose_name=_("campaign")
    )
    segment_no = models.CharField(_("segment no."), max_length=20, blank=True)
    entries = models.BigIntegerField(_("interactions"), default=0)
    canceled = models.BigIntegerField(_("canceled"), default=0)
    cost = models.DecimalField(_("cost"), max_digits=18, decimal_places=2, default=0)
    duration = models.DecimalField(
        _("duration (minutes)"), max_digits=18, decimal_places=2, default=0
    )

    class Meta:
        verbose_name = _("campaign segment summary")
        verbose_name_plural = _("campaign segment summaries")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "segment_no"], name="interactions_campaign_segment_key"
            ),
        ]

    def __str__(self):
        return f"{self.campaign_id}/{self.segment_no}"


#: The entry as it stands: (active, attempt failed), each 0 or 1.
CURRENT = (
    Case(When(canceled=True, then=Value(0)), default=Value(1)),
    Case(When(attempt_failed=True, then=Value(1)), default=Value(0)),
)
ABSENT = (Value(0), Value(0))


def _integer(expression):
    return ExpressionWrapper(expression, output_field=models.BigIntegerField())


def summarize(entries: models.QuerySet, *, before=ABSENT, after=CURRENT, present=(0, 1)) -> None:
    """Add to both summaries the difference ``entries`` make, from ``before`` to ``after``.

    ``before`` and ``after`` are (active, attempt failed) per entry, as expressions over
    its columns or constants; ``present`` says whether the entry exists before and after
    (an inserted entry: (0, 1)). Inserting: the defaults. A status change: ``before`` is
    ``CURRENT`` and ``after`` the new values, called before the UPDATE. Three statements
    (one per summary), whatever the number of entries.
    """
    active_before, failed_before = before
    active_after, failed_after = after
    was, now = present
    delta = _integer(active_after - active_before)
    canceled = _integer(Value(now) - active_after - Value(was) + active_before)
    failed = _integer(active_after * failed_after - active_before * failed_before)
    number = models.DecimalField(max_digits=18, decimal_places=2)
    zero = Value(0)
    base = entries.order_by()
    day = (
        base.annotate(
            s_day=F("date"),
            s_template=Coalesce(F("template_id"), zero),
            s_group=Coalesce(F("group_id"), zero),
            s_campaign=Coalesce(F("campaign_id"), zero),
        )
        .values("s_day", "s_template", "s_group", "s_campaign")
        .annotate(
            s_entries=Coalesce(Sum(delta), zero),
            s_canceled=Coalesce(Sum(canceled), zero),
            s_cost=Coalesce(
                Sum(ExpressionWrapper(delta * F("cost"), output_field=number)),
                zero,
                output_field=number,
            ),
            s_duration=Coalesce(
                Sum(ExpressionWrapper(delta * F("duration"), output_field=number)),
                zero,
                output_field=number,
            ),
            s_failed=Coalesce(Sum(failed), zero),
            s_targets=Coalesce(Sum(delta, filter=Q(campaign_target=True)), zero),
            s_responses=Coalesce(Sum(delta, filter=Q(campaign_response=True)), zero),
        )
    )
    _upsert(InteractionDaySummary, DAY_KEYS, DAY_FIGURES, day)
    campaign = (
        base.filter(campaign__isnull=False)
        .annotate(s_campaign=F("campaign_id"), s_contact=F("contact_id"))
        .values("s_campaign", "s_contact")
        .annotate(
            s_entries=Coalesce(Sum(delta), zero),
            s_targets=Coalesce(Sum(delta, filter=Q(campaign_target=True)), zero),
            s_responses=Coalesce(Sum(delta, filter=Q(campaign_response=True)), zero),
        )
    )
    _upsert(CampaignContactSummary, CAMPAIGN_KEYS, CAMPAIGN_FIGURES, campaign)
    segments = (
        base.filter(campaign__isnull=False)
        .annotate(s_campaign=F("campaign_id"), s_segment=F("segment_no"))
        .values("s_campaign", "s_segment")
        .annotate(
            s_entries=Coalesce(Sum(delta), zero),
            s_canceled=Coalesce(Sum(canceled), zero),
            s_cost=Coalesce(
                Sum(ExpressionWrapper(delta * F("cost"), output_field=number)),
                zero,
                output_field=number,
            ),
            s_duration=Coalesce(
                Sum(ExpressionWrapper(delta * F("duration"), output_field=number)),
                zero,
                output_field=number,
            ),
        )
    )
    _upsert(CampaignSegmentSummary, SEGMENT_KEYS, SEGMENT_FIGURES, segments)


def _upsert(model, keys, figures, rows: models.QuerySet) -> None:
    """``INSERT INTO model SELECT rows ... ON CONFLICT (keys) DO UPDATE SET figure =
    figure + the row's``: one statement on both databases."""
    connection = connections[rows.db]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    sql, params = rows.query.sql_with_params()
    # The subquery's columns by alias, in the order annotated: keys, then figures.
    chosen = ", ".join(quote(name) for name in rows.query.annotation_select)
    columns = ", ".join(quote(name) for name in (*keys, *figures))
    added = ", ".join(
        f"{quote(name)} = {table}.{quote(name)} + excluded.{quote(name)}" for name in figures
    )
    # "WHERE true" lets SQLite tell the upsert's ON from a join's.
    statement = (
        f"INSERT INTO {table} ({columns}) SELECT {chosen} FROM ({sql}) delta WHERE true "
        f"ON CONFLICT ({', '.join(quote(name) for name in keys)}) DO UPDATE SET {added}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
