"""Query counts start from an empty log in every test and in the fixtures set up for it
(tests/conftest.py, ``pytest_runtest_setup``). Django empties the log when a test's
database is set up, which is after the module and session fixtures (the demo crawl, the
seeded demo) have counted theirs. The two tests run in this order, in one process."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext


@pytest.fixture(scope="module")
def counted(django_db_setup, django_db_blocker):
    """A module fixture counting the queries of what it sets up, as the demo's do."""
    with django_db_blocker.unblock(), CaptureQueriesContext(connection) as queries:
        get_user_model().objects.count()
    return len(queries)


@pytest.mark.django_db
def test_an_earlier_test_leaves_the_query_log_full():
    connection.queries_log.extend([{"sql": "SELECT 1", "time": "0.000"}] * 9000)
    assert len(connection.queries_log) == connection.queries_log.maxlen


@pytest.mark.django_db
def test_a_fixture_set_up_for_the_next_test_counts_its_queries(counted):
    assert counted == 1
