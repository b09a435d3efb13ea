"""axe-core over every page the crawl visits, in one language (the tests:
test_accessibility.py in English, test_accessibility_nb.py in Norwegian, two files so the
two workers check them side by side).

The demo is seeded and crawled as every role (tests/crawl.py), then each HTML page the
crawl saw is opened in Chromium as the role that saw it, and axe-core (vendored from npm:
tests/browser/vendor/axe-core/, RECIPES.md 7) checks it; a serious or critical violation
fails. The page's Content Security Policy forbids injected scripts, so this check's
browser context bypasses it; every other browser test keeps it (tests/browser/conftest.py).
"""

from collections import defaultdict
from pathlib import Path

from django.contrib.auth import get_user_model

from tests.crawl import crawl_demo

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
#: The impacts that fail the test (axe also reports "minor" and "moderate").
FAILING = ("serious", "critical")

RUN_AXE = """async (failing) => {
    const result = await axe.run(document, {resultTypes: ["violations"]});
    return result.violations
        .filter((v) => failing.includes(v.impact))
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


def check_every_crawled_page(language, *, live_server, browser, client, settings) -> int:
    """Seed and crawl the demo, open each crawled page in ``language`` and fail on any
    serious or critical axe violation; returns how many pages were checked."""
    crawl = crawl_demo()
    pages = pages_by_role(crawl)
    assert sum(len(urls) for urls in pages.values()) > 50, "the crawl saw too few pages"

    found: list[str] = []
    checked = 0
    for role, urls in pages.items():
        user = get_user_model().objects.get(username=role)
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
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
        # Once for the context, and every page then has axe (add_script_tag would send
        # the whole script over the wire for each page).
        context.add_init_script(path=str(AXE))
        page = context.new_page()
        try:
            for url in urls:
                page.goto(live_server.url + url, wait_until="load")
                for violation in page.evaluate(RUN_AXE, list(FAILING)):
                    found.append(
                        f"{role} {language} {url}: {violation['impact']} {violation['id']}"
                        f" ({violation['help']}) at {', '.join(violation['targets'])}"
                    )
                checked += 1
        finally:
            context.close()
    assert checked == sum(len(urls) for urls in pages.values())
    assert not found, f"{len(found)} serious or critical axe violations:\n" + "\n".join(found)
    return checked
