"""The writers of interactions (SPEC 4.5 and 7), one module per concern.

- ``ledger``: cancel, un-cancel and delete canceled logged segments and entries (SPEC 4.5).
- ``single``: log one interaction with one contact, preview its letter (SPEC 7).
- ``drafts``: keep, log or throw away an unfinished single interaction (SPEC 7).
- ``notes``: a note on an interaction log entry (SPEC 7).
- ``campaigns``: create and edit campaigns, their entries' canceled flag (SPEC 8).
- ``templates``: create or change an interaction template (audited).

The ledger statistics are reads and live in ``interactions.selectors``; they are
re-exported here because callers have always found them on ``interactions.services``.
"""

from ..selectors import (
    group_statistics,
    logged_segment_counts,
    template_statistics,
    with_entry_counts,
)
from .campaigns import (
    CAMPAIGN_FIELDS,
    create_campaign,
    delete_campaigns,
    sync_campaign_entries,
    update_campaign,
)
from .drafts import (
    DRAFT_FIELDS,
    delete_interaction_draft,
    log_interaction_draft,
    save_interaction_draft,
)
from .ledger import (
    LISTED_ENTRIES,
    delete_canceled_logged_segments,
    set_entries_canceled,
    set_logged_segment_canceled,
    summarize_entries,
)
from .notes import add_interaction_note
from .single import (
    SINGLE_PROBLEMS,
    InteractionProblem,
    log_interaction,
    preview_interaction_letter,
)
from .templates import save_interaction_template

__all__ = [
    "CAMPAIGN_FIELDS",
    "DRAFT_FIELDS",
    "LISTED_ENTRIES",
    "SINGLE_PROBLEMS",
    "InteractionProblem",
    "add_interaction_note",
    "create_campaign",
    "delete_campaigns",
    "delete_canceled_logged_segments",
    "delete_interaction_draft",
    "group_statistics",
    "log_interaction",
    "log_interaction_draft",
    "logged_segment_counts",
    "preview_interaction_letter",
    "save_interaction_draft",
    "save_interaction_template",
    "set_entries_canceled",
    "set_logged_segment_canceled",
    "summarize_entries",
    "sync_campaign_entries",
    "template_statistics",
    "update_campaign",
    "with_entry_counts",
]
