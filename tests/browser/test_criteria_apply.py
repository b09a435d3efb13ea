"""Apply in a criteria dialog always lands, even when the live preview fires meanwhile.

Typing into a filter and clicking Apply at once blurs the field: its change event asks
for a preview 300 ms later. The form's previews replace one another (``hx-sync``); Apply
used to share that sync, so the late preview aborted Apply in the browser after the
server had applied it, and the dialog stayed open showing "+0 lines". The server is
made slow here (Apply takes longer than the preview's delay), so the race happens on
every click instead of now and then.
"""

import re
import time

import pytest
from playwright.sync_api import Page, expect

from segments import services
from segments.models import CriteriaActionType
from segments.views import criteria as criteria_views
from tests.browser.dialogs import open_dialog
from tests.factories import ContactFactory

# live_server needs committed data: each test is transactional.
pytestmark = pytest.mark.django_db(transaction=True)

#: Longer than the preview's 300 ms delay after a change and 600 ms after a keyup.
SLOW = 1.2


@pytest.fixture
def slow_apply(monkeypatch):
    """Every Apply of an add or reduce takes SLOW seconds on the server (live_server's thread)."""

    def slowed(service):
        def apply(*args, **kwargs):
            time.sleep(SLOW)
            return service(*args, **kwargs)

        return apply

    monkeypatch.setitem(
        criteria_views.ACTION_SERVICES, CriteriaActionType.ADD, slowed(services.add_contacts)
    )
    monkeypatch.setitem(
        criteria_views.ACTION_SERVICES, CriteriaActionType.REDUCE, slowed(services.reduce_contacts)
    )


def test_apply_right_after_typing_always_adds_the_lines_and_closes_the_dialog(
    page: Page, live_server, login_as, staff, slow_apply
):
    cities = {"Oslo": 3, "Bergen": 2, "Tromsø": 4}
    for city, count in cities.items():
        ContactFactory.create_batch(count, city=city)
    segment = services.create_segment(user=staff, description="Apply at once")
    login_as(staff)
    page.goto(f"{live_server.url}{segment.get_absolute_url()}")

    expected = 0
    for city, count in cities.items():
        page.locator("#add-contacts").click()
        open_dialog(page, "add")
        city_field = page.locator("#criteria-dialog [name='contact-city']")
        city_field.press_sequentially(city)
        apply = page.locator("#criteria-apply")
        apply.click()  # at once: the field's change and keyup previews come after

        # While the server works, Apply is busy: disabled, with a spinner.
        expect(apply).to_be_disabled()
        expect(apply).to_have_attribute("aria-busy", "true")
        expect(apply.locator(".spinner-border")).to_be_visible()
        expect(page.locator("#criteria-preview-button")).to_be_disabled()

        expected += count
        expect(page.locator("#dialog")).to_be_hidden()
        expect(page.locator("main .alert").first).to_contain_text(f"{count} lines added.")
        expect(page.locator("#counter-lines")).to_have_attribute("data-value", str(expected))
        expect(page.locator("#lines tbody tr[data-line-no]")).to_have_count(expected)
        assert segment.lines.count() == expected
        assert set(
            segment.lines.filter(added_by__seq=segment.actions.count()).values_list(
                "contact__city", flat=True
            )
        ) == {city}

    # A reduce too: the same dialog, the same race.
    page.locator("#reduce-contacts").click()
    open_dialog(page, "reduce")
    page.locator("#criteria-dialog [name='contact-city']").press_sequentially("Bergen")
    page.locator("#criteria-apply").click()
    expect(page.locator("#dialog")).to_be_hidden()
    expected -= cities["Bergen"]
    expect(page.locator("#counter-lines")).to_have_attribute("data-value", str(expected))
    assert segment.lines.count() == expected
    assert not segment.lines.filter(contact__city="Bergen").exists()


def test_the_preview_marks_the_invalid_filters_it_names_before_apply(
    page: Page, live_server, login_as, staff
):
    """The preview says "Correct the filters marked in red": the fields are marked."""
    segment = services.create_segment(user=staff, description="Invalid filters")
    login_as(staff)
    page.goto(f"{live_server.url}{segment.get_absolute_url()}")
    page.locator("#add-contacts").click()
    open_dialog(page, "add")
    company = page.locator("#criteria-dialog [name='contact-company']")
    company.fill("NOSUCH")
    company.press("Tab")
    errors = page.locator("#preview-errors")
    expect(errors).to_contain_text("Correct the filters marked in red.")
    expect(errors).to_contain_text("Contacts, Company no.: ")
    expect(errors).to_contain_text("NOSUCH")
    expect(company).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(company).to_have_value("NOSUCH")  # the field itself was not replaced
    expect(page.locator("#tab-contact")).to_have_class(re.compile(r"\btext-danger\b"))
    city = page.locator("#criteria-dialog [name='contact-city']")
    expect(city).not_to_have_class(re.compile(r"\bis-invalid\b"))

    # Corrected, the preview counts again and the mark goes.
    company.fill("")
    company.press("Tab")
    expect(page.locator("#preview-count")).to_have_attribute("data-count", "0")
    expect(company).not_to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#tab-contact")).not_to_have_class(re.compile(r"\btext-danger\b"))
    assert segment.lines.count() == 0
