"""Browser tests: Playwright driving Debian's Chromium against live_server (RECIPES.md 1)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

# Playwright's sync API keeps an asyncio loop running in the main thread; Django's ORM
# refuses to run there unless told it is safe (it is: the loop never awaits ORM calls).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(
    os.environ.get(
        "SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
    )
)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
    if os.path.exists(CHROMIUM):
        return
    if os.environ.get("CI"):
        pytest.fail(f"Chromium is missing at {CHROMIUM}; `make install-system` installs it.")
    skip = pytest.mark.skip(reason="Chromium is not installed (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def screenshot_dir(request):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    request.config.stash[screenshots_used] = True
    print(f"\nScreenshots are written to {SCREENSHOTS}")
    return SCREENSHOTS


screenshots_used = pytest.StashKey[bool]()


def pytest_terminal_summary(terminalreporter, config):
    # Captured fixture output is hidden when tests pass; the summary always shows.
    if config.stash.get(screenshots_used, False):
        shots = sorted(path.name for path in SCREENSHOTS.glob("*.png"))
        terminalreporter.write_line(f"Screenshots in {SCREENSHOTS}: {', '.join(shots)}")


@pytest.fixture
def login_as(live_server, client, context):
    """Log the browser in as ``user`` by copying a force_login session cookie."""

    def login(user):
        from django.conf import settings

        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.clear_cookies()
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
        )

    return login


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Wide enough for the worksheet's columns, so screenshots show the whole lines table.
    # Reduced motion: Bootstrap then opens and closes dialogs without its 0.3 s transition,
    # during which it ignores Close and moves what a click aims at (dialogs.dialog_shown).
    return {
        **browser_context_args,
        "viewport": {"width": 1920, "height": 1080},
        "reduced_motion": "reduce",
    }


@pytest.fixture
def compiled_locale(settings, tmp_path_factory):
    """The project's translations, compiled: locale/ itself when every .mo is current.

    Otherwise the catalogs are compiled with msgfmt into a copy that LOCALE_PATHS points
    at, so a run never depends on someone having run compilemessages after editing a .po.
    """
    source = Path(settings.BASE_DIR) / "locale"
    catalogs = sorted(source.glob("*/LC_MESSAGES/*.po"))
    assert catalogs, f"No translation catalogs under {source}"

    def current(po: Path) -> bool:
        mo = po.with_suffix(".mo")
        return mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime

    if all(current(po) for po in catalogs):
        return source
    target = tmp_path_factory.mktemp("locale")
    for po in catalogs:
        copy = target / po.relative_to(source)
        copy.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["msgfmt", "-o", str(copy.with_suffix(".mo")), str(po)], check=True)
    settings.LOCALE_PATHS = [target]
    return target


# The machine's two cores are shared: give slow pages and assertions room before failing.
expect.set_options(timeout=15_000)


#: What Chromium logs when the Content Security Policy refuses something ("Refused to apply
#: inline style...", "Refused to execute inline event handler...", "Refused to load...").
CSP_REFUSAL = "Content Security Policy"


@pytest.fixture
def page(page):
    """The test's page; a CSP refusal Chromium reports on it fails the test.

    The CSP has no 'unsafe-inline' (crm/settings.py): an inline style or handler that
    slipped into a template, or one a library inserts at run time, shows up here.
    """
    page.set_default_timeout(15_000)
    refused: list[str] = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if CSP_REFUSAL in message.text else None,
    )
    yield page
    assert not refused, "The browser refused content under the CSP:\n" + "\n".join(refused)
