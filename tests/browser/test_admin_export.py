"""The admin's contact export in Chromium, under the app's Content Security Policy."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_select_all_toggles_every_export_field(page: Page, live_server, login_as, admin_user):
    """Walk finding: django-import-export's "Select all" runs from an inline onchange that
    the CSP blocks, so unticking it left every field ticked and the export unchanged."""
    ContactFactory(no="CT1", name="Nordmann AS")
    login_as(admin_user)
    page.goto(f"{live_server.url}/admin/crm/contact/export/")
    fields = page.locator("input[type=checkbox][name^='contactresource_']")
    assert fields.count() > 10
    expect(fields.first).to_be_checked()

    page.locator("input.select-toggle").uncheck()
    for index in range(fields.count()):
        expect(fields.nth(index)).not_to_be_checked()
    page.locator("input.select-toggle").check()
    for index in range(fields.count()):
        expect(fields.nth(index)).to_be_checked()

    # With only the number ticked, the export holds only that column.
    page.locator("input.select-toggle").uncheck()
    page.locator("input[name='contactresource_no']").check()
    page.locator("select[name=format]").select_option(label="csv")
    with page.expect_download() as download:
        page.locator("#content input[type=submit], #content button[type=submit]").last.click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig").split()
    assert text == ["no", "CT1"]
