"""The segment worksheet end to end in Chromium: build, letters, log, cancel, Norwegian.

A marketing staff user builds a segment by criteria with the live preview, refines it,
goes back, overrides a line and resets it, saves the criteria and previews a letter; a
marketing manager then logs it with a follow-up segment and cancels the logged segment.
Data comes from the factories and the real services, and in the last test from seed_demo
(its templates and their real letters); every step is checked in the page and in the
database.
"""

import io
import os
import re
import shutil
import zipfile
from pathlib import Path

import docx
import factory.random
import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management import call_command
from playwright.sync_api import Page, expect

from interactions import letters
from interactions.models import InteractionLogEntry, InteractionTemplate, LoggedSegment
from segments import services
from segments.models import CriteriaAction, SavedCriteria, Segment
from tests.browser.dialogs import dialog_shown, open_dialog
from tests.factories import (
    ContactFactory,
    InteractionTemplateFactory,
    InteractionTemplateLanguageFactory,
    MailingGroupFactory,
    SalespersonFactory,
)

# live_server needs committed data: each test is transactional (conftest's ``roles``
# puts back the groups that the flush between tests removes).
pytestmark = pytest.mark.django_db(transaction=True)

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def newsletter(staff):
    """Contacts in Norway and Sweden, a mailing group and a template with en/nb letters.

    Norway has 7 contacts that can be added (5 of them in the NEWS mailing group, 2 of
    those in Bergen) and one more in NEWS excluded from segments; Sweden has 2 in NEWS.
    """
    factory.random.reseed_random("segment-flow")  # the same names in every screenshot
    SalespersonFactory(code="ANNA", name="Anna Berg", user=staff)
    news = MailingGroupFactory(code="NEWS", description="Newsletter")
    oslo = ContactFactory.create_batch(3, country="NO", city="Oslo", language="en")
    bergen = ContactFactory.create_batch(2, country="NO", city="Bergen", language="nb")
    ContactFactory.create_batch(2, country="NO", city="Oslo")
    excluded = ContactFactory(country="NO", exclude_from_segment=True)
    sweden = ContactFactory.create_batch(2, country="SE", city="Stockholm")
    for contact in [*oslo, *bergen, excluded, *sweden]:
        contact.mailing_groups.add(news)
    template = InteractionTemplateFactory(
        code="NEWSL", description="Newsletter letter", unit_cost=3, unit_duration=10
    )
    documents = {
        "en": ["Dear «ContactName»,", "Welcome to «Subject».", "«PersonalNote»"],
        "nb": ["Kjære «ContactName»,", "Velkommen til «Subject»."],
    }
    for language, paragraphs in documents.items():
        version = InteractionTemplateLanguageFactory(
            template=template,
            language=language,
            subject={"en": "our spring newsletter", "nb": "vårt nyhetsbrev"}[language],
        )
        version.document.save(f"{language}.docx", ContentFile(letters.build_document(paragraphs)))
    return {"template": template, "oslo": oslo, "bergen": bergen, "news": news}


def preview_count(page: Page, count: int) -> int:
    """Wait for the live preview to show ``count`` and return the number it shows."""
    shown = page.locator("#preview-count")
    expect(shown).to_have_attribute("data-count", str(count))
    return int(shown.get_attribute("data-count"))


def apply_criteria(page: Page):
    page.locator("#criteria-apply").click()
    expect(page.locator("#dialog")).to_be_hidden()


def message(page: Page):
    return page.locator("main .alert").first


def docx_text(content: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)


