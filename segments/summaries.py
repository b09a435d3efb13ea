"""Reads for the confirmations of irreversible or large segment actions: what logging,
deleting a segment or emptying a mailing group will do, each in one aggregate query.

Like ``selectors``, nothing here writes; figures come from the same rules the services
apply (effective values of SPEC 4.2, the consent rule logging refuses lines by).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crm.choices import CorrespondenceType
from crm.models import Contact, MailingGroup

from .models import CriteriaAction, Segment, SegmentLine
from .services.consent import consent_conditions

__all__ = [
    "DeleteSummary",
    "LogSummary",
    "MailingGroupSummary",
    "delete_summary",
    "log_summary",
    "mailing_group_summary",
]


def _number(value) -> str:
    return number_format(value, force_grouping=True)


@dataclass(frozen=True)
class LogSummary:
    """What logging writes: one entry per line, by channel, its cost, and the lines
    logging refuses for consent (SPEC 9)."""

    lines: int
    emails: int
    letters: int
    cost: Decimal
    opted_out: int
    privacy_blocked: int

    @property
    def without_channel(self) -> int:
        return self.lines - self.emails - self.letters

    @property
    def refused(self) -> int:
        return self.opted_out + self.privacy_blocked

    def parts(self) -> list[str]:
        """ "940 lines", "702 emails, 238 letters", "cost 2,820.00", "14 opted out"."""
        channels = [
            ngettext("%(count)s email", "%(count)s emails", self.emails)
            % {"count": _number(self.emails)},
            ngettext("%(count)s letter", "%(count)s letters", self.letters)
            % {"count": _number(self.letters)},
        ]
        if self.without_channel:
            channels.append(
                _("%(count)s without a correspondence type")
                % {"count": _number(self.without_channel)}
            )
        parts = [
            ngettext("%(count)s line", "%(count)s lines", self.lines)
            % {"count": _number(self.lines)},
            ", ".join(channels),
            _("cost %(cost)s") % {"cost": number_format(self.cost, 2, force_grouping=True)},
            _("%(count)s opted out") % {"count": _number(self.opted_out)},
        ]
        if self.privacy_blocked:
            parts.append(_("%(count)s privacy blocked") % {"count": _number(self.privacy_blocked)})
        return parts

    def __str__(self) -> str:
        return " · ".join(self.parts())


def log_summary(segment: Segment) -> LogSummary:
    """What logging ``segment`` will write, from its lines' effective values: one query.

    The opted-out and privacy-blocked figures use the very conditions logging refuses
    lines by (``services.consent.consent_conditions``).
    """
    consent = consent_conditions()
    totals = (
        SegmentLine.objects.filter(segment=segment)
        .order_by()
        .with_effective_values()
        .aggregate(
            lines=Count("pk"),
            emails=Count("pk", filter=Q(effective_correspondence_type=CorrespondenceType.EMAIL)),
            letters=Count(
                "pk", filter=Q(effective_correspondence_type=CorrespondenceType.HARD_COPY)
            ),
            cost=Sum("effective_cost"),
            opted_out=Count("pk", filter=consent["opted_out"]),
            privacy_blocked=Count("pk", filter=consent["privacy_blocked"]),
        )
    )
    return LogSummary(
        lines=totals["lines"] or 0,
        emails=totals["emails"] or 0,
        letters=totals["letters"] or 0,
        cost=totals["cost"] or Decimal(0),
        opted_out=totals["opted_out"] or 0,
        privacy_blocked=totals["privacy_blocked"] or 0,
    )


def _count(queryset, field: str) -> Subquery:
    """A correlated ``COUNT(*)`` of ``queryset`` grouped on ``field`` (0 when none)."""
    return Coalesce(
        Subquery(
            queryset.order_by().values(field).annotate(count=Count("pk")).values("count")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


@dataclass(frozen=True)
class DeleteSummary:
    """What deleting a segment removes: its lines and its criteria history."""

    lines: int
    actions: int


def delete_summary(segment: Segment) -> DeleteSummary:
    """The segment's lines and criteria actions, counted in one query."""
    row = (
        Segment.objects.filter(pk=segment.pk)
        .annotate(
            line_count=_count(SegmentLine.objects.filter(segment=OuterRef("pk")), "segment"),
            action_count=_count(CriteriaAction.objects.filter(segment=OuterRef("pk")), "segment"),
        )
        .values("line_count", "action_count")
        .first()
    ) or {"line_count": 0, "action_count": 0}
    return DeleteSummary(lines=row["line_count"], actions=row["action_count"])


@dataclass(frozen=True)
class MailingGroupSummary:
    """Emptying a mailing group and applying a segment to it: ``assignments`` contacts
    are taken out, ``kept`` of them are on the segment and go back in, ``lost`` lose
    their assignment; ``added`` contacts of the segment end up in the group."""

    assignments: int
    kept: int
    added: int

    @property
    def lost(self) -> int:
        return self.assignments - self.kept


def mailing_group_summary(segment: Segment, group: MailingGroup) -> MailingGroupSummary:
    """What *delete old assignments* does to ``group`` with ``segment``: one query."""
    membership = Contact.mailing_groups.through
    in_group = membership.objects.filter(mailinggroup=OuterRef("pk"))
    on_segment = SegmentLine.objects.filter(segment=segment, contact=OuterRef("contact"))
    row = (
        MailingGroup.objects.filter(pk=group.pk)
        .annotate(
            assignments=_count(in_group, "mailinggroup"),
            kept=_count(in_group.filter(Exists(on_segment)), "mailinggroup"),
            added=Coalesce(
                Subquery(
                    SegmentLine.objects.filter(segment=segment)
                    .order_by()
                    .values("segment")
                    .annotate(count=Count("contact", distinct=True))
                    .values("count")[:1],
                    output_field=IntegerField(),
                ),
                0,
            ),
        )
        .values("assignments", "kept", "added")
        .first()
    ) or {"assignments": 0, "kept": 0, "added": 0}
    return MailingGroupSummary(**row)
