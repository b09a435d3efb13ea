"""Every page the crawl visits passes axe-core with no serious or critical violation.

The demo is seeded and crawled as every role (tests/crawl.py), then each HTML page the
crawl saw is opened in Chromium as the role that saw it, in English and in Norwegian,
and axe-core (vendored from npm: tests/browser/vendor/axe-core/, RECIPES.md 7) checks it.
The page's Content Security Policy forbids injected scripts, so this test's browser
context bypasses it; every other browser test keeps it (tests/browser/conftest.py).
"""

from collections import defaultdict
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from tests.crawl import crawl_demo

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
#: The impacts that fail the test (axe also reports "minor" and "moderate").
FAILING = ("serious", "critical")
LANGUAGES = ("en", "nb")

#: Left out of the check: the select2 autocomplete boxes Django's admin vendors. Our
#: static/js/admin-labels.js labels them by their field's <label> (aria-labelledby), yet
#: axe-core still reports the box's inner text span; a known gap, named in the notes.
RUN_AXE = """async () => {
    const context = location.pathname.startsWith("/admin/")
        ? {exclude: [".select2-container"]}
        : document;
    const result = await axe.run(context, {resultTypes: ["violations"]});
    return result.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            targets: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
        }));
}"""


def pages_by_role(crawl) -> dict[str, list[str]]:
    """One full HTML page (not an htmx fragment, not a file) per URL pattern the crawl saw.

    Pages of one pattern share their template; each is checked as the first role that
    opened it (the crawl goes marketing, manager, admin: the least privileged first).
    """
    pages = defaultdict(list)
    seen: set[str] = set()
    for visit in crawl.visits:
        page = visit.status == 200 and not visit.htmx and visit.csp is not None
        if page and visit.url_name not in seen:
            seen.add(visit.url_name)
            pages[visit.role].append(visit.url)
    return pages


@pytest.mark.django_db(transaction=True)
def test_every_crawled_page_passes_axe_in_both_languages(
    live_server, browser, client, compiled_locale, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    crawl = crawl_demo()
    pages = pages_by_role(crawl)
    assert sum(len(urls) for urls in pages.values()) > 50, "the crawl saw too few pages"

    found: list[str] = []
    checked = 0
    for role, urls in pages.items():
        user = get_user_model().objects.get(username=role)
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        for language in LANGUAGES:
            context = browser.new_context(
                bypass_csp=True, viewport={"width": 1280, "height": 800}, locale=language
            )
            context.add_cookies(
                [
                    {
                        "name": settings.SESSION_COOKIE_NAME,
                        "value": session,
                        "url": live_server.url,
                    },
                    {
                        "name": settings.LANGUAGE_COOKIE_NAME,
                        "value": language,
                        "url": live_server.url,
                    },
                ]
            )
            page = context.new_page()
            try:
                for url in urls:
                    page.goto(live_server.url + url, wait_until="load")
                    page.add_script_tag(path=str(AXE))
                    for violation in page.evaluate(RUN_AXE):
                        found.append(
                            f"{role} {language} {url}: {violation['impact']} {violation['id']}"
                            f" ({violation['help']}) at {', '.join(violation['targets'])}"
                        )
                    checked += 1
            finally:
                context.close()
    assert checked == 2 * sum(len(urls) for urls in pages.values())
    assert not found, f"{len(found)} serious or critical axe violations:\n" + "\n".join(found)
