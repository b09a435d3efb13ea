"""The criteria dialog as a marketer uses it: searchable lists, a footer always in sight,
a busy Apply, and a preview that always shows the newest criteria's count.

Lists are Tom Select (vendored from npm, static/js/multi-select.js): type, pick with
Enter, no Ctrl-click. The preview's count and Apply sit in a footer that sticks to the
bottom of the dialog. Previews go through the form's ``hx-sync="this:replace"``: a newer
one aborts an older one still running, so a slow older answer can never overwrite it.
"""

import re
import threading
import time

import pytest
from playwright.sync_api import Page, expect

from segments import services
from tests.browser.dialogs import open_dialog
from tests.factories import ContactFactory, MailingGroupFactory

# live_server needs committed data: each test is transactional.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def contacts():
    news = MailingGroupFactory(code="NEWS", description="Newsletter")
    events = MailingGroupFactory(code="EVENTS", description="Event guests")
    MailingGroupFactory(code="PRESS", description="Press")
    oslo = ContactFactory.create_batch(3, country="NO", city="Oslo")
    bergen = ContactFactory.create_batch(2, country="NO", city="Bergen")
    sweden = ContactFactory.create_batch(4, country="SE", city="Stockholm")
    for contact in oslo:
        contact.mailing_groups.add(news)
    for contact in [*bergen, *sweden[:1]]:
        contact.mailing_groups.add(events)
    return {"oslo": oslo, "bergen": bergen, "sweden": sweden}


def open_add_dialog(page: Page, live_server, segment):
    page.goto(f"{live_server.url}{segment.get_absolute_url()}")
    page.locator("#add-contacts").click()
    open_dialog(page, "add")


def preview_count(page: Page, count: int):
    expect(page.locator("#preview-count")).to_have_attribute("data-count", str(count))


def test_lists_are_searched_and_picked_by_typing(
    page: Page, live_server, login_as, staff, contacts
):
    segment = services.create_segment(user=staff, description="Tom Select")
    login_as(staff)
    open_add_dialog(page, live_server, segment)
    dialog = page.locator("#criteria-dialog")
    # The old search box above the list is gone: Tom Select searches.
    expect(dialog.get_by_role("searchbox", name="Search countries")).to_have_count(0)

    # Country: type part of the name, Enter picks it; the preview counts.
    country = dialog.get_by_role("combobox", name="Country", exact=True)
    country.click()
    country.press_sequentially("norw")
    expect(page.locator(".ts-dropdown .option", has_text="Sweden")).to_have_count(0)
    expect(page.locator(".ts-dropdown .option.active")).to_have_text("Norway")
    country.press("Enter")
    expect(page.locator("select[name='contact-country']")).to_have_values(["NO"])
    preview_count(page, 5)

    # A second list on another tab: two values picked, one removed again with its ×.
    page.locator("#tab-mailing_group").click()
    groups = dialog.get_by_role("combobox", name="Mailing group", exact=True)
    groups.click()
    groups.press_sequentially("eve")
    expect(page.locator(".ts-dropdown:visible .option")).to_have_count(1)
    groups.press("Enter")
    groups.press_sequentially("news")
    groups.press("Enter")
    original = page.locator("select[name='mailing_group-mailing_group']")
    expect(original).to_have_values(["EVENTS", "NEWS"])
    preview_count(page, 5)  # Norway and (EVENTS or NEWS): Oslo's 3 and Bergen's 2
    page.locator(".ts-control .item[data-value='NEWS'] .remove").click()
    expect(original).to_have_values(["EVENTS"])
    preview_count(page, 2)

    page.locator("#criteria-apply").click()
    expect(page.locator("#dialog")).to_be_hidden()
    assert {line.contact_id for line in segment.lines.all()} == {c.pk for c in contacts["bergen"]}
    action = segment.actions.get()
    assert action.criteria == {
        "contact": {"country": ["NO"]},
        "mailing_group": {"mailing_group": ["EVENTS"]},
    }


def test_the_footer_with_count_and_apply_stays_in_sight_at_1280x800(
    page: Page, live_server, login_as, staff, contacts, screenshot_dir
):
    page.set_viewport_size({"width": 1280, "height": 800})
    segment = services.create_segment(user=staff, description="Long form")
    login_as(staff)
    open_add_dialog(page, live_server, segment)
    page.locator("#criteria-form [name='contact-city']").fill("Oslo")
    page.locator("#criteria-form [name='contact-city']").press("Tab")
    preview_count(page, 3)

    # The longest source: its filters and the options do not fit in the window.
    page.locator("#tab-interaction").click()
    body = page.locator("#dialog .modal-body")
    assert body.evaluate("element => element.scrollHeight > element.clientHeight")
    for where in ("element.scrollHeight", "0"):
        body.evaluate(f"element => {{ element.scrollTop = {where}; }}")
        for control in ("#preview-count", "#criteria-apply", "#criteria-preview-button"):
            expect(page.locator(control)).to_be_in_viewport(ratio=1)
    # The last option is reachable by scrolling, and not hidden behind the footer.
    last_option = page.locator("#criteria-options input[type='checkbox']").last
    last_option.scroll_into_view_if_needed()
    last_option.check()
    expect(last_option).to_be_checked()
    page.screenshot(path=screenshot_dir / "criteria-dialog-footer.png")

    # The dialog as a page of its own (no JavaScript needed): the footer sticks too.
    page.goto(f"{live_server.url}/segments/{segment.pk}/criteria/add/")
    page.locator("#tab-interaction").click()
    assert page.evaluate("document.documentElement.scrollHeight > window.innerHeight")
    for control in ("#criteria-apply", "#criteria-preview-button"):
        expect(page.locator(control)).to_be_in_viewport(ratio=1)


