"""Every segments constraint refuses bad rows in full_clean() and in the database."""

import pytest

from segments.models import (
    CriteriaAction,
    SavedCriteria,
    SavedCriteriaAction,
    Segment,
    SegmentLanguage,
    SegmentLine,
)
from tests.constraints import assert_refused
from tests.factories import ContactFactory, SegmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def segment(user):
    return SegmentFactory(no="SEG00001", created_by=user)


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("unit_cost", "Unit cost cannot be negative."),
        ("unit_duration", "Unit duration cannot be negative."),
    ],
)
def test_segment_cost_and_duration_cannot_be_negative(user, field, message):
    assert_refused(Segment(no="SEG00002", created_by=user, **{field: -1}), message)


@pytest.mark.parametrize("field", ["correspondence_type", "information_flow", "initiated_by"])
def test_segment_enums_refuse_unknown_values(user, field):
    assert_refused(
        Segment(no="SEG00002", created_by=user, **{field: "bogus"}),
        "is not a valid choice.",
        field=field,
    )


def test_segment_numbers_are_unique(segment, user):
    assert_refused(Segment(no="SEG00001", created_by=user), "Segment with this No. already exists.")


def line(segment, **values):
    return SegmentLine(
        **{"segment": segment, "line_no": 10000, "contact": ContactFactory(), **values}
    )


def test_a_line_number_is_used_once_per_segment(segment):
    line(segment).save()
    assert_refused(line(segment), "This segment already has a line with this number.")
    # Another segment may use the same number.
    line(SegmentFactory()).full_clean()


@pytest.mark.parametrize(
    ("field", "message"),
    [("cost", "Cost cannot be negative."), ("duration", "Duration cannot be negative.")],
)
def test_line_cost_and_duration_cannot_be_negative(segment, field, message):
    assert_refused(line(segment, **{field: -1}), message)


@pytest.mark.parametrize(
    "field", ["evaluation", "correspondence_type", "information_flow", "initiated_by"]
)
def test_line_enums_refuse_unknown_values(segment, field):
    assert_refused(line(segment, **{field: "bogus"}), "is not a valid choice.", field=field)


def test_line_numbers_hold_64_bits(segment):
    big = line(segment, line_no=10000 * 300_000)
    big.full_clean()
    big.save()
    assert SegmentLine.objects.get(pk=big.pk).line_no == 3_000_000_000


def test_criteria_actions_are_add_reduce_or_refine_and_numbered_once(segment, user):
    assert_refused(
        CriteriaAction(segment=segment, seq=1, action="merge", created_by=user),
        "is not a valid choice.",
        field="action",
    )
    CriteriaAction.objects.create(segment=segment, seq=1, action="add", created_by=user)
    assert_refused(
        CriteriaAction(segment=segment, seq=1, action="reduce", created_by=user),
        "This segment already has a step with this number.",
    )


def test_a_segment_has_one_language_row_per_language(segment):
    SegmentLanguage.objects.create(segment=segment, language="nb")
    assert_refused(
        SegmentLanguage(segment=segment, language="nb"),
        "This segment already has this language.",
    )


def test_saved_criteria_codes_and_steps_are_unique(user):
    saved = SavedCriteria.objects.create(code="OSLO", created_by=user)
    assert_refused(
        SavedCriteria(code="OSLO", created_by=user), "Saved criteria with this Code already exists."
    )
    assert_refused(
        SavedCriteriaAction(saved=saved, seq=1, action="shrink"),
        "is not a valid choice.",
        field="action",
    )
    SavedCriteriaAction.objects.create(saved=saved, seq=1, action="add")
    assert_refused(
        SavedCriteriaAction(saved=saved, seq=1, action="refine"),
        "These saved criteria already have this step.",
    )
