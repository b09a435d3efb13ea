"""Assertions on the audit rows a service call wrote."""

from django.db.models import Max

from audit.models import AuditEntry


def last_pk() -> int:
    """The newest audit row's key before a call: the rows after it are the call's."""
    return AuditEntry.objects.aggregate(last=Max("pk"))["last"] or 0


def the_row(before: int, *, user, action: str, obj) -> AuditEntry:
    """The one row written since ``before``: by ``user``, ``action`` on ``obj``."""
    rows = list(AuditEntry.objects.filter(pk__gt=before).order_by("pk"))
    assert [row.action for row in rows] == [action]
    row = rows[0]
    assert row.user == user
    if obj is None:
        assert (row.content_type, row.object_id) == (None, "")
    else:
        assert row.content_type.model_class() is type(obj)
        assert row.object_id == str(obj.pk)
    return row
