"""Check a row is refused twice: by full_clean() (what forms run) and by the database."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction


def assert_refused(instance, message: str, *, field: str | None = None) -> None:
    """``full_clean()`` names the problem, and an unchecked INSERT fails in the database."""
    with pytest.raises(ValidationError) as error:
        instance.full_clean()
    messages = error.value.message_dict
    found = messages.get(field, []) if field else [m for ms in messages.values() for m in ms]
    assert any(message in text for text in found), messages
    model = type(instance)
    before = model._base_manager.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        # bulk_create skips save() and full_clean(): only the database stands in the way.
        model._base_manager.bulk_create([instance])
    assert model._base_manager.count() == before
