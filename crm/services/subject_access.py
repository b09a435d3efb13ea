"""The subject access export (SPEC 9): ``export_contact_data``.

The zip holds ``contact.json`` (the contact and its consent events), ``entries.csv`` and
``letters/``. The last two come from the apps above ``crm``: each registers an exporter
in ``CONTACT_DATA_EXPORTERS`` from its ``AppConfig.ready``.
"""

import json
import zipfile
from collections.abc import Callable
from typing import BinaryIO

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model

from ..models import ConsentEvent, Contact

__all__ = ["CONTACT_DATA_EXPORTERS", "export_contact_data"]

#: Each is called with the contact and the open zip file, and writes its members into it.
CONTACT_DATA_EXPORTERS: list[Callable[[Contact, zipfile.ZipFile], None]] = []

#: Contact fields left out of ``contact.json``: keys and bookkeeping, not data about them.
SKIPPED = {"id", "company"}


def _row(obj: Model, skipped=frozenset()) -> dict:
    row = {}
    for f in obj._meta.concrete_fields:
        if f.name in skipped:
            continue
        if f.is_relation:
            related = getattr(obj, f.name)
            row[f.name] = str(related) if related is not None else None
        else:
            row[f.name] = getattr(obj, f.attname)
    return row


def _consent_events(contact: Contact) -> list[dict]:
    events = ConsentEvent.objects.filter(contact=contact).order_by("created_at", "pk")
    return [_row(event, {"id", "contact"}) for event in events]


def _contact_data(contact: Contact) -> dict:
    data = _row(contact, SKIPPED)
    data["company"] = contact.company.no if contact.company_id else None
    for name in ("mailing_groups", "job_responsibilities", "industry_groups"):
        data[name] = list(getattr(contact, name).values_list("code", flat=True))
    data["business_relations"] = list(contact.business_relations.values_list("code", flat=True))
    data["consent_events"] = _consent_events(contact)
    return data


def export_contact_data(contact: Contact, stream: BinaryIO) -> None:
    """Write the zip of everything held about ``contact`` into the binary ``stream``."""
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "contact.json",
            json.dumps(_contact_data(contact), cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        )
        for exporter in CONTACT_DATA_EXPORTERS:
            exporter(contact, archive)
