"""Opening the segment page's dialogs in the browser tests."""

from playwright.sync_api import Page, expect


def dialog_shown(page: Page):
    """Wait until the segment page's dialog (#dialog) has finished opening: dialogs.js
    marks it ``data-shown`` on Bootstrap's "shown", after the opening transition. Until
    then Bootstrap ignores the close button, and a click aimed at a field can land where
    the sliding dialog no longer is (on a loaded CI machine: a Close that did nothing, a
    checkbox left unchecked)."""
    expect(page.locator("#dialog")).to_have_attribute("data-shown", "1")


def open_dialog(page: Page, action: str):
    """Wait until the criteria dialog for ``action`` is shown: Bootstrap focuses the modal
    once its opening transition ends, then dialogs.js moves the focus to the first field.
    Typing or picking before that races with those moves (the value typed into the
    company filter was once missing from the Apply that followed)."""
    dialog_shown(page)
    expect(page.locator("#criteria-dialog")).to_have_attribute("data-action", action)
    expect(page.locator("#criteria-form [name='contact-no']")).to_be_focused()
