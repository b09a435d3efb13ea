"""The campaign journey in the browser (SPEC 8): create a campaign, build a segment for it
with campaign target on, log it, record a response from the contact card, and see the
response rate change on the campaign page, whose chart draws the figures of its table."""

import pytest
from playwright.sync_api import Page, expect

from interactions.models import Campaign, InteractionLogEntry, LoggedSegment
from segments.models import Segment
from tests.browser.dialogs import dialog_shown
from tests.factories import ContactFactory, InteractionTemplateFactory, SalespersonFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def message(page: Page):
    return page.locator("main .alert").first


def test_a_campaign_from_creation_to_its_response_rate(
    page: Page, live_server, login_as, staff, manager, screenshot_dir
):
    show_every_worksheet_column(staff)
    SalespersonFactory(code="ANNA", name="Anna Berg", user=staff)
    template = InteractionTemplateFactory(
        code="INVITE", description="Invitation", correspondence_type="hard_copy"
    )
    reply = InteractionTemplateFactory(
        code="REPLY", description="Reply card", correspondence_type="hard_copy"
    )
    ingrid, lars = (
        ContactFactory(no="CT900001", name="Ingrid Berg"),
        ContactFactory(no="CT900002", name="Lars Dahl"),
    )
    login_as(staff)

    # Create the campaign from the campaign list.
    page.goto(f"{live_server.url}/campaigns/")
    page.locator("#new-campaign").click()
    page.get_by_label("Description").fill("Spring fair 2027")
    page.get_by_label("Status").select_option("active")
    page.locator("#campaign-form button[type='submit']").click()
    campaign = Campaign.objects.get()
    expect(page).to_have_url(f"{live_server.url}{campaign.get_absolute_url()}")
    expect(message(page)).to_contain_text(f"Campaign {campaign.no} has been created.")
    assert (campaign.no, campaign.status, campaign.created_by) == ("CP00001", "active", staff)
    expect(page.locator("#stat-response-rate")).to_have_text("–")

    # A segment for it: campaign target on in the header, two contacts by hand.
    page.locator("#new-campaign-segment button").click()
    segment = Segment.objects.get()
    expect(page).to_have_url(f"{live_server.url}{segment.get_absolute_url()}")
    assert segment.campaign == campaign
    header = page.locator("#header-form")
    header.locator("[name='interaction_template']").select_option(str(template.pk))
    header.locator("[name='campaign_target']").select_option("true")
    header.get_by_role("button", name="Save the header").click()
    expect(message(page)).to_contain_text(f"Segment {segment.no} has been saved.")
    for contact in (ingrid, lars):
        page.locator("#add-line-form [name='contact']").fill(contact.no)
        page.locator("#add-line-form button[type='submit']").click()
        expect(page.locator(f"#lines tbody tr[data-line-no] >> text={contact.no}")).to_be_visible()
    cell = page.locator("#lines tbody tr[data-line-no] td[data-field='campaign_target']").first
    expect(cell.locator(".value")).to_have_text("Yes")

    # A manager logs it: two targets, no response yet.
    login_as(manager)
    page.goto(f"{live_server.url}{segment.get_absolute_url()}")
    page.locator("#log-button").click()
    dialog_shown(page)
    page.locator("#log-form button[type='submit']").click()
    expect(page.locator("main")).to_contain_text(f"Segment {segment.no} has been logged.")
    logged = LoggedSegment.objects.get(segment_no=segment.no)
    assert set(logged.entries.values_list("campaign", "campaign_target", "campaign_response")) == {
        (campaign.pk, True, False)
    }
    page.goto(f"{live_server.url}{campaign.get_absolute_url()}")
    expect(page.locator("#stat-targets")).to_have_text("2")
    expect(page.locator("#stat-response-rate")).to_have_text("0.0 %")

    # Ingrid answers: "Log response" on her card is prefilled with the campaign.
    login_as(staff)
    page.goto(f"{live_server.url}{ingrid.get_absolute_url()}")
    page.locator("#contact-campaigns a.log-response").click()
    expect(page.locator("[name='campaign']")).to_have_value(str(campaign.pk))
    expect(page.locator("[name='campaign_response']")).to_be_checked()
    page.locator("[name='template']").select_option(str(reply.pk))
    expect(page.locator("#template-letter")).to_be_visible()  # the htmx re-render is done
    expect(page.locator("[name='campaign_response']")).to_be_checked()
    page.get_by_role("button", name="Log", exact=True).click()
    expect(message(page)).to_contain_text("has been logged for Ingrid Berg")
    response = InteractionLogEntry.objects.get(template=reply)
    assert (response.contact, response.campaign, response.campaign_response) == (
        ingrid,
        campaign,
        True,
    )

    # The campaign page: half of the targets responded; the chart draws the table.
    page.goto(f"{live_server.url}{campaign.get_absolute_url()}")
    expect(page.locator("#stat-responses")).to_have_text("1")
    expect(page.locator("#stat-response-rate")).to_have_text("50.0 %")
    canvas = page.locator("#campaign-chart")
    expect(canvas).to_be_visible()
    page.wait_for_function("() => window.Chart && Chart.getChart('campaign-chart')")
    drawn = page.evaluate(
        "() => { const c = Chart.getChart('campaign-chart');"
        " return {labels: c.data.labels, data: c.data.datasets.map(d => d.data)}; }"
    )
    rows = page.locator("#campaign-weeks tbody tr")
    table = {
        "labels": [rows.nth(i).get_attribute("data-week") for i in range(rows.count())],
        "data": [
            [int(rows.nth(i).locator("td").nth(column).text_content()) for i in range(rows.count())]
            for column in (1, 2)
        ],
    }
    assert drawn == table
    assert drawn["data"] == [[3], [1]]
    # Drawn, the chart replaces the table, which stays one click away.
    expect(page.locator("#campaign-weeks-details")).not_to_have_attribute("open", "")
    page.screenshot(path=screenshot_dir / "campaign-page.png", full_page=True)


def show_every_worksheet_column(user):
    """The campaign columns are not among the worksheet's default ones: show them all."""
    from crm.services import save_columns
    from segments.views.base import WORKSHEET_COLUMNS, WORKSHEET_TABLE

    save_columns(user, table=WORKSHEET_TABLE, columns=WORKSHEET_COLUMNS, offered=WORKSHEET_COLUMNS)
