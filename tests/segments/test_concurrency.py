"""Concurrent building steps on one segment (PostgreSQL, real threads, one connection each).

The segment row lock serialises the steps: each reads the last action number and line
number only once it holds the lock, so concurrent steps follow each other instead of
colliding on the action sequence (an IntegrityError, a 500 on the page).
"""

import threading

import pytest
from django.db import close_old_connections, connection, transaction
from django.test import Client
from django.urls import reverse

from crm.models import Contact
from segments import services
from segments.exceptions import SegmentError
from segments.models import CriteriaAction, RemovedLine, Segment, SegmentLine
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 4


def run_at_once(work, count: int = THREADS) -> list:
    """Run ``work(i)`` in ``count`` threads released together; the outcomes, in any order."""
    barrier = threading.Barrier(count)
    outcomes = []
    lock = threading.Lock()

    def run(i):
        try:
            barrier.wait()
            outcome = work(i)
        except BaseException as error:  # reported in the main thread
            outcome = error
        finally:
            close_old_connections()
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def world(contacts: int = 30):
    user = UserFactory(password=None, username="builder", groups=["Marketing staff"])
    Contact.objects.bulk_create(
        Contact(no=f"CN{i:04d}", name=f"Person {i:04d}", country="NO", company_name="")
        for i in range(contacts)
    )
    segment = services.create_segment(user=user, description="Concurrent")
    return user, segment


def assert_consistent(segment: Segment) -> None:
    """Actions numbered 1..n, line numbers distinct, every action's counts true."""
    seqs = list(segment.actions.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    line_nos = list(SegmentLine.objects.filter(segment=segment).values_list("line_no", flat=True))
    assert len(line_nos) == len(set(line_nos))
    for action in segment.actions.all():
        kept = SegmentLine.objects.filter(added_by=action).count()
        removed = RemovedLine.objects.filter(added_by=action).count()
        assert action.added == kept + removed, action


def test_four_concurrent_identical_adds_follow_each_other():
    user, segment = world(30)
    criteria = {"contact": {"country": "NO"}}

    outcomes = run_at_once(lambda i: services.add_contacts(segment, criteria=criteria, user=user))

    assert all(isinstance(outcome, CriteriaAction) for outcome in outcomes), outcomes
    assert sorted(outcome.seq for outcome in outcomes) == [1, 2, 3, 4]
    # The first adds every contact; the others find them on the segment already.
    assert sorted(outcome.added for outcome in outcomes) == [0, 0, 0, 30]
    contacts = list(SegmentLine.objects.filter(segment=segment).values_list("contact", flat=True))
    assert len(contacts) == 30 and len(set(contacts)) == 30
    assert_consistent(segment)


def test_concurrent_adds_with_existing_contacts_allowed_get_distinct_line_numbers():
    user, segment = world(25)
    criteria = {"contact": {"country": "NO"}}

    outcomes = run_at_once(
        lambda i: services.add_contacts(segment, criteria=criteria, allow_existing=True, user=user)
    )

    assert all(isinstance(outcome, CriteriaAction) for outcome in outcomes), outcomes
    assert sorted(outcome.added for outcome in outcomes) == [25] * THREADS
    assert SegmentLine.objects.filter(segment=segment).count() == 25 * THREADS
    assert_consistent(segment)


def test_concurrent_mixed_steps_follow_each_other():
    user, segment = world(20)
    services.add_contacts(segment, criteria={"contact": {"country": "NO"}}, user=user)
    Contact.objects.create(no="SE0001", name="Person SE", country="SE")
    reduce = {"contact": {"no": "CN0002"}}
    steps = [
        lambda: services.add_line(segment, contact="SE0001", user=user),
        lambda: services.reduce_contacts(segment, criteria=reduce, user=user),
        lambda: services.refine_contacts(
            segment, criteria={"contact": {"name": "Person"}}, user=user
        ),
        lambda: services.remove_line(
            SegmentLine.objects.filter(segment=segment, contact__no="CN0003").first(), user=user
        ),
    ]

    outcomes = run_at_once(lambda i: steps[i]())

    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    assert segment.actions.count() == 5
    assert_consistent(segment)
    # Going back five times undoes all of it, whatever order the steps ran in.
    for _ in range(5):
        services.go_back(segment, user=user)
    assert not SegmentLine.objects.filter(segment=segment).exists()


def test_concurrent_add_line_for_one_contact_adds_a_line_each_one_after_the_other():
    """A manual add adds its line whatever the segment holds (SPEC 4.1); at once, the
    lock makes them follow each other: distinct line numbers and actions, no error."""
    user, segment = world(3)

    outcomes = run_at_once(lambda i: services.add_line(segment, contact="CN0001", user=user))

    assert all(isinstance(outcome, SegmentLine) for outcome in outcomes), outcomes
    assert sorted(line.line_no for line in outcomes) == [10000, 20000, 30000, 40000]
    lines = SegmentLine.objects.filter(segment=segment)
    assert sorted(lines.values_list("contact__no", flat=True)) == ["CN0001"] * THREADS
    assert sorted(segment.actions.values_list("seq", flat=True)) == [1, 2, 3, 4]
    assert_consistent(segment)


def test_four_concurrent_criteria_posts_through_the_page_never_answer_500():
    user, segment = world(30)
    url = reverse("segments:criteria", args=[segment.pk, "add"])

    def post(i):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        return client.post(url, {"contact-country": "NO"})

    responses = run_at_once(post)

    assert not [r for r in responses if isinstance(r, BaseException)], responses
    assert sorted(r.status_code for r in responses) == [302] * THREADS
    assert sorted(segment.actions.values_list("added", flat=True)) == [0, 0, 0, 30]
    contacts = list(SegmentLine.objects.filter(segment=segment).values_list("contact", flat=True))
    assert len(contacts) == 30 and len(set(contacts)) == 30
    assert_consistent(segment)


def test_concurrent_add_line_posts_through_the_page_never_answer_500():
    user, segment = world(3)
    url = reverse("segments:line-add", args=[segment.pk])

    def post(i):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        return client.post(url, {"contact": "CN0002"})

    responses = run_at_once(post)

    assert not [r for r in responses if isinstance(r, BaseException)], responses
    assert sorted(r.status_code for r in responses) == [302] * THREADS
    assert SegmentLine.objects.filter(segment=segment).count() == THREADS


def test_a_line_edit_waits_for_the_step_holding_the_segment():
    """A line edit takes the segment lock: it waits for a step in progress, then finds
    the line that step removed gone and says so."""
    user, segment = world(3)
    services.add_contacts(segment, criteria={"contact": {"country": "NO"}}, user=user)
    line = SegmentLine.objects.filter(segment=segment).order_by("line_no").first()
    outcome = []

    def edit():
        try:
            outcome.append(services.set_line_values(line, description="Edited", user=user))
        except SegmentError as error:
            outcome.append(error)
        finally:
            connection.close()

    with transaction.atomic():
        services.go_back(segment, user=user)  # holds the segment until the block ends
        thread = threading.Thread(target=edit)
        thread.start()
        thread.join(timeout=1)
        assert thread.is_alive() and not outcome  # waiting for the lock
    thread.join()

    assert [error.messages for error in outcome] == [
        [f"Line {line.line_no} is no longer on segment {segment.no}."]
    ]
    assert outcome[0].code == "line_missing"
