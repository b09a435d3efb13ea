"""Creating and changing contacts outside the admin (the web API).

``create_contact`` and ``update_contact`` validate the whole contact (``full_clean``:
its constraints, a person who is not their own company, the company-change guard of
``Contact``) and record an audit row in the same transaction; a refused contact changes
nothing and gives its number back. The opt-out flags are not theirs: consent goes through
``set_consent``, which records why.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

import audit

from ..models import Contact, next_code

__all__ = ["CONTACT_FIELDS", "create_contact", "update_contact"]

#: What these services set on a contact; ``no`` only when it is created.
CONTACT_FIELDS = frozenset(
    f.name
    for f in Contact._meta.concrete_fields
    if f.editable
    and f.name not in ("id", "no", "company_name", "created_at", "updated_at")
    and not f.name.endswith("_opt_out")
)


def _check_fields(values: dict) -> None:
    unknown = sorted(set(values) - CONTACT_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be set here: %(fields)s.") % {"fields": ", ".join(unknown)},
            code="unknown_field",
        )


@transaction.atomic
def create_contact(*, user, no: str = "", **fields) -> Contact:
    """A new contact; a blank ``no`` takes the next number of the series (CT000001...)."""
    _check_fields(fields)
    contact = Contact(no=(no or "").strip().upper(), **fields)
    if not contact.no:
        # Taken inside this transaction: a refused contact gives its number back.
        contact.no = next_code("CONTACT", Contact)
    contact.full_clean()
    contact.save()
    audit.record(user, audit.Action.CONTACT_CREATED, contact)
    return contact


@transaction.atomic
def update_contact(contact: Contact, *, user, **fields) -> Contact:
    """Change a contact's values; its number and opt-out flags stay as they are."""
    _check_fields(fields)
    if not fields:
        return contact
    locked = Contact.objects.select_for_update().get(pk=contact.pk)
    changed = sorted(name for name, value in fields.items() if getattr(locked, name) != value)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean()
    if changed:
        locked.save()
        audit.record(user, audit.Action.CONTACT_CHANGED, locked, fields=changed)
    for name, value in fields.items():
        setattr(contact, name, value)
    contact.company_name = locked.company_name
    contact.company_id = locked.company_id
    return contact
