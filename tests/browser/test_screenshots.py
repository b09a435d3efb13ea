"""The README's screenshots, taken from the demo as a marketing manager sees it.

Each page is checked before it is photographed (its key content is there), so a broken
page fails the test rather than ending up in the README. The images go to the test's
screenshot folder; with ``UPDATE_DOCS_SCREENSHOTS=1`` they also replace those in docs/:

    UPDATE_DOCS_SCREENSHOTS=1 .venv/bin/python -m pytest tests/browser/test_screenshots.py
"""

import io
import os
import shutil
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count
from playwright.sync_api import Page, expect

from interactions.models import Campaign
from segments.models import Segment
from tests.browser.dialogs import dialog_shown, open_dialog

pytestmark = pytest.mark.django_db(transaction=True)

DOCS = Path(__file__).resolve().parents[2] / "docs"
#: The README's images this test takes (docs/segment-page.png, with an overridden value,
#: comes from test_segment_flow.py). In the screenshot folder they are named "demo-...",
#: beside the other tests' own.
SHOTS = (
    "home.png",
    "criteria-dialog.png",
    "log-confirmation.png",
    "campaign-page.png",
    "statistics.png",
)


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", contacts=300, stdout=io.StringIO())


def test_the_readmes_screenshots_show_the_demo(
    page: Page, live_server, login_as, demo, screenshot_dir
):
    page.set_viewport_size({"width": 1400, "height": 900})
    login_as(get_user_model().objects.get(username="manager"))

    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("link", name="New segment").first).to_be_visible()
    page.screenshot(path=screenshot_dir / "demo-home.png", full_page=True)

    segment = (
        Segment.objects.filter(lines__isnull=False, interaction_template__isnull=False)
        .distinct()
        .order_by("no")
        .first()
    )
    page.goto(f"{live_server.url}{segment.get_absolute_url()}")
    expect(page.locator("main")).to_contain_text(segment.no)
    expect(page.locator("main table tbody tr").first).to_be_visible()
    page.mouse.move(0, 0)
    page.screenshot(path=screenshot_dir / "demo-segment-page.png")

    page.locator("#add-contacts").click()
    dialog = page.locator("#criteria-dialog")
    open_dialog(page, "add")
    search = dialog.get_by_role("combobox", name="Country", exact=True)
    search.click()
    search.press_sequentially("norw")
    # Enter picks the active option: wait until the typed filter has made it Norway.
    expect(page.locator(".ts-dropdown .option.active")).to_have_text("Norway")
    search.press("Enter")
    expect(page.locator("select[name='contact-country']")).to_have_values(["NO"])
    expect(dialog.locator("#preview-count")).to_be_visible(timeout=30_000)
    page.screenshot(path=screenshot_dir / "demo-criteria-dialog.png", animations="disabled")
    page.locator("#dialog .btn-close").click()
    expect(dialog).to_be_hidden()

    page.locator("#log-button").click()
    dialog_shown(page)
    expect(page.locator("#log-summary-figures")).to_contain_text(f"{segment.lines.count()} lines")
    expect(page.locator("#log-summary-figures")).to_be_visible()
    page.screenshot(path=screenshot_dir / "demo-log-confirmation.png", animations="disabled")
    page.locator("#dialog .btn-close").click()

    campaign = Campaign.objects.annotate(entries_count=Count("entries")).order_by(
        "-entries_count", "no"
    )[0]
    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/")
    expect(page.locator("main")).to_contain_text(campaign.no)
    expect(page.locator("main canvas").first).to_be_visible()
    page.screenshot(path=screenshot_dir / "demo-campaign-page.png", full_page=True)

    page.goto(f"{live_server.url}/interactions/statistics/")
    expect(page.locator("main canvas").first).to_be_visible()
    page.screenshot(path=screenshot_dir / "demo-statistics.png", full_page=True)

    for name in SHOTS:
        assert (screenshot_dir / f"demo-{name}").stat().st_size > 10_000, name
    if os.environ.get("UPDATE_DOCS_SCREENSHOTS"):
        # Opt-in, so an ordinary test run never rewrites a committed image.
        for name in SHOTS:
            shutil.copyfile(screenshot_dir / f"demo-{name}", DOCS / name)
