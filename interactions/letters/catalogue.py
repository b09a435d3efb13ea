"""The merge-field catalogue: the fields a letter may use, and text safe to put in XML."""

import re
from collections import OrderedDict

from django.utils.translation import gettext_lazy as _

MERGE_FIELDS: "OrderedDict[str, str]" = OrderedDict(
    [
        ("ContactNo", _("Contact number")),
        ("ContactName", _("Contact name")),
        ("CompanyName", _("Company name")),
        ("JobTitle", _("Job title")),
        ("Address", _("Address")),
        ("Address2", _("Address 2")),
        ("PostCode", _("Post code")),
        ("City", _("City")),
        ("County", _("County")),
        ("Country", _("Country")),
        ("MailingAddress", _("Mailing address (several lines, country only when abroad)")),
        ("Email", _("Email")),
        ("Phone", _("Phone")),
        ("MobilePhone", _("Mobile phone")),
        ("FormalSalutation", _("Formal salutation, in the letter's language")),
        ("InformalSalutation", _("Informal salutation, in the letter's language")),
        ("SalespersonName", _("Salesperson name")),
        ("SalespersonJobTitle", _("Salesperson job title")),
        ("SalespersonEmail", _("Salesperson email")),
        ("SalespersonPhone", _("Salesperson phone")),
        ("DocumentDate", _("Document date, in the letter's language")),
        ("Subject", _("Subject")),
        ("Description", _("Description")),
        ("SegmentNo", _("Segment number")),
        ("EntryNo", _("Interaction log entry number")),
        ("UnsubscribeUrl", _("Link to unsubscribe from emails (no login needed)")),
        ("PersonalNote", _("Personal note of the segment line")),
        ("OurName", _("Our company name")),
        ("OurAddress", _("Our address")),
        ("OurPostCode", _("Our post code")),
        ("OurCity", _("Our city")),
        ("OurCountry", _("Our country")),
        ("OurPhone", _("Our phone")),
        ("OurEmail", _("Our email")),
        ("OurVatNo", _("Our VAT number")),
    ]
)

# Characters XML 1.0 forbids (and lone surrogates, which cannot be encoded): removed from
# every merged value, since python-docx and lxml refuse them and Word cannot open them.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
FIELD_MARK = re.compile(r"«([^«»\s]+)»")


def clean_text(value: str) -> str:
    """``value`` without the characters XML forbids."""
    return XML_FORBIDDEN.sub("", value)
