"""The live server the browser tests drive, on the SQLite test database in a file
(tests/conftest.py: ``sqlite_test_database_in_a_file``)."""

import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings

from segments.models import SegmentLine
from tests.factories import ContactFactory, SegmentFactory


@pytest.mark.django_db(transaction=True)
def test_requests_at_once_neither_fail_nor_lose_what_another_wrote(live_server, client, admin_user):
    """As the criteria dialog does: previews still running while Apply is posted. 40
    applies (one city each) and 40 previews from 8 threads: every answer 200, every line
    there. With the in-memory SQLite test database, whose one connection the server's
    threads shared, some answered 503 or 500 ("database table is locked") and lines went
    missing."""
    for n in range(40):
        ContactFactory(city=f"City{n}")
    segment = SegmentFactory()
    client.force_login(admin_user)
    csrf = "x" * 32
    cookie = (
        f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}; "
        f"{settings.CSRF_COOKIE_NAME}={csrf}"
    )
    apply_url = f"{live_server.url}/segments/{segment.pk}/criteria/add/"

    def post(n: int) -> int:
        fields = {"contact-city": f"City{n // 2}", "csrfmiddlewaretoken": csrf}
        request = urllib.request.Request(
            apply_url if n % 2 == 0 else apply_url + "preview/",
            data=urllib.parse.urlencode(fields).encode(),
            headers={"Cookie": cookie, "Referer": live_server.url + "/"},
        )
        try:
            with urllib.request.urlopen(request) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(post, range(80)))

    assert statuses == [200] * 80
    cities = SegmentLine.objects.filter(segment=segment).values_list("contact__city", flat=True)
    assert sorted(cities) == sorted(f"City{n}" for n in range(40))
