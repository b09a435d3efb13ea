"""The criteria preview stays cheap at a million contacts (bench/segments.py measures it)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from segments import services
from tests.factories import ContactFactory, SegmentFactory

pytestmark = pytest.mark.django_db

OSLO = {"contact": {"city": "Oslo"}}


def test_the_add_preview_looks_up_each_contact_in_the_segment_once():
    segment = SegmentFactory()
    services.add_line(segment, contact=ContactFactory(), user=segment.created_by)
    ContactFactory.create_batch(2)
    ContactFactory(exclude_from_segment=True)
    ContactFactory(privacy_blocked=True)
    with CaptureQueriesContext(connection) as captured:
        shown = services.preview(segment, action="add", criteria=OSLO)
    [counting] = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    # One statement counts the pool and each reason; the added count is what is left.
    assert counting.count("segments_segmentline") == 1
    assert shown.added == 2
    assert shown.left_out == {"excluded": 1, "privacy_blocked": 1, "already_on_segment": 1}


@pytest.mark.parametrize("action", ["add", "reduce", "refine"])
def test_a_preview_with_nothing_to_do_does_not_look_for_a_sample(action):
    segment = SegmentFactory()
    services.add_line(segment, contact=ContactFactory(), user=segment.created_by)
    # add: the only contact is already on the segment; reduce: no line is in Bergen;
    # refine: every line is in Oslo.
    criteria = {"contact": {"city": "Bergen" if action == "reduce" else "Oslo"}}
    with CaptureQueriesContext(connection) as captured:
        shown = services.preview(segment, action=action, criteria=criteria)
    assert (shown.added, shown.removed, shown.sample) == (0, 0, [])
    assert not [q for q in captured.captured_queries if "LIMIT 20" in q["sql"]]
