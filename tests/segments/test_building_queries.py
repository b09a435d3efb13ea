"""Building is set-based: the number of queries is the same for 10 and 1,000 contacts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.models import Contact
from segments import services
from segments.models import SegmentLine
from tests.factories import CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db

SIZES = (10, 1000)


@pytest.fixture
def user():
    return UserFactory(password=None)


def world(size: int, user):
    """A segment and ``size`` persons of one company in city ``C<size>``."""
    company = CompanyFactory(no=f"CO{size}", name=f"Company {size}", city="HQ")
    Contact.objects.bulk_create(
        Contact(
            no=f"P{size}-{i:05d}",
            name=f"Person {i:05d}",
            company=company,
            company_name=company.name,
            city=f"C{size}",
            country="NO",
        )
        for i in range(size)
    )
    segment = services.create_segment(user=user, description=f"{size} contacts")
    return segment, {"contact": {"city": f"C{size}", "company": company.no}}


def count_queries(operation) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        result = operation()
    return len(captured.captured_queries), result


def run_for_both_sizes(user, prepare, operation, check):
    counts = {}
    for size in SIZES:
        segment, criteria = world(size, user)
        prepare(segment, criteria)
        counts[size], result = count_queries(lambda: operation(segment, criteria))  # noqa: B023
        check(segment, size, result)
    assert counts[10] == counts[1000], counts
    return counts[10]


def add(segment, criteria, user, **options):
    return services.add_contacts(segment, criteria=criteria, user=user, **options)


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"expand_companies": True, "allow_related_companies": True},
        {"allow_existing": True, "ignore_exclusion": True},
    ],
)
def test_add_contacts_query_count_does_not_grow_with_contacts(
    user, options, django_assert_num_queries
):
    def check(segment, size, action):
        expected = size + 1 if options.get("expand_companies") else size
        assert action.added == expected
        assert SegmentLine.objects.filter(segment=segment).count() == expected

    queries = run_for_both_sizes(
        user, lambda s, c: None, lambda s, c: add(s, c, user, **options), check
    )
    # The pieces: a savepoint pair, lock and read the segment, the action, one
    # INSERT ... SELECT, and the action's counts.
    segment, criteria = world(7, user)
    with django_assert_num_queries(queries):
        add(segment, criteria, user, **options)


@pytest.mark.parametrize("entire_companies", [False, True])
def test_reduce_contacts_query_count_does_not_grow_with_contacts(user, entire_companies):
    def check(segment, size, action):
        assert action.removed == size
        assert not SegmentLine.objects.filter(segment=segment, contact__type="person").exists()

    run_for_both_sizes(
        user,
        lambda s, c: add(s, c, user),
        lambda s, c: services.reduce_contacts(
            s,
            criteria={"contact": {"type": "person"}},
            entire_companies=entire_companies,
            user=user,
        ),
        check,
    )


@pytest.mark.parametrize("entire_companies", [False, True])
def test_refine_contacts_query_count_does_not_grow_with_contacts(user, entire_companies):
    def check(segment, size, action):
        assert action.removed == (0 if entire_companies else size)

    run_for_both_sizes(
        user,
        lambda s, c: add(s, c, user, expand_companies=True),
        lambda s, c: services.refine_contacts(
            s,
            criteria={"contact": {"type": "company"}},
            entire_companies=entire_companies,
            user=user,
        ),
        check,
    )


def test_go_back_of_a_reduce_query_count_does_not_grow_with_contacts(user):
    def prepare(segment, criteria):
        add(segment, criteria, user)
        services.reduce_contacts(segment, criteria=criteria, user=user)

    def check(segment, size, action):
        assert SegmentLine.objects.filter(segment=segment).count() == size

    run_for_both_sizes(user, prepare, lambda s, c: services.go_back(s, user=user), check)


def test_go_back_of_an_add_query_count_does_not_grow_with_contacts(user):
    def check(segment, size, action):
        assert action.added == size
        assert not SegmentLine.objects.filter(segment=segment).exists()

    run_for_both_sizes(
        user,
        lambda s, c: add(s, c, user),
        lambda s, c: services.go_back(s, user=user),
        check,
    )


@pytest.mark.parametrize("action", ["add", "reduce", "refine"])
def test_preview_query_count_does_not_grow_with_contacts(user, action):
    def prepare(segment, criteria):
        if action != "add":
            add(segment, criteria, user)

    def check(segment, size, shown):
        expected = {"add": (size, 0), "reduce": (0, size), "refine": (0, 0)}[action]
        assert (shown.added, shown.removed) == expected
        assert len(shown.sample) == (0 if action == "refine" else min(size, 20))

    run_for_both_sizes(
        user,
        prepare,
        lambda s, c: services.preview(s, action=action, criteria=c),
        check,
    )