def test_staff_builds_a_segment_and_a_manager_logs_and_cancels_it(
    page: Page, live_server, login_as, staff, manager, newsletter, screenshot_dir
):
    login_as(staff)

    # A new segment, from the segments list.
    page.goto(f"{live_server.url}/segments/")
    page.get_by_role("link", name="New segment").click()
    page.get_by_label("Description").fill("Spring newsletter")
    page.get_by_label("Interaction template").select_option(label=str(newsletter["template"]))
    page.get_by_role("button", name="Create").click()
    segment = Segment.objects.get(description="Spring newsletter")
    expect(page).to_have_url(f"{live_server.url}{segment.get_absolute_url()}")
    expect(message(page)).to_contain_text(f"Segment {segment.no} has been created.")
    assert segment.created_by == staff
    assert segment.salesperson.code == "ANNA"
    assert segment.interaction_template == newsletter["template"]

    # Add contacts: country NO, then also mailing group NEWS; the preview follows the filters.
    page.locator("#add-contacts").click()
    dialog = page.locator("#criteria-dialog")
    open_dialog(page, "add")
    # Country is chosen by name: typing narrows the list (Tom Select), Enter picks Norway.
    search = dialog.get_by_role("combobox", name="Country", exact=True)
    search.press_sequentially("norw")
    expect(page.locator(".ts-dropdown .option", has_text="Sweden")).to_have_count(0)
    search.press("Enter")
    expect(page.locator("[name='contact-country']")).to_have_values(["NO"])
    assert preview_count(page, 7) == 7
    page.locator("#tab-mailing_group").click()
    page.locator("[name='mailing_group-mailing_group']").select_option("NEWS")
    shown = preview_count(page, 5)
    sample = page.locator("#preview-sample li")
    expect(sample).to_have_count(5)
    for contact in [*newsletter["oslo"], *newsletter["bergen"]]:
        expect(page.locator("#preview-sample")).to_contain_text(contact.no)
    page.screenshot(path=screenshot_dir / "criteria-dialog.png")
    apply_criteria(page)
    added = CriteriaAction.objects.get(segment=segment, seq=1)
    assert added.action == "add"
    assert added.criteria == {
        "contact": {"country": ["NO"]},
        "mailing_group": {"mailing_group": ["NEWS"]},
    }
    assert added.added == shown == segment.lines.count()
    expect(page.locator("#counter-lines")).to_have_attribute("data-value", str(shown))
    expect(page.locator("#lines tbody tr[data-line-no]")).to_have_count(shown)
    expect(message(page)).to_contain_text("5 lines added.")

    # Refine to Oslo: the preview says how many lines go.
    page.locator("#refine-contacts").click()
    open_dialog(page, "refine")
    page.locator("[name='contact-city']").fill("Oslo")
    page.locator("[name='contact-city']").press("Tab")
    expect(page.locator("#preview-count")).to_have_attribute("data-count", "2")
    apply_criteria(page)
    expect(page.locator("#counter-lines")).to_have_attribute("data-value", "3")
    assert set(segment.lines.values_list("contact__city", flat=True)) == {"Oslo"}
    assert CriteriaAction.objects.get(segment=segment, seq=2).removed == 2
    expect(page.locator("#criteria-history .history-step")).to_have_count(2)

    # Go back undoes the refine: the Bergen lines return with their line numbers.
    page.locator("#go-back").click()
    expect(message(page)).to_contain_text("Went back: step 2")
    expect(page.locator("#counter-lines")).to_have_attribute("data-value", "5")
    expect(page.locator("#criteria-history .history-step")).to_have_count(1)
    assert segment.lines.count() == 5
    assert list(segment.lines.order_by("line_no").values_list("line_no", flat=True)) == [
        10000,
        20000,
        30000,
        40000,
        50000,
    ]

    # Override the first line's description in place, then reset it to the default.
    first = segment.lines.order_by("line_no").first()
    row = page.locator(f"tr[data-line-no='{first.line_no}']")
    cell = row.locator("td[data-field='description']")
    expect(cell.locator(".value")).to_have_text("Spring newsletter")
    cell.locator("a.edit").click()
    cell.locator("input[name='description']").fill("Personal invitation")
    cell.get_by_role("button", name="Save").click()
    cell = page.locator(f"tr[data-line-no='{first.line_no}'] td[data-field='description']")
    expect(cell).to_have_class(re.compile(r"\boverridden\b"))
    expect(cell.locator(".value")).to_have_text("Personal invitation")
    first.refresh_from_db()
    assert first.description == "Personal invitation"
    page.mouse.move(0, 0)  # no hover highlight in the screenshot
    page.screenshot(path=screenshot_dir / "segment-page.png", full_page=True)
    cell.locator("button.reset").click()
    cell = page.locator(f"tr[data-line-no='{first.line_no}'] td[data-field='description']")
    expect(cell).not_to_have_class(re.compile(r"\boverridden\b"))
    expect(cell.locator(".value")).to_have_text("Spring newsletter")
    first.refresh_from_db()
    assert first.description == ""

    # Save the criteria.
    page.locator("#save-criteria").click()
    dialog_shown(page)
    page.locator("#save-criteria-form [name='code']").fill("news-no")
    page.locator("#save-criteria-form [name='description']").fill("Norwegian newsletter readers")
    page.locator("#save-criteria-form button[type='submit']").click()
    expect(message(page)).to_contain_text(
        f"The criteria of segment {segment.no} have been saved as NEWS-NO."
    )
    saved = SavedCriteria.objects.get(code="NEWS-NO")
    assert list(saved.actions.values_list("action", "criteria")) == [("add", added.criteria)]

    # Preview a Norwegian contact's letter: a .docx download in that contact's language.
    bergen = newsletter["bergen"][0]
    line = segment.lines.get(contact=bergen)
    page.locator(f"tr[data-line-no='{line.line_no}'] a.line-letter").click()
    dialog_shown(page)
    expect(page.locator("#line-letter")).to_be_visible()
    with page.expect_download() as download_info:
        page.locator("#line-preview").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".docx")
    text = docx_text(Path(download.path()).read_bytes())
    assert f"Kjære {bergen.name}," in text
    assert "Velkommen til vårt nyhetsbrev." in text

    # A manager logs it with a follow-up segment and lands on the follow-up.
    login_as(manager)
    page.goto(f"{live_server.url}{segment.get_absolute_url()}")
    page.locator("#log-button").click()
    dialog_shown(page)
    page.locator("#log-form [name='create_follow_up']").check()
    page.locator("#log-form button[type='submit']").click()
    expect(page.locator("main")).to_contain_text(f"Segment {segment.no} has been logged.")
    logged = LoggedSegment.objects.get(segment_no=segment.no)
    follow_up = Segment.objects.get(follow_up_of=logged)
    expect(page).to_have_url(f"{live_server.url}{follow_up.get_absolute_url()}")
    expect(page.locator("main")).to_contain_text(
        f"Follow-up segment {follow_up.no} has been created."
    )
    expect(page.locator("#counter-lines")).to_have_attribute("data-value", "5")
    assert not Segment.objects.filter(pk=segment.pk).exists()
    entries = InteractionLogEntry.objects.filter(logged_segment=logged)
    assert entries.count() == 5
    assert set(entries.values_list("contact_id", flat=True)) == set(
        follow_up.lines.values_list("contact_id", flat=True)
    )
    assert set(entries.values_list("language", flat=True)) == {"en", "nb"}

    # The logged segment page: cancel it with its entries.
    page.get_by_role("link", name="Logged segments").click()
    page.get_by_role("link", name=str(logged.entry_no), exact=True).click()
    expect(page.locator("#active-entries")).to_have_text("5")
    page.locator("#cancel-logged-segment").click()
    # Canceling asks first, saying how many entries it cancels; nothing changed yet.
    expect(page.locator("#cancel-summary")).to_contain_text("5 interaction log entries")
    assert not LoggedSegment.objects.get(pk=logged.pk).canceled
    page.locator("#confirm-cancel").click()
    expect(message(page)).to_contain_text(
        f"Logged segment {segment.no} has been canceled with its 5 entries."
    )
    expect(page.locator("#logged-segment-canceled")).to_be_visible()
    expect(page.locator("#canceled-entries")).to_have_text("5")
    expect(page.locator("#active-entries")).to_have_text("0")
    page.screenshot(path=screenshot_dir / "logged-segment.png", full_page=True)
    logged.refresh_from_db()
    assert logged.canceled
    assert not entries.filter(canceled=False).exists()

    if os.environ.get("UPDATE_DOCS_SCREENSHOTS"):
        # Opt-in, so an ordinary test run never rewrites a committed image.
        shutil.copyfile(screenshot_dir / "segment-page.png", DOCS / "segment-page.png")