def test_options_explain_themselves(page: Page, live_server, login_as, staff, contacts):
    segment = services.create_segment(user=staff, description="Options")
    login_as(staff)
    open_add_dialog(page, live_server, segment)
    options = page.locator("#criteria-options input[type='checkbox']")
    expect(options.first).to_be_visible()
    assert options.count() >= 4  # allow existing, expand companies, related, exclusion...
    for index in range(options.count()):
        option = options.nth(index)
        described = option.get_attribute("aria-describedby")
        assert described, option.get_attribute("name")
        expect(page.locator(f"#{described}")).not_to_be_empty()
    expand = page.get_by_label("Expand companies")
    expect(expand).to_have_accessible_description(re.compile("company"))


def test_apply_is_busy_while_it_runs(
    page: Page, live_server, login_as, staff, contacts, monkeypatch
):
    from segments.models import CriteriaActionType
    from segments.views import criteria as criteria_views

    def slow_add(*args, **kwargs):
        time.sleep(1.5)
        return services.add_contacts(*args, **kwargs)

    monkeypatch.setitem(criteria_views.ACTION_SERVICES, CriteriaActionType.ADD, slow_add)
    segment = services.create_segment(user=staff, description="Busy")
    login_as(staff)
    open_add_dialog(page, live_server, segment)
    page.locator("#criteria-form [name='contact-city']").fill("Bergen")
    apply = page.locator("#criteria-apply")
    apply.click()
    expect(apply).to_be_disabled()
    expect(apply).to_have_attribute("aria-busy", "true")
    expect(apply.locator(".spinner-border")).to_be_visible()
    expect(page.locator("#criteria-preview-button")).to_be_disabled()
    expect(page.locator("#dialog")).to_be_hidden()
    assert segment.lines.count() == 2


def test_focus_goes_to_the_field_apply_found_invalid(
    page: Page, live_server, login_as, staff, contacts
):
    segment = services.create_segment(user=staff, description="Focus")
    login_as(staff)
    open_add_dialog(page, live_server, segment)
    page.locator("#tab-interaction").click()
    page.locator("#criteria-form [name='interaction-date_from']").fill("soon")
    page.locator("#tab-contact").click()
    page.locator("#criteria-apply").click()
    # Apply re-renders the dialog with the error: its tab opens, the field has the focus.
    date_from = page.locator("#criteria-form [name='interaction-date_from']")
    expect(date_from).to_be_focused()
    expect(date_from).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#source-interaction")).to_be_visible()
    assert segment.lines.count() == 0


def test_the_newest_preview_wins_over_a_slower_older_one(
    page: Page, live_server, login_as, staff, contacts, monkeypatch
):
    """The Oslo preview is slow on the server; Bergen's, typed while it runs, is quick.
    Bergen's count shows, and stays when Oslo's answer would have arrived."""
    asked = []
    oslo_running = threading.Event()
    real_preview = services.preview

    def preview(segment, *, criteria, **kwargs):
        city = criteria.get("contact", {}).get("city", [""])[0]
        asked.append(city)
        if city == "Oslo":
            oslo_running.set()
            time.sleep(2.5)
        return real_preview(segment, criteria=criteria, **kwargs)

    monkeypatch.setattr(services, "preview", preview)
    segment = services.create_segment(user=staff, description="Newest wins")
    login_as(staff)
    open_add_dialog(page, live_server, segment)
    city = page.locator("#criteria-form [name='contact-city']")
    city.fill("Oslo")
    city.press("Tab")  # change: the Oslo preview goes to the server
    assert oslo_running.wait(10), asked
    city.fill("Bergen")
    city.press("Tab")  # while Oslo's still runs
    preview_count(page, 2)
    # Oslo's answer comes back meanwhile: it was aborted, Bergen's count stays.
    time.sleep(3)
    preview_count(page, 2)
    expect(page.locator("#preview-count")).to_have_text("+2 lines")
    assert asked[0] == "Oslo" and asked[-1] == "Bergen", asked
