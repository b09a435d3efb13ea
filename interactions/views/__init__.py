"""Pages of the ledger: logged segments, interaction log entries, templates, statistics,
and interactions with one contact; one module per page family.

Views stay thin: a form or FilterSet parses the request, one service or query does the
work, a message reports the outcome. Rules live in ``services``, ``letters`` and
``delivery``. Every view is importable from here, as it was from the one module before.
"""

from .base import CANCEL_PERMISSION, DOCX, PAGE_SIZE, Permission, entry_rows
from .entries import (
    EXPORT_COLUMNS,
    EntryCancelView,
    EntryDetailView,
    EntryExportView,
    EntryLetterView,
    EntryListView,
)
from .logged_segments import (
    DeleteCanceledLoggedSegmentsView,
    LoggedSegmentCancelView,
    LoggedSegmentDetailView,
    LoggedSegmentListView,
    PrintBatchView,
)
from .single import (
    CONTACT_MATCHES,
    LOG_PERMISSION,
    AddNoteView,
    DraftDeleteView,
    EntryAttachmentView,
    LetterPreviewView,
    LogInteractionView,
)
from .statistics import StatisticsView
from .templates import (
    GroupCreateView,
    GroupListView,
    GroupUpdateView,
    StarterDocumentView,
    TemplateCreateView,
    TemplateDeleteView,
    TemplateDetailView,
    TemplateLanguageCreateView,
    TemplateLanguageDeleteView,
    TemplateLanguageDocumentView,
    TemplateLanguageReportView,
    TemplateLanguageUpdateView,
    TemplateListView,
    TemplateUpdateView,
)

__all__ = [
    "CANCEL_PERMISSION",
    "CONTACT_MATCHES",
    "DOCX",
    "EXPORT_COLUMNS",
    "LOG_PERMISSION",
    "PAGE_SIZE",
    "AddNoteView",
    "DeleteCanceledLoggedSegmentsView",
    "DraftDeleteView",
    "EntryAttachmentView",
    "EntryCancelView",
    "EntryDetailView",
    "EntryExportView",
    "EntryLetterView",
    "EntryListView",
    "GroupCreateView",
    "GroupListView",
    "GroupUpdateView",
    "LetterPreviewView",
    "LogInteractionView",
    "LoggedSegmentCancelView",
    "LoggedSegmentDetailView",
    "LoggedSegmentListView",
    "Permission",
    "PrintBatchView",
    "StarterDocumentView",
    "StatisticsView",
    "TemplateCreateView",
    "TemplateDeleteView",
    "TemplateDetailView",
    "TemplateLanguageCreateView",
    "TemplateLanguageDeleteView",
    "TemplateLanguageDocumentView",
    "TemplateLanguageReportView",
    "TemplateLanguageUpdateView",
    "TemplateListView",
    "TemplateUpdateView",
    "entry_rows",
]
