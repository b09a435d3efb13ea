"""Every page the crawl visits passes axe-core with no serious or critical violation, in
Norwegian (tests/browser/axe_check.py; English: test_accessibility.py). A file of its own,
so the two workers check the two languages side by side."""

import pytest

from .axe_check import check_every_crawled_page


@pytest.mark.django_db(transaction=True)
def test_every_crawled_page_passes_axe_in_norwegian(
    live_server, browser, client, compiled_locale, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    check_every_crawled_page(
        "nb", live_server=live_server, browser=browser, client=client, settings=settings
    )
