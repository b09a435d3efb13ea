"""Contacts and the reference tables that describe them.

A package for size; every name stays importable from ``crm.models``.
"""

from ..choices import (
    ConsentChannel,
    ConsentSource,
    ContactType,
    CorrespondenceType,
    blank_or,
    country_name,
)
from ..erasure_models import ErasureRecord
from ..fields import service_flag
from ..preferences_models import UserPreferences
from .consent import ConsentEvent, ConsentEventQuerySet
from .contacts import COMPANY_CHANGE_GUARDS, Contact, ContactQuerySet, protect_members
from .reference import (
    CODE_LENGTH,
    SERIES_DEFAULTS,
    SHORT_CODE_LENGTH,
    BusinessRelation,
    CodedModel,
    CompanyInformation,
    IndustryGroup,
    JobResponsibility,
    MailingGroup,
    NumberSeries,
    Salesperson,
    Salutation,
    SalutationFormula,
    Territory,
    ensure_series,
    next_code,
)
from .sorting import (
    refresh_segment_sort_keys,
    segment_sort_key,
    segment_sort_key_expression,
)

__all__ = [
    "ConsentChannel",
    "ConsentSource",
    "ContactType",
    "CorrespondenceType",
    "blank_or",
    "country_name",
    "service_flag",
    "CODE_LENGTH",
    "COMPANY_CHANGE_GUARDS",
    "SERIES_DEFAULTS",
    "SHORT_CODE_LENGTH",
    "BusinessRelation",
    "CodedModel",
    "CompanyInformation",
    "ConsentEvent",
    "ConsentEventQuerySet",
    "Contact",
    "ContactQuerySet",
    "ErasureRecord",
    "IndustryGroup",
    "JobResponsibility",
    "MailingGroup",
    "NumberSeries",
    "Salesperson",
    "Salutation",
    "SalutationFormula",
    "Territory",
    "UserPreferences",
    "ensure_series",
    "next_code",
    "protect_members",
    "refresh_segment_sort_keys",
    "segment_sort_key",
    "segment_sort_key_expression",
]
