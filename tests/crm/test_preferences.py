"""A user's own settings: the columns each table shows (crm.services.save_columns)."""

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEntry
from crm import services
from crm.models import UserPreferences
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OFFERED = ["line_no", "subject", "date", "cost"]
DEFAULT = ["subject", "date"]


def test_columns_are_saved_per_user_and_table_in_the_table_order():
    user, other = UserFactory(), UserFactory()
    shown = services.save_columns(user, table="lines", columns=["cost", "line_no"], offered=OFFERED)
    assert shown == ["line_no", "cost"]
    services.save_columns(user, table="contacts", columns=["date"], offered=OFFERED)
    assert UserPreferences.objects.get(user=user).columns == {
        "lines": ["line_no", "cost"],
        "contacts": ["date"],
    }
    assert services.shown_columns(user, "lines", OFFERED, DEFAULT) == ["line_no", "cost"]
    # Another user, and a user who never chose, see the defaults.
    assert services.shown_columns(other, "lines", OFFERED, DEFAULT) == DEFAULT
    assert not UserPreferences.objects.filter(user=other).exists()
    entry = AuditEntry.objects.filter(action="preferences_changed").first()
    assert (entry.user, entry.details) == (user, {"table": "contacts"})


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        (["subject", "password"], "This table has no column password."),
        ([], "Choose at least one column to show."),
    ],
)
def test_bad_choices_are_refused_and_change_nothing(columns, message):
    user = UserFactory()
    services.save_columns(user, table="lines", columns=["cost"], offered=OFFERED)
    with pytest.raises(ValidationError) as refused:
        services.save_columns(user, table="lines", columns=columns, offered=OFFERED)
    assert refused.value.messages == [message]
    assert UserPreferences.objects.get(user=user).columns == {"lines": ["cost"]}


def test_a_column_the_table_no_longer_offers_is_left_out():
    user = UserFactory()
    services.save_columns(user, table="lines", columns=["line_no", "cost"], offered=OFFERED)
    assert services.shown_columns(user, "lines", ["subject", "cost"], ["subject"]) == ["cost"]
    assert services.shown_columns(user, "lines", ["subject"], ["subject"]) == ["subject"]
