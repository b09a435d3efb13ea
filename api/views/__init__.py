"""The web API (SPEC 10): thin views over ``segments.services`` and ``interactions.services``.

A view parses its input with a serializer, calls one service and answers what the
service returned; a service's refusal becomes problem details (``api.problems``) with the
service's message. Permissions are the roles' codenames, as the pages check them. One
module per resource; ``api.urls`` names the views from here.
"""

from .campaigns import CampaignDetail, CampaignList, CampaignStatistics
from .contacts import ContactDetail, ContactList
from .criteria import (
    ActionList,
    AddView,
    CriteriaActionView,
    GoBackView,
    PreviewView,
    ReduceView,
    RefineView,
    ReuseCriteriaView,
    SaveCriteriaView,
)
from .interactions import EntryDetail, EntryLetter, EntryList, InteractionCreate, NoteList
from .ledger import (
    FollowUpView,
    LoggedSegmentCancel,
    LoggedSegmentDetail,
    LoggedSegmentList,
    LogView,
)
from .segments import LineDetail, LineList, SegmentDetail, SegmentList

__all__ = [
    "CampaignDetail",
    "CampaignList",
    "CampaignStatistics",
    "ActionList",
    "AddView",
    "ContactDetail",
    "ContactList",
    "CriteriaActionView",
    "EntryDetail",
    "EntryLetter",
    "EntryList",
    "FollowUpView",
    "GoBackView",
    "InteractionCreate",
    "LineDetail",
    "LineList",
    "LogView",
    "LoggedSegmentCancel",
    "LoggedSegmentDetail",
    "LoggedSegmentList",
    "NoteList",
    "PreviewView",
    "ReduceView",
    "RefineView",
    "ReuseCriteriaView",
    "SaveCriteriaView",
    "SegmentDetail",
    "SegmentList",
]
