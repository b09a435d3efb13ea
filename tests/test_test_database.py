"""The SQLite test database is a file: every thread connects on its own (tests/conftest.py)."""

import threading

import pytest
from django.db import connection, connections

from crm.models import Contact
from tests.factories import ContactFactory


@pytest.mark.django_db(transaction=True)
def test_another_thread_has_a_connection_of_its_own_and_sees_what_was_committed():
    """The live server's request threads are such threads: sharing the test's connection,
    as they did with an in-memory database, their queries interleaved with the test's."""
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite test database only")
    assert not connection.is_in_memory_db()
    contact = ContactFactory()
    seen = {}

    def look():
        try:
            seen["own connection"] = connections["default"] is not connection
            seen["names"] = list(Contact.objects.values_list("name", flat=True))
        finally:
            connections.close_all()

    thread = threading.Thread(target=look)
    thread.start()
    thread.join()
    assert seen == {"own connection": True, "names": [contact.name]}