def test_the_interface_switches_to_norwegian(
    page: Page, live_server, login_as, staff, newsletter, compiled_locale
):
    segment = services.create_segment(
        user=staff, description="Vårkampanje", interaction_template=newsletter["template"]
    )
    services.add_contacts(segment, criteria={"contact": {"country": ["NO"]}}, user=staff)
    login_as(staff)
    page.goto(f"{live_server.url}/")
    nav = page.locator("#main-nav")
    expect(nav.get_by_role("link", name="Contacts", exact=True)).to_be_visible()
    page.locator("#user-menu").click()
    page.locator("button[name='language'][value='nb']").click()

    expect(page.locator("html")).to_have_attribute("lang", "nb")
    for label in ("Kontakter", "Segmenter", "Loggede segmenter"):
        expect(nav.get_by_role("link", name=label, exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="Contacts", exact=True)).to_have_count(0)

    # The worksheet too, with Norwegian number formats; the choice lasts across pages.
    page.goto(f"{live_server.url}{segment.get_absolute_url()}")
    expect(page.locator("#add-contacts")).to_have_text("Legg til kontakter")
    expect(page.locator("#refine-contacts")).to_have_text("Avgrens kontakter")
    expect(page.locator("#criteria-history h2")).to_have_text("Kriteriehistorikk")
    expect(page.locator("#go-back")).to_have_text("Gå tilbake")
    # What app.js says when an htmx request fails (tests/browser/test_confirmations.py).
    expect(page.locator("main")).to_have_attribute(
        "data-request-failed", re.compile(r"^Serveren kunne ikke fullføre dette \(feil STATUS\)\.")
    )
    expect(page.locator("#counter-lines")).to_have_text("7")
    expect(page.locator("#counter-cost")).to_have_text("21,00")  # 7 lines at 3.00
    first = page.locator("#lines tbody tr[data-line-no]").first
    # Norwegian conventions: "1. des. 2026" (crm/formats/nb/formats.py).
    day, year = segment.date.day, segment.date.year
    expect(first.locator("td[data-field='date'] .value")).to_have_text(
        re.compile(rf"^{day}\. [a-zæøå]+\.? {year}$")
    )

    # Messages of the services' outcomes are Norwegian as well.
    page.goto(f"{live_server.url}/segments/new/")
    page.locator("[name='description']").fill("Høstkampanje")
    page.locator("#segment-create-form button[type='submit']").click()
    created = Segment.objects.get(description="Høstkampanje")
    expect(message(page)).to_contain_text(f"Segment {created.no} er opprettet.")


