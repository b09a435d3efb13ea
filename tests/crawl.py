"""Walk the application as each demo role does: every page reachable from the home page.

``crawl_demo()`` seeds the demo (small), then for each role follows every ``<a href>`` and
``hx-get`` from the home page, GETs each URL at most a few times per URL pattern, and
records what it saw: status, queries, whether the GET wrote anything. The tests in
tests/test_crawl.py and tests/test_url_coverage.py judge the result.
"""

import io
import re
import traceback
from collections import defaultdict, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, reset_queries
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve, reverse

ROLES = ("marketing", "manager", "admin")
CONTACTS = 80
#: How many URLs of one pattern (and one kind: link or htmx) each role visits.
PER_PATTERN = 3
#: Patterns with one page per demo record worth seeing: each segment being built.
PER_PATTERN_EXCEPTIONS = {"segments:segment-detail": 6, "segments:letters": 6}
#: Never requested: what they do is not a page.
NOT_VISITED = {
    "logout": "logs the user out",
    "admin:logout": "logs the user out",
}
#: URL paths never requested, with the reason.
NOT_VISITED_PATHS = {
    re.compile(r"^/segments/\d+/letters/pdf/$"): (
        "converts with LibreOffice (seconds per call): tests/segments/test_outputs.py"
    ),
}
#: Statements that are not the page changing data: the session and the login time.
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
HARMLESS_WRITE = re.compile(r"django_session|\"last_login\"|last_login", re.IGNORECASE)
#: Writes a GET is known to make, by URL pattern prefix: (statement start, why). Each is a
#: GET that changes data, reported as such; the crawl names them rather than hiding them.
KNOWN_GET_WRITES: dict[str, tuple[str, str]] = {}


class Links(HTMLParser):
    """``<a href>`` and every element's ``hx-get``, in document order."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value and name == "hx-get":
                self.found.append((value, True))
            elif value and name == "href" and tag == "a":
                self.found.append((value, False))


#: ``<script type>`` values that are data, not code: the browser never runs them.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json", "text/template"}


class InlineCode(HTMLParser):
    """What a strict Content Security Policy (no 'unsafe-inline') would refuse on a page.

    ``style=`` attributes, ``on*=`` handler attributes, ``javascript:`` links, and
    ``<script>``/``<style>`` elements with content but without the CSP nonce.
    """

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._open: tuple[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name, value in attrs:
            if name == "style" or (name.startswith("on") and name.isalpha()):
                self.found.append(f"<{tag} {name}={value!r}>")
            elif name == "href" and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} href={value!r}>")
        if tag == "style" and "nonce" not in values:
            self._open = (tag, f"<{tag}>")
        elif (
            tag == "script"
            and "src" not in values
            and "nonce" not in values
            and (values.get("type") or "").lower() not in DATA_SCRIPT_TYPES
        ):
            self._open = (tag, f"<script{' type=' + values['type'] if values.get('type') else ''}>")

    def handle_data(self, data):
        if self._open and data.strip():
            self.found.append(f"{self._open[1]}{data.strip()[:60]}")
            self._open = None

    def handle_endtag(self, tag):
        if self._open and self._open[0] == tag:
            self._open = None


@dataclass
class Visit:
    role: str
    url: str
    htmx: bool
    url_name: str
    status: int = 0
    queries: int = 0
    error: str = ""
    writes: list[str] = field(default_factory=list)
    found_on: str = ""
    #: The Content-Security-Policy header of an HTML answer.
    csp: str | None = None
    #: What that HTML holds that a CSP without 'unsafe-inline' refuses (InlineCode).
    inline: list[str] = field(default_factory=list)


@dataclass
class Crawl:
    visits: list[Visit] = field(default_factory=list)

    @property
    def url_names(self) -> set[str]:
        return {visit.url_name for visit in self.visits}


def bound_of(name: str) -> int:
    """How many URLs of pattern ``name`` to visit: the admin's many forms, fewer."""
    if name in PER_PATTERN_EXCEPTIONS:
        return PER_PATTERN_EXCEPTIONS[name]
    if name.startswith("admin:"):
        return 1 if name.endswith(("_add", "_delete", "_history")) else 2
    return PER_PATTERN


