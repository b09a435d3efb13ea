"""Campaign services (SPEC 8): creating and editing campaigns, the campaign entry of a
single interaction, and keeping campaign entries canceled in step with the interaction
log entries that hold them. ``interactions.services`` re-exports them."""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef, ProtectedError
from django.utils.translation import gettext as _

import audit
from crm.numbering import next_code

from ..exceptions import InteractionError
from ..models import Campaign, CampaignEntry, InteractionLogEntry

__all__ = [
    "CAMPAIGN_FIELDS",
    "create_campaign",
    "delete_campaigns",
    "held_by",
    "single_campaign_entry",
    "sync_campaign_entries",
    "update_campaign",
]

#: What the pages and the admin set on a campaign; ``no`` only when it is created.
CAMPAIGN_FIELDS = frozenset(
    {"description", "starting_date", "ending_date", "salesperson", "status"}
)


def _refused(campaign: Campaign, error: ValidationError) -> InteractionError:
    return InteractionError(
        _("Campaign %(no)s cannot be saved: %(problems)s")
        % {"no": campaign.no or _("(new)"), "problems": " ".join(error.messages)},
        code="invalid_campaign",
    )


def _check_fields(values: dict, allowed: frozenset) -> None:
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise InteractionError(
            _("A campaign has no field %(fields)s.") % {"fields": ", ".join(unknown)},
            code="unknown_field",
        )


@transaction.atomic
def create_campaign(*, user, no: str = "", description: str = "", **values) -> Campaign:
    """A new campaign; a blank ``no`` takes the next number of the series (CP00001...)."""
    _check_fields(values, CAMPAIGN_FIELDS)
    campaign = Campaign(no=(no or "").strip().upper(), description=description, **values)
    campaign.created_by = user
    if not campaign.no:
        # Taken inside this transaction: a refused campaign gives its number back.
        campaign.no = next_code("CAMPAIGN", Campaign)
    try:
        campaign.full_clean()
    except ValidationError as error:
        raise _refused(campaign, error) from None
    campaign.save()
    audit.record(user, audit.Action.CAMPAIGN_CREATED, campaign)
    return campaign


@transaction.atomic
def update_campaign(campaign: Campaign, *, user, **values) -> Campaign:
    """Change a campaign's description, dates, salesperson or status."""
    _check_fields(values, CAMPAIGN_FIELDS)
    if not values:
        return campaign
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    changed = sorted(name for name, value in values.items() if getattr(locked, name) != value)
    for name, value in values.items():
        setattr(locked, name, value)
    try:
        locked.full_clean(exclude=["no"])
    except ValidationError as error:
        raise _refused(locked, error) from None
    if changed:
        locked.save(update_fields=changed)
        audit.record(user, audit.Action.CAMPAIGN_CHANGED, locked, fields=changed)
    for name, value in values.items():
        setattr(campaign, name, value)
    return campaign


@transaction.atomic
def delete_campaigns(campaigns: models.QuerySet, *, user) -> int:
    """Delete campaigns nothing refers to yet (no entry, segment or template); a campaign
    in use is refused by number and nothing is deleted."""
    try:
        deleted = campaigns.delete()[1].get(Campaign._meta.label, 0)
    except ProtectedError:
        raise InteractionError(
            _(
                "%(campaigns)s cannot be deleted: a campaign that interaction log entries, "
                "segments or interaction templates refer to stays."
            )
            % {"campaigns": ", ".join(campaigns.order_by("no").values_list("no", flat=True))},
            code="campaign_in_use",
        ) from None
    if deleted:
        audit.record(user, audit.Action.CAMPAIGNS_DELETED, None, count=deleted)
    return deleted


def single_campaign_entry(*, campaign_id: int, description: str, date, user) -> CampaignEntry:
    """The campaign entry of one interaction logged on its own (no logged segment)."""
    return CampaignEntry.objects.create(
        campaign_id=campaign_id, description=description, date=date, created_by=user
    )


def sync_campaign_entries(campaign_entries: models.QuerySet) -> int:
    """Cancel each of ``campaign_entries`` once every interaction log entry holding it is
    canceled, un-cancel it while one is active (SPEC 8). Two UPDATEs, whatever the number
    of entries; returns how many campaign entries changed."""
    active = Exists(
        InteractionLogEntry.objects.filter(campaign_entry=OuterRef("pk"), canceled=False)
    )
    keys = campaign_entries.order_by().values("pk")
    changed = (
        CampaignEntry.objects.filter(pk__in=keys, canceled=False)
        .exclude(active)
        .record_status(canceled=True)
    )
    return changed + CampaignEntry.objects.filter(pk__in=keys, canceled=True).filter(
        active
    ).record_status(canceled=False)


def held_by(entries: models.QuerySet) -> models.QuerySet:
    """The campaign entries the interaction log entries ``entries`` hold."""
    return CampaignEntry.objects.filter(
        pk__in=entries.filter(campaign_entry__isnull=False).order_by().values("campaign_entry")
    )
