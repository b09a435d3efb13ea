"""Interaction templates, the ledger, single interactions and campaigns.

One module per kind; everything is re-exported here, so ``from interactions.models
import X`` works for every model and public helper.
"""

from .base import LedgerQuerySet, LedgerRecord, ReadOnlyRecordError
from .campaigns import Campaign, CampaignEntry, CampaignEntryQuerySet, CampaignStatus
from .entries import (
    InteractionLogEntry,
    InteractionLogEntryQuerySet,
    LoggedSegment,
    LoggedSegmentQuerySet,
    entry_attachment_path,
    entry_document_path,
    set_criteria_describer,
)
from .single import (
    InteractionDraft,
    InteractionNote,
    InteractionNoteQuerySet,
    draft_attachment_path,
)
from .summaries import (
    CampaignContactSummary,
    CampaignSegmentSummary,
    InteractionDaySummary,
    summarize,
)
from .templates import (
    InteractionGroup,
    InteractionTemplate,
    InteractionTemplateLanguage,
    template_document_path,
)

__all__ = [
    "Campaign",
    "CampaignContactSummary",
    "CampaignSegmentSummary",
    "CampaignEntry",
    "CampaignEntryQuerySet",
    "CampaignStatus",
    "InteractionDaySummary",
    "InteractionDraft",
    "InteractionGroup",
    "InteractionLogEntry",
    "InteractionLogEntryQuerySet",
    "InteractionNote",
    "InteractionNoteQuerySet",
    "InteractionTemplate",
    "InteractionTemplateLanguage",
    "LedgerQuerySet",
    "LedgerRecord",
    "LoggedSegment",
    "LoggedSegmentQuerySet",
    "ReadOnlyRecordError",
    "draft_attachment_path",
    "entry_attachment_path",
    "entry_document_path",
    "set_criteria_describer",
    "summarize",
    "template_document_path",
]
