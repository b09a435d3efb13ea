"""The one writer of the audit trail."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import Action, AuditEntry

#: Longest object name kept (the column's length).
REPR_LENGTH = AuditEntry._meta.get_field("object_repr").max_length


#: Set while a service runs other services as steps of the one change it records itself.
_steps_of_one_change: ContextVar[bool] = ContextVar("audit_steps", default=False)


@contextmanager
def steps() -> Iterator[None]:
    """Inside, ``record`` writes nothing: the services called are steps of one change.

    Reusing saved criteria runs one criteria step per saved action, a follow-up segment
    is built by other services: the outer service records the one row, with totals.
    """
    token = _steps_of_one_change.set(True)
    try:
        yield
    finally:
        _steps_of_one_change.reset(token)


def object_name(obj: models.Model) -> str:
    """What the row calls ``obj``: its ``audit_repr()`` when it has one, else ``str(obj)``.

    A model whose ``__str__`` shows personal data (a contact's name) defines
    ``audit_repr`` to name itself by its number, so the append-only trail holds none.
    """
    name = obj.audit_repr() if hasattr(obj, "audit_repr") else str(obj)
    return name[:REPR_LENGTH]


def changed_fields(instance: models.Model, values: dict[str, Any]) -> list[str]:
    """The names in ``values`` whose value differs from ``instance``'s, sorted.

    Call it before setting the values; a related object is compared by its key, so no
    related row is read.
    """
    changed = []
    for name, value in values.items():
        field = instance._meta.get_field(name)
        new = value.pk if isinstance(value, models.Model) else value
        if getattr(instance, field.attname) != new:
            changed.append(name)
    return sorted(changed)


def record(
    user, action: Action | str, obj: models.Model | None, /, **details: Any
) -> AuditEntry | None:
    """Write one audit row: ``user`` did ``action`` to ``obj`` (None: to no single object).

    Call it inside the service's transaction, once per state change (logging 100,000
    lines is one row whose details count them). ``user`` may be None or anonymous (a link
    in an email, the system); ``details`` are JSON values: counts and field names.
    Returns the row, or None inside ``steps()`` (the caller records the change).
    """
    action = Action(action)  # an unknown code is a programming error: ValueError
    if _steps_of_one_change.get():
        return None
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    entry = AuditEntry(user=user, action=action.value, details=details)
    if obj is not None:
        if obj.pk is None:
            raise ValueError("An audit row names a saved object.")
        entry.content_type = ContentType.objects.get_for_model(obj)
        entry.object_id = str(obj.pk)
        entry.object_repr = object_name(obj)
    entry.save()
    return entry


record.alters_data = True
