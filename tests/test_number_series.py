"""Number series hand out every number once: in order, past hand-typed codes, concurrently."""

import io
import threading

import pytest
from django.db import close_old_connections

from crm.models import Contact, NumberSeries, next_code
from segments.models import Segment
from tests.factories import CompanyFactory


@pytest.mark.django_db
def test_numbers_follow_each_other_per_series():
    assert next_code("CONTACT", Contact) == "CT000001"
    assert next_code("CONTACT", Contact) == "CT000002"
    assert next_code("SEGMENT", Segment) == "SEG00001"
    assert NumberSeries.objects.get(code="CONTACT").last_no == 2


@pytest.mark.django_db
def test_a_number_typed_by_hand_is_skipped():
    CompanyFactory(no="CT000001")
    CompanyFactory(no="CT000002")
    assert next_code("CONTACT", Contact) == "CT000003"


@pytest.mark.django_db
def test_a_reserved_block_skips_typed_codes_and_next_code_continues_after_it():
    """reserve_numbers (the demo's bulk inserts) and next_code share one series row."""
    from crm.numbering import reserve_numbers

    assert next_code("SEGMENT", Segment) == "SEG00001"
    CompanyFactory(no="CT000002")
    CompanyFactory(no="CT000004")
    assert reserve_numbers("CONTACT", Contact, 3) == ["CT000001", "CT000003", "CT000005"]
    assert NumberSeries.objects.get(code="CONTACT").last_no == 5
    assert next_code("CONTACT", Contact) == "CT000006"
    assert reserve_numbers("SEGMENT", Segment, 2) == ["SEG00002", "SEG00003"]
    assert reserve_numbers("CONTACT", Contact, 0) == []


@pytest.mark.django_db
def test_seeded_contacts_advance_the_series(settings, tmp_path):
    from django.core.management import call_command

    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", contacts=30, stdout=io.StringIO())
    assert Contact.objects.filter(no="CT000030").exists()
    assert next_code("CONTACT", Contact) == "CT000031"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_threads_get_distinct_numbers():
    """On PostgreSQL, 8 threads x 25 calls, each in its own connection, never collide."""
    codes: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(8)
    lock = threading.Lock()

    def work():
        try:
            start.wait()
            mine = [next_code("CONTACT", Contact) for _ in range(25)]
            with lock:
                codes.extend(mine)
        except BaseException as error:  # reported below, in the main thread
            errors.append(error)
        finally:
            close_old_connections()
            from django.db import connection

            connection.close()

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(codes) == 200
    assert len(set(codes)) == 200
    assert sorted(codes) == [f"CT{n:06d}" for n in range(1, 201)]
    assert NumberSeries.objects.get(code="CONTACT").last_no == 200
