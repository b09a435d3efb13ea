"""The API's own writes: tokens and idempotent logging. The domain's writes stay in the
services of the apps below (``segments.services``, ``interactions.services``)."""

from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from segments.exceptions import SegmentError

from .models import IdempotencyKey

__all__ = ["IdempotencyConflict", "get_token", "logged_once", "revoke_token"]


class IdempotencyConflict(SegmentError):
    """The key was used before for another segment."""


def get_token(user) -> Token:
    """The user's API token, created on first use."""
    token, _created = Token.objects.get_or_create(user=user)
    return token


def revoke_token(user) -> int:
    """Delete the user's token: requests with it are refused from now on."""
    return Token.objects.filter(user=user).delete()[0]


@transaction.atomic
def logged_once(
    *, user, key: str, segment_no: str, log: Callable[[], tuple[int, dict, int | None]]
) -> tuple[int, dict]:
    """Run ``log`` once per (user, key); a repeated key answers what the first one did.

    ``log`` logs the segment (or starts its job) and returns the status, the answer and
    the logged segment's key. The key's row is inserted first: a concurrent request with
    the same key waits on it (PostgreSQL's unique index) and then reads the answer the
    first one committed. When logging fails, the row goes with the transaction, so the
    request can be retried with the same key.
    """
    try:
        with transaction.atomic():
            record = IdempotencyKey.objects.create(
                user=user, key=key, segment_no=segment_no, status=0
            )
    except IntegrityError:
        record = IdempotencyKey.objects.get(user=user, key=key)
        if record.segment_no != segment_no:
            raise IdempotencyConflict(
                _(
                    "Idempotency-Key %(key)s was already used to log segment %(used)s; "
                    "use a new key for segment %(no)s."
                )
                % {"key": key, "used": record.segment_no, "no": segment_no},
                code="idempotency_key_reused",
            ) from None
        return record.status, record.response
    status, response, logged_pk = log()
    IdempotencyKey.objects.filter(pk=record.pk).update(
        status=status, response=response, logged_segment_id=logged_pk
    )
    return status, response