def test_invalid_criteria_and_unloggable_lines_are_reported_in_the_dialogs(
    page: Page, live_server, login_as, staff, manager, newsletter
):
    """Bad input shows errors where it was typed and changes nothing."""
    segment = services.create_segment(user=staff, description="No template yet")
    services.add_contacts(segment, criteria={"contact": {"city": ["Bergen"]}}, user=staff)
    bergen = sorted(segment.lines.values_list("line_no", flat=True))
    login_as(staff)
    page.goto(f"{live_server.url}{segment.get_absolute_url()}")
    # Logging is a manager's: staff gets no Log button.
    expect(page.locator("#add-contacts")).to_be_visible()
    expect(page.locator("#log-button")).to_have_count(0)

    page.locator("#add-contacts").click()
    open_dialog(page, "add")
    page.locator("[name='contact-company']").fill("CO404")
    page.locator("[name='contact-company']").press("Tab")
    expect(page.locator("#preview-errors")).to_contain_text("Correct the filters marked in red.")
    page.locator("#criteria-apply").click()
    company = page.locator("#criteria-dialog [name='contact-company']")
    expect(company).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(company).to_have_value("CO404")
    expect(page.locator("#source-contact")).to_contain_text("Company CO404 does not exist.")
    expect(page.locator("#tab-contact .badge")).to_be_visible()
    assert segment.actions.count() == 1
    assert segment.lines.count() == len(bergen)

    # A manager's log attempt lists the lines without a template, each linked.
    login_as(manager)
    page.goto(f"{live_server.url}{segment.get_absolute_url()}")
    page.locator("#log-button").click()
    dialog_shown(page)
    page.locator("#log-form button[type='submit']").click()
    problems = page.locator("#log-problems")
    expect(problems).to_contain_text(
        f"Segment {segment.no} cannot be logged until these are put right:"
    )
    links = problems.locator("[data-problem='no_template'] a.problem-line")
    expect(links).to_have_text([str(line_no) for line_no in bergen])
    assert not LoggedSegment.objects.exists()
    assert Segment.objects.filter(pk=segment.pk).exists()
    links.last.click()
    expect(page).to_have_url(re.compile(rf"\?line={bergen[-1]}#line-{bergen[-1]}$"))
    expect(page.locator(f"tr[data-line-no='{bergen[-1]}']")).to_be_visible()


