"""Every page the crawl visits passes axe-core with no serious or critical violation, in
English (tests/browser/axe_check.py; Norwegian: test_accessibility_nb.py)."""

import pytest

from .axe_check import check_every_crawled_page


@pytest.mark.django_db(transaction=True)
def test_every_crawled_page_passes_axe_in_english(live_server, browser, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    check_every_crawled_page(
        "en", live_server=live_server, browser=browser, client=client, settings=settings
    )
