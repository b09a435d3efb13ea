"""The shared page pieces: one list-page skeleton, one sort header, one dialog button.

Every filtered list page extends ``_filtered_list.html`` and sorts through ``_sort_th.html``;
the segment page's dialog buttons all come from ``segments/_dialog_button.html``. The
pages keep their ids and texts (other tests and the browser rely on them).
"""

import lxml.html
import pytest
from django.urls import reverse

from tests.ledger_data import one_of_everything
from tests.segments.test_views import built_segment

pytestmark = pytest.mark.django_db

#: List page -> (its table id, its count id, its filter form id or None, sortable columns).
LIST_PAGES = {
    "crm:contact-list": ("contacts", "contact-count", "contact-filter", 0),
    "segments:segment-list": ("segment-table", "segment-count", None, 6),
    "interactions:logged-segment-list": (
        "logged-segments",
        "logged-segment-count",
        "logged-segment-filter",
        6,
    ),
    "interactions:entry-list": ("entries", "entry-count", "entry-filter", 9),
    "interactions:template-list": ("templates", "template-count", "template-filter", 5),
}


def templates_of(response) -> set[str]:
    return {template.name for template in response.templates}


@pytest.mark.parametrize("name", sorted(LIST_PAGES))
def test_every_list_page_is_the_one_skeleton_with_the_one_sort_header(
    admin_client_, admin_user, name
):
    one_of_everything(admin_user)  # a row on every list, so each shows its count
    table_id, count_id, filter_id, sortable = LIST_PAGES[name]
    response = admin_client_.get(reverse(name))
    assert response.status_code == 200
    assert "_filtered_list.html" in templates_of(response)
    assert ("_sort_th.html" in templates_of(response)) == bool(sortable)
    page = lxml.html.fromstring(response.content.decode())
    heading = page.get_element_by_id(count_id).getparent()
    assert heading.find("h1") is not None  # the count sits next to the page's heading
    table = page.get_element_by_id(table_id)
    assert table.tag == "table"
    assert len(table.xpath(".//th/a[contains(@href, 'sort=')]")) == sortable
    if filter_id:
        form = page.get_element_by_id(filter_id)
        assert form.getparent().tag == "aside"
        # The filters on the left, the table in the section next to them.
        assert table.xpath("ancestor::section") and not table.xpath("ancestor::aside")
    else:
        assert not page.xpath("//aside")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("crm:contact-list", "no contacts are shown until they are valid"),
        ("interactions:logged-segment-list", "no logged segments are shown until"),
        ("interactions:entry-list", "no entries are shown until they are valid"),
        ("interactions:template-list", "no templates are shown until they are valid"),
    ],
)
def test_an_invalid_filter_shows_the_pages_own_alert(admin_client_, name, message):
    # A contact type that does not exist; an ordering the list does not offer.
    bad = {"type": "robot"} if name == "crm:contact-list" else {"sort": "bogus"}
    response = admin_client_.get(reverse(name), bad)
    page = lxml.html.fromstring(response.content.decode())
    alerts = page.xpath("//section/div[contains(@class, 'alert-danger')]")
    assert len(alerts) == 1 and message in alerts[0].text_content()


def test_the_segment_list_marks_the_applied_sort_with_the_shared_header(admin_client_):
    url = reverse("segments:segment-list")
    # No ?sort=: the list is by number, newest first, and the header says so.
    page = lxml.html.fromstring(admin_client_.get(url).content.decode())
    marked = page.xpath("//th[@aria-sort]")
    assert [(a.text_content().strip(), a.get("aria-sort")) for a in marked] == [
        ("No. ▼", "descending")
    ]
    assert marked[0].xpath("a")[0].get("href") == "?sort=no"
    page = lxml.html.fromstring(admin_client_.get(url, {"sort": "lines"}).content.decode())
    marked = page.xpath("//th[@aria-sort]")
    assert [(a.text_content().strip(), a.get("aria-sort")) for a in marked] == [
        ("Lines ▲", "ascending")
    ]
    assert marked[0].xpath("a")[0].get("href") == "?sort=-lines"


def test_the_segment_pages_dialog_buttons_come_from_one_include(admin_client_, admin_user):
    segment = built_segment(admin_user, lines=1)
    response = admin_client_.get(reverse("segments:segment-detail", args=[segment.pk]))
    assert "segments/_dialog_button.html" in templates_of(response)
    page = lxml.html.fromstring(response.content.decode())
    expected = {
        "log-button": ("log", "Log"),
        "add-contacts": ("criteria/add", "Add contacts"),
        "reduce-contacts": ("criteria/reduce", "Reduce contacts"),
        "refine-contacts": ("criteria/refine", "Refine contacts"),
        "save-criteria": ("save-criteria", "Save criteria"),
        "reuse-criteria": ("reuse-criteria", "Reuse criteria"),
        "reuse-logged-segment": ("reuse-logged-segment", "Reuse logged segment"),
        "apply-mailing-group": ("mailing-group", "Apply mailing group"),
    }
    for element_id, (path, label) in expected.items():
        button = page.get_element_by_id(element_id)
        assert button.text_content() == label
        assert path in button.get("href") and button.get("hx-get") == button.get("href")
        assert button.get("hx-target") == "#dialog-body"
        assert (button.get("data-bs-toggle"), button.get("data-bs-target")) == ("modal", "#dialog")
    # The modal says "Loading…" again once closed (static/js/app.js reads data-loading).
    assert page.get_element_by_id("dialog-body").get("data-loading") == "Loading…"


def test_pages_under_a_segment_share_its_breadcrumb(admin_client_, admin_user):
    segment = built_segment(admin_user, lines=1)
    line = segment.lines.get()
    back = segment.get_absolute_url()
    for url, link in [
        (reverse("segments:letters", args=[segment.pk]), back),
        (reverse("segments:log", args=[segment.pk]), back),  # a dialog shown as a page
        (
            reverse("segments:line-edit", args=[segment.pk, line.pk, "description"]),
            f"{back}?line={line.line_no}#line-{line.line_no}",
        ),
    ]:
        response = admin_client_.get(url)
        assert "segments/_breadcrumb.html" in templates_of(response), url
        page = lxml.html.fromstring(response.content.decode())
        crumbs = page.xpath("//ol[@class='breadcrumb']//a")
        assert [(a.text_content(), a.get("href")) for a in crumbs] == [
            ("Segments", reverse("segments:segment-list")),
            (segment.no, link),
        ], url