def test_a_segment_with_a_demo_template_merges_its_real_letters(page: Page, live_server, login_as):
    """seed_demo's own templates, with the merge fields a user's letters have: build a
    segment with one, preview a Norwegian letter, download the letters as a zip and as
    one combined document."""
    call_command("seed_demo", contacts=60, history=False, stdout=io.StringIO())
    marketing = get_user_model().objects.get(username="marketing")
    offer = InteractionTemplate.objects.get(code="OFFER")
    login_as(marketing)

    page.goto(f"{live_server.url}/segments/new/")
    page.get_by_label("Description").fill("Offer to event guests")
    page.get_by_label("Interaction template").select_option(label=str(offer))
    page.get_by_role("button", name="Create").click()
    segment = Segment.objects.get(description="Offer to event guests")
    expect(page).to_have_url(f"{live_server.url}{segment.get_absolute_url()}")

    criteria = {"mailing_group": {"mailing_group": ["EVENTS"]}}
    expected = services.preview(segment, action="add", criteria=criteria).added
    assert expected > 1
    page.locator("#add-contacts").click()
    open_dialog(page, "add")
    page.locator("#tab-mailing_group").click()
    page.locator("[name='mailing_group-mailing_group']").select_option("EVENTS")
    preview_count(page, expected)
    apply_criteria(page)
    expect(page.locator("#counter-lines")).to_have_attribute("data-value", str(expected))
    assert segment.lines.count() == expected

    # A Norwegian person's letter: every merge field filled from the demo's data.
    line = (
        segment.lines.filter(contact__language="nb", contact__type="person")
        .select_related("contact")
        .order_by("line_no")
        .first()
    )
    assert line is not None
    page.locator(f"tr[data-line-no='{line.line_no}'] a.line-letter").click()
    dialog_shown(page)
    expect(page.locator("#line-letter")).to_be_visible()
    with page.expect_download() as download_info:
        page.locator("#line-preview").click()
    text = docx_text(Path(download_info.value.path()).read_bytes())
    assert "Takk for interessen. Her er vårt tilbud." in text
    assert "CRONUS Norge AS" in text
    assert line.contact.surname in text
    assert segment.salesperson.name in text
    assert "«" not in text and "MERGEFIELD" not in text

    # The letters page reports the template's fields; both downloads hold every line.
    page.goto(f"{live_server.url}/segments/{segment.pk}/letters/")
    report = page.locator(".template-report[data-language='nb']")
    expect(report.locator("tr[data-field='FormalSalutation']")).to_be_visible()
    expect(report.locator("tr[data-field='PersonalNote']")).to_be_visible()
    with page.expect_download() as download_info:
        page.locator("#download-zip").click()
    with zipfile.ZipFile(download_info.value.path()) as archive:
        names = [name for name in archive.namelist() if name.endswith(".docx")]
    assert len(names) == expected
    with page.expect_download() as download_info:
        page.locator("#download-docx").click()
    combined = docx_text(Path(download_info.value.path()).read_bytes())
    bodies = combined.count("Her er vårt tilbud.") + combined.count("Please find our offer below.")
    assert bodies == expected
