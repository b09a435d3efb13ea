import pytest

from tests.factories import UserFactory

#: Why the PostgreSQL pass skips what does not depend on the database.
ONCE_REASON = (
    "runs once, in make test's SQLite pass: browser, PDF (LibreOffice) and translation "
    "tests, and tests that cannot reach the database, do not depend on it"
)


def reaches_the_database(item) -> bool:
    """A ``django_db`` mark, or a fixture that sets up the test database (``db``,
    ``live_server``, the demo crawl...: all request ``django_db_setup``); pytest-django
    refuses the database to any other test. (``django_db_blocker`` tells nothing: every
    test requests it.)"""
    return item.get_closest_marker("django_db") is not None or "django_db_setup" in getattr(
        item, "fixturenames", ()
    )


def pytest_configure(config):
    # Tests make hundreds of users; PBKDF2 at full strength would dominate the run time.
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    sqlite_test_database_in_a_file(settings, config)


def sqlite_test_database_in_a_file(settings, config):
    """On SQLite the test database is a file (WAL, as ``make run`` uses it), not memory.

    With an in-memory database the live server's request threads share the test's own
    connection: a request still running (a dropped preview, an htmx refresh) interleaved
    with the next one, or with the test thread's ORM calls (``login_as``, assertions), on
    one SQLite connection, and answered "database table is locked" or "bad parameter or
    other API misuse" or lost what it wrote (tests/browser/test_live_server.py). With a
    file every thread opens a connection of its own and waits for SQLite's locks, as in
    use and as on PostgreSQL. One directory per process (each xdist worker has its own
    database), removed at the end.
    """
    import os
    import shutil
    import tempfile
    from pathlib import Path

    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        return
    # In memory all the same where the machine has a roomy tmpfs (/dev/shm; containers
    # often give it 64 MB): nothing to sync to disk.
    shm = Path("/dev/shm")
    roomy = shm.is_dir() and os.access(shm, os.W_OK) and shutil.disk_usage(shm).free > 2**31
    directory = tempfile.mkdtemp(prefix="crm-test-db-", dir=shm if roomy else None)
    config.add_cleanup(lambda: shutil.rmtree(directory, ignore_errors=True))
    database.setdefault("TEST", {})["NAME"] = str(Path(directory) / "test.sqlite3")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """The fixtures set up for a test count queries from an empty log, as the test does.

    Query counts (``CaptureQueriesContext``) are lengths of the connection's log, which
    keeps 9,000 queries. Django empties it when a test's database is set up, after the
    module and session fixtures (the demo crawl, the seeded demo) have counted theirs: a
    log an earlier test left full made every count of theirs 0 (tests/test_query_log.py).
    """
    from django.db import reset_queries

    reset_queries()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Per database: ``postgres`` tests only on PostgreSQL, ``once`` tests only on SQLite.

    Browser tests (marked ``browser`` by tests/browser/conftest.py, which runs first as
    this hook is ``trylast``) count as ``once``, and so do tests that cannot reach the
    database (no ``django_db`` mark, no database fixture): their outcome is the same on
    either database.
    """
    from django.db import connection

    if connection.vendor == "postgresql":
        skip = pytest.mark.skip(reason=ONCE_REASON)
        for item in items:
            once = "once" in item.keywords or "browser" in item.keywords
            if once or not reaches_the_database(item):
                item.add_marker(skip)
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (runs in make test's PostgreSQL pass)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _no_pdf_in_the_postgres_pass():
    """On PostgreSQL, letters.pdf_available() is False: LibreOffice runs in one pass only.

    Print batches and letters still merge; only the conversion to PDF, which does not
    touch the database, is left to the SQLite pass.
    """
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    before = settings.LIBREOFFICE_BINARY
    settings.LIBREOFFICE_BINARY = "no-libreoffice-in-the-postgresql-pass"
    yield
    settings.LIBREOFFICE_BINARY = before


@pytest.fixture(autouse=True)
def _language_does_not_leak():
    """Back to the default language after each test.

    A request through the test client activates its language in this thread and leaves
    it active: after a Norwegian page (tests/test_translations.py), the next test's
    messages were Norwegian and an English assertion failed, depending on the order.
    """
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def staff(db):
    return UserFactory(username="staff", groups=["Marketing staff"])


@pytest.fixture
def manager(db):
    return UserFactory(username="manager", groups=["Marketing manager"])


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def admin_client_(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture(scope="session")
def demo_crawl(django_db_setup, django_db_blocker, tmp_path_factory):
    """The crawl of the demo as every role (tests/crawl.py), done once per run.

    The demo is seeded and crawled inside a transaction that is rolled back, so no other
    test sees its data; what is kept is the plain record of the visits.
    """
    from django.db import transaction
    from django.test import override_settings

    from tests.crawl import crawl_demo

    media = tmp_path_factory.mktemp("crawl-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        crawl = crawl_demo()
        transaction.set_rollback(True)
    return crawl


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """make test's ``--dist loadfile``, the slowest files first (tests/scheduling.py)."""
    if config.getvalue("dist") != "loadfile":
        return None
    from tests.scheduling import SlowestFirst

    return SlowestFirst(config, log)
