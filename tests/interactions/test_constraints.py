"""Every interactions constraint refuses bad rows in full_clean() and in the database."""

import datetime

import pytest

from interactions.models import (
    InteractionGroup,
    InteractionLogEntry,
    InteractionTemplate,
    InteractionTemplateLanguage,
    LoggedSegment,
)
from tests.constraints import assert_refused
from tests.factories import (
    ContactFactory,
    InteractionGroupFactory,
    InteractionTemplateFactory,
    InteractionTemplateLanguageFactory,
)
from tests.ledger_data import logged_segment

pytestmark = pytest.mark.django_db


@pytest.fixture
def group():
    return InteractionGroupFactory(code="LETTER")


def template(group, **values):
    return InteractionTemplate(**{"code": "OFFER", "group": group, **values})


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("unit_cost", "Unit cost cannot be negative."),
        ("unit_duration", "Unit duration cannot be negative."),
    ],
)
def test_template_cost_and_duration_cannot_be_negative(group, field, message):
    assert_refused(template(group, **{field: -1}), message)


@pytest.mark.parametrize("field", ["information_flow", "initiated_by", "correspondence_type"])
def test_template_enums_refuse_unknown_values(group, field):
    assert_refused(template(group, **{field: "sideways"}), "is not a valid choice.", field=field)


def test_template_codes_are_unique(group):
    InteractionTemplateFactory(code="OFFER")
    assert_refused(template(group), "Interaction template with this Code already exists.")


def test_group_codes_are_unique(group):
    assert_refused(
        InteractionGroup(code="LETTER"), "Interaction group with this Code already exists."
    )


def test_a_template_has_one_version_per_language():
    version = InteractionTemplateLanguageFactory(language="nb")
    assert_refused(
        InteractionTemplateLanguage(template=version.template, language="nb"),
        "This template already has this language.",
    )


def entry(user, **values):
    contact = ContactFactory()
    return InteractionLogEntry(
        **{
            "contact": contact,
            "contact_name": contact.name,
            "date": datetime.date(2026, 3, 1),
            "created_by": user,
            **values,
        }
    )


@pytest.mark.parametrize(
    ("field", "message"),
    [("cost", "Cost cannot be negative."), ("duration", "Duration cannot be negative.")],
)
def test_entry_cost_and_duration_cannot_be_negative(user, field, message):
    assert_refused(entry(user, **{field: -5}), message)


@pytest.mark.parametrize(
    "field",
    ["evaluation", "delivery_status", "correspondence_type", "information_flow", "initiated_by"],
)
def test_entry_enums_refuse_unknown_values(user, field):
    assert_refused(entry(user, **{field: "bogus"}), "is not a valid choice.", field=field)


def test_a_segment_is_logged_once(user):
    logged_segment(user, segment_no="SEG00001")
    assert_refused(
        LoggedSegment(segment_no="SEG00001", created_by=user),
        "Logged segment with this Segment no. already exists.",
    )
