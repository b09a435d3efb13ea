"""The segment page and the dialogs it loads: markup the browser relies on.

Dialogs are loaded into the segment page's modal (``#dialog-body``), so their ids share
one document with the header form and the lines: an id used twice makes a dialog's label
point at the header's field. The criteria dialog's Apply must not share the preview's
request sync (a late preview would abort it), and its busy state is in the markup.
"""

from collections import Counter

import lxml.html
import pytest
from django.urls import reverse

from segments.models import SavedCriteria
from tests.factories import MailingGroupFactory, SalespersonFactory
from tests.segments.test_views import HTMX, built_segment

pytestmark = pytest.mark.django_db

CONTROLS = {"input", "select", "textarea", "button", "output", "meter", "progress"}


def parse(response):
    assert response.status_code == 200, response
    return lxml.html.fromstring(response.content.decode())


def the_segment_page_with(client, segment, dialog_url: str):
    """The segment page with ``dialog_url`` loaded into its modal, as htmx does it."""
    page = parse(client.get(segment.get_absolute_url()))
    body = page.get_element_by_id("dialog-body")
    for child in list(body):
        body.remove(child)
    for element in lxml.html.fragments_fromstring(
        client.get(dialog_url, headers=HTMX).content.decode()
    ):
        if isinstance(element, str):
            continue
        body.append(element)
    return page


def assert_unique_ids_and_labels(page, where: str):
    ids = Counter(page.xpath("//@id"))
    duplicates = sorted(name for name, count in ids.items() if count > 1)
    assert not duplicates, f"{where}: ids used more than once: {duplicates}"
    for label in page.xpath("//label[@for]"):
        target = page.xpath("//*[@id=$id]", id=label.get("for"))
        assert target, f"{where}: label {label.text_content().strip()!r} points at nothing"
        (control,) = target
        assert control.tag in CONTROLS, f"{where}: label {label.get('for')} is for a {control.tag}"
        form = label.xpath("ancestor::form[1]")
        assert form == control.xpath("ancestor::form[1]"), (
            f"{where}: label {label.text_content().strip()!r} points outside its own form"
        )


@pytest.fixture
def segment(manager):
    segment = built_segment(manager, lines=2, salesperson=SalespersonFactory())
    MailingGroupFactory(code="NEWS")
    return segment


def dialog_urls(segment) -> dict[str, str]:
    line = segment.lines.order_by("line_no").first()
    return {
        "add contacts": reverse("segments:criteria", args=[segment.pk, "add"]),
        "reduce contacts": reverse("segments:criteria", args=[segment.pk, "reduce"]),
        "refine contacts": reverse("segments:criteria", args=[segment.pk, "refine"]),
        "save criteria": reverse("segments:save-criteria", args=[segment.pk]),
        "reuse criteria": reverse("segments:reuse-criteria", args=[segment.pk]),
        "reuse logged segment": reverse("segments:reuse-logged-segment", args=[segment.pk]),
        "apply mailing group": reverse("segments:apply-mailing-group", args=[segment.pk]),
        "log": reverse("segments:log", args=[segment.pk]),
        "line letter": reverse("segments:line-letter", args=[segment.pk, line.pk]),
    }


def test_the_segment_page_alone_has_unique_ids_and_labels(manager_client, segment):
    page = parse(manager_client.get(segment.get_absolute_url()))
    assert_unique_ids_and_labels(page, "segment page")


def test_each_dialog_in_the_segment_page_has_unique_ids_and_labels(manager_client, segment):
    for name, url in dialog_urls(segment).items():
        page = the_segment_page_with(manager_client, segment, url)
        assert_unique_ids_and_labels(page, name)


