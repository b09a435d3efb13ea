"""The right to erasure (SPEC 9): ``erase_contact``.

``crm`` cannot import the apps above it, yet the contact's personal data also sits in
their tables (interaction log entries, segment lines, stored letters). Each of those apps
registers a *scrubber* in ``ERASURE_SCRUBBERS`` from its ``AppConfig.ready``; the
service calls them all inside its one transaction, so the erasure is all or nothing.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

import audit

from ..choices import ContactType
from ..models import Contact, ErasureRecord, refresh_segment_sort_keys

__all__ = ["ERASURE_SCRUBBERS", "Erasure", "ErasureError", "erase_contact", "erased_name"]

#: The contact fields that hold personal data, blanked by the erasure (the name becomes
#: ``erased_name``).
PERSONAL_FIELDS = (
    "first_name",
    "middle_name",
    "surname",
    "initials",
    "job_title",
    "address",
    "address_2",
    "post_code",
    "city",
    "county",
    "phone",
    "mobile_phone",
    "email",
    "home_page",
)


class ErasureError(ValidationError):
    """An erasure that cannot be done; nothing changed."""


@dataclass
class Erasure:
    """What one erasure is about, handed to every scrubber.

    A scrubber adds its counts to ``counts`` and the names of stored files that may hold
    personal data to ``files``; those no row refers to any more are deleted after the
    commit.
    """

    contact: Contact
    user: object
    former: Mapping[str, str]
    counts: dict[str, int] = field(default_factory=dict)
    files: set[str] = field(default_factory=set)


#: Called in order, inside the erasure's transaction, with the ``Erasure``. Higher apps
#: append theirs in ``AppConfig.ready``.
ERASURE_SCRUBBERS: list[Callable[[Erasure], None]] = []


def erased_name(contact: Contact) -> str:
    """The name an erased contact keeps: "Erased contact CT000123" (not translated)."""
    return f"Erased contact {contact.no}"


@transaction.atomic
def erase_contact(contact: Contact, *, user, reason: str) -> ErasureRecord:
    """Blank the contact's personal data everywhere; statistics keep their figures."""
    if not user.has_perm("crm.erase_contact"):
        raise PermissionDenied(_("Only administrators may erase a contact."))
    reason = (reason or "").strip()
    if not reason:
        raise ErasureError(
            _("Contact %(no)s cannot be erased: give a reason.") % {"no": contact.no},
            code="reason_required",
        )
    locked = Contact.objects.select_for_update().filter(pk=contact.pk).order_by().first()
    if locked is None:
        raise ErasureError(
            _("Contact %(no)s no longer exists.") % {"no": contact.no}, code="missing"
        )
    if locked.erased:
        raise ErasureError(
            _("Contact %(no)s has already been erased.") % {"no": locked.no},
            code="already_erased",
        )
    erasure = Erasure(
        contact=locked,
        user=user,
        former={name: getattr(locked, name) for name in ("name", *PERSONAL_FIELDS)},
    )
    name = erased_name(locked)
    blank = {name: "" for name in PERSONAL_FIELDS}
    # Privacy blocked too: no segment adds it and no logging writes to it again.
    Contact.objects.filter(pk=locked.pk).update(
        name=name, erased=True, privacy_blocked=True, **blank
    )
    if locked.type == ContactType.COMPANY:
        erasure.counts["member_company_names"] = (
            Contact.objects.filter(company=locked.pk)
            .exclude(pk=locked.pk)
            .update(company_name=name)
        )
        Contact.objects.filter(pk=locked.pk).update(company_name=name)
    # The new name moves the contact (and a company's persons) in the segment line order.
    refresh_segment_sort_keys(Contact.objects.filter(Q(pk=locked.pk) | Q(company=locked.pk)))
    # The admin's history keeps a text copy of the contact's name.
    erasure.counts["admin_log_entries"] = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Contact), object_id=str(locked.pk)
    ).update(object_repr=name, change_message="")
    for scrubber in ERASURE_SCRUBBERS:
        scrubber(erasure)
    record = ErasureRecord.objects.create(
        contact_no=locked.no, reason=reason, counts=erasure.counts, created_by=user
    )
    audit.record(user, audit.Action.CONTACT_ERASED, locked, **erasure.counts)
    # Last, once every row is written: deleted at commit time instead, a file would stay
    # on disk wherever the commit hook does not run (a caller's test transaction, a
    # crash in between), and personal data would outlive the erasure.
    record.counts["files"] = delete_unreferenced_files(sorted(erasure.files - {""}))
    ErasureRecord.objects.filter(pk=record.pk).update(counts=record.counts)
    for attribute, value in {
        "name": name,
        "erased": True,
        "privacy_blocked": True,
        **blank,
    }.items():
        setattr(contact, attribute, value)
    return record


def delete_unreferenced_files(names: list[str]) -> int:
    """Delete the stored files in ``names`` that no file field of any model refers to."""
    file_fields = [
        (model, f.name)
        for model in apps.get_models()
        for f in model._meta.concrete_fields
        if isinstance(f, models.FileField)
    ]
    deleted = 0
    for name in names:
        if any(model._base_manager.filter(**{f: name}).exists() for model, f in file_fields):
            continue
        if default_storage.exists(name):
            default_storage.delete(name)
            deleted += 1
    return deleted