def _known_write(name: str, sql: str) -> bool:
    return any(
        name.startswith(prefix) and sql.lstrip().startswith(statement)
        for prefix, (statement, _why) in KNOWN_GET_WRITES.items()
    )


def url_name(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def _internal(url: str, current: str) -> str | None:
    """The path and query of an internal link, or None for other sites and static files.

    Media links are followed: the app serves no ``MEDIA_URL``, so a page linking into it
    offers a download that answers 404 (files are served by views, behind login).
    """
    url, _fragment = urldefrag(url.strip())
    if not url or url.startswith(("mailto:", "tel:", "javascript:", "#")):
        return None
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return None
    path = parts.path
    if not path.startswith("/"):
        # A relative link (the admin uses some): relative to the current page.
        base = urlsplit(current).path
        path = base.rsplit("/", 1)[0] + "/" + path
    if path.startswith(settings.STATIC_URL):
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def crawl_role(role: str) -> list[Visit]:
    user = get_user_model().objects.get(username=role)
    client = Client()
    client.force_login(user)
    # The job list is linked from a job's page, which a user reaches only by starting a
    # job (a POST): start there too, as that user would.
    queue = deque([("/", False, ""), (reverse("jobs:job-list"), False, "")])
    seen: set[tuple[str, bool]] = set()
    per_pattern: dict[tuple[str, bool], int] = defaultdict(int)
    visits = []
    while queue:
        url, htmx, found_on = queue.popleft()
        if (url, htmx) in seen:
            continue
        seen.add((url, htmx))
        path = url.split("?", 1)[0]
        name = url_name(path)
        if name is None:
            visits.append(Visit(role, url, htmx, "", status=404, found_on=found_on))
            continue
        if name in NOT_VISITED or any(p.match(path) for p in NOT_VISITED_PATHS):
            continue
        bound = bound_of(name)
        if per_pattern[name, htmx] >= bound:
            continue
        per_pattern[name, htmx] += 1
        visit = Visit(role, url, htmx, name, found_on=found_on)
        headers = {"HX-Request": "true"} if htmx else {}
        # The connection logs at most 9,000 queries, and a capture stops the log being
        # emptied per request: once full, every later visit would count none.
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            try:
                response = client.get(url, headers=headers)
            except Exception as error:  # the test reports it; the crawl goes on
                visit.status = 500
                visit.error = "".join(traceback.format_exception_only(error)).strip()
                response = None
        visit.queries = len(queries)
        visit.writes = [
            q["sql"][:200]
            for q in queries.captured_queries
            if WRITE.match(q["sql"])
            and not HARMLESS_WRITE.search(q["sql"])
            and not _known_write(name, q["sql"])
        ]
        visits.append(visit)
        if response is None:
            continue
        visit.status = response.status_code
        if response.status_code in (301, 302, 303, 307, 308):
            target = _internal(response["Location"], url)
            if target:
                queue.append((target, False, url))
            continue
        content_type = response.get("Content-Type", "")
        if response.status_code != 200 or not content_type.startswith("text/html"):
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
            continue
        html = response.content.decode(response.charset or "utf-8")
        visit.csp = response.get("Content-Security-Policy")
        inline = InlineCode()
        inline.feed(html)
        visit.inline = inline.found
        parser = Links()
        parser.feed(html)
        for link, is_htmx in parser.found:
            target = _internal(link, url)
            if target:
                queue.append((target, is_htmx, url))
    return visits


def crawl_demo() -> Crawl:
    """Seed a small demo with a letters job, then crawl it as every demo role."""
    call_command("seed_demo", contacts=CONTACTS, stdout=io.StringIO())
    _start_a_job()
    crawl = Crawl()
    for role in ROLES:
        crawl.visits += crawl_role(role)
    return crawl


def _start_a_job() -> None:
    """A finished letters job of the marketing user, so the job pages have one to show."""
    from segments import jobs
    from segments.models import Segment

    segment = (
        Segment.objects.filter(lines__isnull=False, interaction_template__isnull=False)
        .order_by("pk")
        .first()
    )
    # The job runs after commit; the crawl's transaction never commits, so run it now.
    with TestCase.captureOnCommitCallbacks(execute=True):
        jobs.start_letters(
            segment, kind="zip", user=get_user_model().objects.get(username="marketing")
        )