def test_a_lines_inline_edit_in_the_segment_page_has_unique_ids(manager_client, segment):
    """Editing a line's description in place: its field is not the header's id_description."""
    line = segment.lines.order_by("line_no").first()
    page = parse(manager_client.get(segment.get_absolute_url()))
    (row,) = page.xpath("//tr[@data-line-no=$no]", no=str(line.line_no))
    for field in ("description", "date", "salesperson"):
        url = reverse("segments:line-edit", args=[segment.pk, line.pk, field])
        (editing,) = lxml.html.fragments_fromstring(
            manager_client.get(url, headers=HTMX).content.decode()
        )
        row.getparent().replace(row, editing)
        row = editing
        assert_unique_ids_and_labels(page, f"line {line.line_no} {field}")
        assert row.xpath(".//*[@name=$name]/@id", name=field) == [f"id_line-{line.pk}-{field}"]


def test_the_save_criteria_description_label_is_the_dialogs_own(manager_client, segment):
    page = the_segment_page_with(
        manager_client, segment, reverse("segments:save-criteria", args=[segment.pk])
    )
    (form,) = page.xpath("//form[@id='save-criteria-form']")
    for name, text in {"code": "Code", "description": "Description"}.items():
        (label,) = form.xpath(".//label[normalize-space(text())=$text]", text=text)
        (control,) = page.xpath("//*[@id=$id]", id=label.get("for"))
        assert control.get("name") == name
        assert control.xpath("ancestor::form[1]/@id") == ["save-criteria-form"]
    # The header keeps its own Description.
    (header_label,) = page.xpath("//form[@id='header-form']//label[@for='id_description']")
    assert page.get_element_by_id("id_description").get("name") == "description"
    assert header_label is not None


