"""Opening the segment page's dialogs in the browser tests."""

from playwright.sync_api import Page, expect


def open_dialog(page: Page, action: str):
    """Wait until the criteria dialog for ``action`` is shown: Bootstrap focuses the modal
    once its opening transition ends, then dialogs.js moves the focus to the first field.
    Typing or picking before that races with those moves (the value typed into the
    company filter was once missing from the Apply that followed)."""
    expect(page.locator("#criteria-dialog")).to_have_attribute("data-action", action)
    expect(page.locator("#criteria-form [name='contact-no']")).to_be_focused()
