"""Which contacts a criteria action adds and which lines it removes, as queries.

The building services (``services.criteria_actions``) run these inside a step; the
preview (``selectors.preview``) counts them without changing anything, so both always
agree on what an action does.
"""

from collections.abc import Mapping
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from crm.choices import ContactType, opted_out_of
from crm.models import Contact

from .criteria import ACTION_OPTIONS
from .effective import new_line_correspondence_type
from .exceptions import SegmentError
from .models import CriteriaActionType, Segment, SegmentLine

__all__ = [
    "LINE_ORDER",
    "action_options",
    "LEFT_OUT_REASONS",
    "action_type",
    "candidate_pool",
    "candidates",
    "left_out_conditions",
    "with_new_line_channel",
    "contact_order",
    "matching_lines",
]

#: The order new lines get their numbers in: company name, company no., companies
#: before persons ("company" < "person"), name; the pk makes it total. The contact
#: stores the first four as one indexed key (crm.models.sorting), so the order needs
#: neither the company's row nor a four-column text sort.
LINE_ORDER = ("segment_sort_key", "pk")


def action_options(action: str, given: Mapping[str, Any]) -> dict[str, bool]:
    """The options of ``action``, each on or off; an option it does not have is refused."""
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


def action_type(action) -> str:
    """``action`` as a criteria action type (add, reduce, refine), or a clear refusal."""
    try:
        return CriteriaActionType(action).value
    except ValueError:
        raise SegmentError(
            _('Unknown action "%(action)s"; choose add, reduce or refine.') % {"action": action},
            code="unknown_action",
        ) from None


def candidate_pool(matching: QuerySet, options: Mapping[str, bool]) -> QuerySet:
    """The contacts an add action considers: the matching ones, companies expanded."""
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
    return contacts


#: Why a contact of the pool is not added, first reason first (SPEC 9): privacy blocked
#: (always, whatever the options), excluded from segments, already on the segment. With
#: *leave out opted out*, "opted_out" comes after "excluded".
LEFT_OUT_REASONS = ("privacy_blocked", "excluded", "already_on_segment")

#: The alias ``with_new_line_channel`` gives a pool contact: its new line's channel.
NEW_LINE_CHANNEL = "_new_line_channel"


def with_new_line_channel(segment: Segment, contacts: QuerySet, options: Mapping[str, bool]):
    """``contacts``, each with the channel its new line would get, when the options leave
    out opted-out contacts (the channel is computed as logging computes it)."""
    if not options.get("leave_out_opted_out"):
        return contacts
    channel = new_line_correspondence_type(Segment.objects.filter(pk=segment.pk))
    return contacts.alias(**{NEW_LINE_CHANNEL: channel})


def _opted_out(options: Mapping[str, bool]) -> Q | None:
    """Contacts (of ``with_new_line_channel``) opted out of their new line's channel."""
    if not options.get("leave_out_opted_out"):
        return None
    return opted_out_of(NEW_LINE_CHANNEL)


def left_out_conditions(segment: Segment, options: Mapping[str, bool]) -> dict[str, Q]:
    """Per reason, the condition on a pool contact that it is left out for that reason
    (each contact for its first reason only, so the counts add up)."""
    on_segment = Exists(SegmentLine.objects.filter(segment=segment, contact=OuterRef("pk")))
    never = Q(pk__in=[])
    free = Q(privacy_blocked=False)
    excluded = never if options.get("ignore_exclusion") else Q(exclude_from_segment=True)
    existing = never if options.get("allow_existing") else Q(on_segment)
    opted_out = _opted_out(options)
    conditions = {"privacy_blocked": Q(privacy_blocked=True), "excluded": free & excluded}
    if opted_out is not None:
        conditions["opted_out"] = free & ~excluded & opted_out
        existing &= ~opted_out
    conditions["already_on_segment"] = free & ~excluded & existing
    return conditions


def candidates(segment: Segment, matching: QuerySet, options: Mapping[str, bool]) -> QuerySet:
    """The contacts an add action appends, as one query over the contacts table.

    A privacy-blocked contact is never added, not even with *ignore exclusion* (SPEC 9);
    with *leave out opted out*, neither is one opted out of its new line's channel.
    """
    pool = with_new_line_channel(segment, candidate_pool(matching, options), options)
    contacts = pool.filter(privacy_blocked=False)
    opted_out = _opted_out(options)
    if opted_out is not None:
        contacts = contacts.exclude(opted_out)
    if not options.get("ignore_exclusion"):
        contacts = contacts.filter(exclude_from_segment=False)
    if not options.get("allow_existing"):
        contacts = contacts.exclude(
            Exists(SegmentLine.objects.filter(segment=segment, contact=OuterRef("pk")))
        )
    return contacts


def contact_order(prefix: str = "") -> list:
    """``LINE_ORDER`` as an ordering, for contacts reached through ``prefix``."""
    return [F(f"{prefix}{name}").asc() for name in LINE_ORDER]


def matching_lines(matching: QuerySet, entire_companies: bool) -> Exists | Q:
    """A condition on segment lines: the line's contact matches (or its company does).

    ``EXISTS`` rather than ``IN``: negated for refine, PostgreSQL plans ``NOT EXISTS`` as
    an anti-join, while ``NOT IN`` over a large subquery rescans it for every line.
    """
    if not entire_companies:
        return Exists(matching.filter(pk=OuterRef("contact")))
    return Exists(
        matching.filter(company__isnull=False, company=OuterRef("contact__company"))
    ) | Exists(matching.filter(company__isnull=True, pk=OuterRef("contact")))