def test_save_criteria_still_posts_its_plain_field_names(manager_client, segment):
    response = manager_client.post(
        reverse("segments:save-criteria", args=[segment.pk]),
        {"code": "SE", "description": "Swedish contacts"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == segment.get_absolute_url()
    saved = SavedCriteria.objects.get(code="SE")
    assert saved.description == "Swedish contacts"


# --- Apply in the criteria dialog ---------------------------------------------------------------


def test_apply_has_its_own_request_sync_and_a_busy_state(staff_client, staff):
    segment = built_segment(staff, lines=1)
    dialog = parse(
        staff_client.get(reverse("segments:criteria", args=[segment.pk, "add"]), headers=HTMX)
    )
    form = dialog.get_element_by_id("criteria-form")
    apply = dialog.get_element_by_id("criteria-apply")
    preview = dialog.get_element_by_id("criteria-preview-button")
    # The form's live preview: the newest replaces an older one still running.
    assert form.get("hx-post") == reverse("segments:criteria-preview", args=[segment.pk, "add"])
    assert form.get("hx-sync") == "this:replace"
    # Apply syncs on itself, not (by inheritance) on the form: a preview cannot abort it,
    # and a second click while it runs is dropped.
    assert apply.get("hx-post") == reverse("segments:criteria", args=[segment.pk, "add"])
    assert apply.get("hx-sync") == "this:drop"
    # While Apply runs, it and the Preview button are disabled and it shows a spinner.
    disabled = {part.strip() for part in apply.get("hx-disabled-elt").split(",")}
    assert disabled == {"#criteria-apply", "#criteria-preview-button"}
    assert preview.get("id") in {name[1:] for name in disabled}
    assert apply.get("data-busy") is not None
    (spinner,) = apply.xpath(".//*[contains(@class, 'busy-spinner')]")
    assert spinner.get("role") == "status"
    assert spinner.text_content().strip() == "Applying…"
    # The segment page that hosts the dialog loads the script that sets aria-busy.
    page = staff_client.get(segment.get_absolute_url()).content.decode()
    assert "segments/dialogs.js" in page


# --- the preview of invalid filters -------------------------------------------------------------


def test_the_preview_of_invalid_filters_names_each_filter_and_what_is_wrong(staff_client, staff):
    """The preview swaps only itself, never the fields the user may be typing in.

    It says what is wrong with which filter, and names the invalid fields in
    ``data-invalid``; the page's script (dialogs.js) marks those in red, so "marked in
    red" holds before Apply too. Apply then renders them marked (next test).
    """
    segment = built_segment(staff, lines=1)
    before = segment.lines.count()
    response = staff_client.post(
        reverse("segments:criteria-preview", args=[segment.pk, "add"]),
        {"contact-has_email": "maybe", "interaction-date_from": "soon", "contact-city": "Oslo"},
        headers=HTMX,
    )
    preview = parse(response)
    (box,) = preview.xpath("//*[@id='preview-errors']")
    assert box.xpath("./p")[0].text_content().strip() == "Correct the filters marked in red."
    assert [item.text_content().strip() for item in box.xpath(".//li")] == [
        "Contacts, Has email: Enter yes or no (true or false).",
        "Interactions, Interaction date from: Enter a valid date.",
    ]
    assert box.get("data-invalid").split() == ["contact-has_email", "interaction-date_from"]
    # Each name is a field of the dialog the preview belongs to.
    dialog = parse(
        staff_client.get(reverse("segments:criteria", args=[segment.pk, "add"]), headers=HTMX)
    )
    for name in box.get("data-invalid").split():
        assert dialog.xpath("//form[@id='criteria-form']//*[@name=$name]", name=name), name
    assert segment.lines.count() == before


def test_apply_with_the_same_filters_marks_the_fields_the_preview_named(staff_client, staff):
    segment = built_segment(staff, lines=1)
    response = staff_client.post(
        reverse("segments:criteria", args=[segment.pk, "add"]),
        {"contact-has_email": "maybe", "interaction-date_from": "soon"},
        headers=HTMX,
    )
    dialog = parse(response)
    marked = dialog.xpath("//*[contains(@class, 'is-invalid')][@name]/@name")
    assert set(marked) == {"contact-has_email", "interaction-date_from"}


# --- searchable lists, the sticky footer, the newest preview ----------------------------------


def test_every_list_of_the_criteria_dialogs_is_a_searchable_multi_select(staff_client, staff):
    """Tom Select (static/js/multi-select.js) enhances every <select multiple> inside an
    element marked data-multi-select; the page loads it and its styles from static/."""
    segment = built_segment(staff, lines=1)
    for action in ("add", "reduce", "refine"):
        dialog = parse(
            staff_client.get(reverse("segments:criteria", args=[segment.pk, action]), headers=HTMX)
        )
        form = dialog.get_element_by_id("criteria-form")
        assert form.get("data-multi-select") == "Type to search…"
        lists = form.xpath(".//select[@multiple]")
        assert len(lists) >= 10, action  # country, territory, groups, yes/no filters...
        for select in lists:
            (label,) = dialog.xpath("//label[@for=$id]", id=select.get("id"))
            assert label.text_content().strip(), select.get("name")
    page = staff_client.get(segment.get_absolute_url()).content.decode()
    for asset in (
        "/static/vendor/tom-select/tom-select.complete.min.js",
        "/static/vendor/tom-select/tom-select.bootstrap5.min.css",
        "/static/js/multi-select.js",
    ):
        assert asset in page


def test_the_preview_and_apply_are_in_the_footer_and_every_preview_shares_one_sync(
    staff_client, staff
):
    segment = built_segment(staff, lines=1)
    dialog = parse(
        staff_client.get(reverse("segments:criteria", args=[segment.pk, "add"]), headers=HTMX)
    )
    (footer,) = dialog.xpath("//form[@id='criteria-form']/*[@id='criteria-footer']")
    # The footer is the form's last part: nothing scrolls under it at the end.
    assert footer.getparent()[-1] is footer
    assert footer.xpath(".//*[@id='criteria-preview'][@aria-live='polite']")
    assert footer.xpath(".//*[@id='criteria-apply']")
    # The Preview button and the live triggers all post to the preview through the form's
    # hx-sync="this:replace" (no sync of their own): a newer preview aborts an older one.
    preview = dialog.get_element_by_id("criteria-preview-button")
    assert preview.get("hx-post") == reverse("segments:criteria-preview", args=[segment.pk, "add"])
    assert preview.get("hx-sync") is None
    assert dialog.get_element_by_id("criteria-form").get("hx-sync") == "this:replace"
