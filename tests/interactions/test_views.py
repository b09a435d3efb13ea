"""Ledger pages: logged segments, interaction log entries, statistics, follow-up."""

import csv
import datetime
import io

import docx
import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from interactions import letters
from interactions import services as interaction_services
from interactions.choices import DeliveryStatus
from interactions.models import InteractionLogEntry, InteractionTemplateLanguage, LoggedSegment
from segments.models import Segment
from tests.factories import (
    ContactFactory,
    InteractionTemplateFactory,
    SalespersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Users are made per test; the default hasher would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_logged(user, *, segment_no="SEG00001", entries=2, canceled=False, **kwargs):
    logged = LoggedSegment.objects.create(
        segment_no=segment_no,
        description=f"Mailing {segment_no}",
        created_by=user,
        canceled=canceled,
        criteria=[
            {
                "seq": 1,
                "action": "add",
                "criteria": {"contact": {"country": ["NO"]}},
                "description": "Add contacts: country is NO",
                "added": entries,
                "removed": 0,
            }
        ],
        **kwargs,
    )
    make_entries(user, entries, logged_segment=logged, canceled=canceled)
    return logged


def make_entries(user, count, **values):
    """``count`` entries, one contact each, in one INSERT."""
    contacts = ContactFactory.create_batch(count) if count else []
    logged = values.get("logged_segment")
    defaults = {
        "segment_no": logged.segment_no if logged else "",
        "date": datetime.date(2026, 3, 1),
        "description": "Spring offer",
        "cost": 2,
        "duration": 5,
        "created_by": user,
    }
    rows = [
        InteractionLogEntry(contact=contact, contact_name=contact.name, **{**defaults, **values})
        for contact in contacts
    ]
    return InteractionLogEntry.objects.bulk_create(rows)


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def query_count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# --- permissions -------------------------------------------------------------------------------


READ_PAGES = [
    ("interactions:logged-segment-list", False),
    ("interactions:logged-segment-detail", True),
    ("interactions:entry-list", False),
    ("interactions:entry-export", False),
    ("interactions:statistics", False),
]


@pytest.mark.parametrize(("name", "needs_pk"), READ_PAGES)
def test_anonymous_users_are_sent_to_the_login_page(client, staff, name, needs_pk):
    logged = make_logged(staff)
    url = reverse(name, args=[logged.pk] if needs_pk else [])
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_anonymous_post_changes_nothing(client, staff):
    logged = make_logged(staff)
    response = client.post(
        reverse("interactions:logged-segment-cancel", args=[logged.pk]), {"canceled": "true"}
    )
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not LoggedSegment.objects.get(pk=logged.pk).canceled


@pytest.mark.parametrize(("name", "needs_pk"), READ_PAGES)
def test_staff_may_view_the_ledger_pages(staff_client, staff, name, needs_pk):
    logged = make_logged(staff)
    response = staff_client.get(reverse(name, args=[logged.pk] if needs_pk else []))
    assert response.status_code == 200


def test_a_user_without_a_role_gets_403(client):
    client.force_login(UserFactory())
    assert client.get(reverse("interactions:entry-list")).status_code == 403
    assert client.get(reverse("interactions:logged-segment-list")).status_code == 403


def test_staff_cannot_cancel_a_logged_segment(staff_client, staff):
    logged = make_logged(staff)
    response = staff_client.post(
        reverse("interactions:logged-segment-cancel", args=[logged.pk]), {"canceled": "true"}
    )
    assert response.status_code == 403
    assert not LoggedSegment.objects.get(pk=logged.pk).canceled
    assert not InteractionLogEntry.objects.filter(canceled=True).exists()


def test_staff_cannot_cancel_entries(staff_client, staff):
    logged = make_logged(staff)
    entry = logged.entries.first()
    response = staff_client.post(
        reverse("interactions:entry-cancel"), {"entries": [entry.pk], "canceled": "true"}
    )
    assert response.status_code == 403
    assert not InteractionLogEntry.objects.get(pk=entry.pk).canceled


def test_staff_cannot_delete_canceled_logged_segments(staff_client, staff):
    logged = make_logged(staff, canceled=True)
    url = reverse("interactions:logged-segment-delete-canceled")
    assert staff_client.get(url).status_code == 403
    assert staff_client.post(url).status_code == 403
    assert LoggedSegment.objects.filter(pk=logged.pk).exists()


def test_cancel_buttons_are_hidden_from_staff_and_shown_to_managers(client, staff, manager):
    logged = make_logged(staff)
    url = reverse("interactions:logged-segment-detail", args=[logged.pk])
    client.force_login(staff)
    page = client.get(url).content.decode()
    assert 'id="cancel-logged-segment"' not in page
    assert 'id="cancel-entries"' not in page
    client.force_login(manager)
    page = client.get(url).content.decode()
    assert 'id="cancel-logged-segment"' in page
    assert 'id="cancel-entries"' in page


def test_write_views_refuse_get(manager_client, staff):
    logged = make_logged(staff)
    url = reverse("interactions:logged-segment-cancel", args=[logged.pk])
    # GET asks for confirmation (issue 17) and writes nothing; only POST cancels.
    response = manager_client.get(url)
    assert response.status_code == 200
    assert 'id="confirm-cancel-logged-segment"' in response.content.decode()
    logged.refresh_from_db()
    assert not logged.canceled
    assert not logged.entries.filter(canceled=True).exists()
    assert manager_client.get(reverse("interactions:entry-cancel")).status_code == 405


def test_writes_need_the_csrf_token(manager, staff):
    from django.test import Client

    logged = make_logged(staff)
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    response = client.post(
        reverse("interactions:logged-segment-cancel", args=[logged.pk]), {"canceled": "true"}
    )
    assert response.status_code == 403
    assert not LoggedSegment.objects.get(pk=logged.pk).canceled


# --- logged segments ---------------------------------------------------------------------------


def test_logged_segment_list_shows_active_and_canceled_counts(staff_client, staff):
    logged = make_logged(staff, entries=3)
    make_entries(staff, 2, logged_segment=logged, canceled=True)
    response = staff_client.get(reverse("interactions:logged-segment-list"))
    row = next(row for row in response.context["object_list"] if row.pk == logged.pk)
    assert (row.active_entries, row.canceled_entries) == (3, 2)
    assert "SEG00001" in response.content.decode()


def test_logged_segment_list_links_the_rows_number_and_description(staff_client, staff):
    """Issue 17: only the tiny entry numbers were links; the segment number and the
    description open the logged segment too."""
    logged = make_logged(staff, segment_no="SEG00001", entries=1)
    content = staff_client.get(reverse("interactions:logged-segment-list")).content.decode()
    url = logged.get_absolute_url()
    assert f'<a href="{url}" class="logged-segment-link">SEG00001</a>' in content
    assert (
        f'<a href="{url}" class="logged-segment-link link-body-emphasis">'
        f"{logged.description}</a>" in content
    )


def test_logged_segment_list_sorts_and_filters(staff_client, staff):
    make_logged(staff, segment_no="SEG00001", entries=1)
    make_logged(staff, segment_no="SEG00002", entries=3)
    make_logged(staff, segment_no="SEG00003", entries=2, canceled=True)
    url = reverse("interactions:logged-segment-list")
    rows = staff_client.get(url, {"sort": "-active"}).context["object_list"]
    assert [row.segment_no for row in rows] == ["SEG00002", "SEG00001", "SEG00003"]
    rows = staff_client.get(url, {"canceled": "true"}).context["object_list"]
    assert [row.segment_no for row in rows] == ["SEG00003"]
    rows = staff_client.get(url, {"search": "seg00001"}).context["object_list"]
    assert [row.segment_no for row in rows] == ["SEG00001"]


def test_logged_segment_detail_shows_entries_criteria_and_counts(staff_client, staff):
    logged = make_logged(staff, entries=3)
    response = staff_client.get(reverse("interactions:logged-segment-detail", args=[logged.pk]))
    page = response.content.decode()
    assert response.context["counts"] == {"active": 3, "canceled": 0}
    assert "Add contacts: country is Norway" in page
    assert len(response.context["entries"]) == 3
    for entry in logged.entries.all():
        assert entry.contact_name in page


def test_logged_segment_detail_paginates_its_entries(staff_client, staff):
    logged = make_logged(staff, entries=55)
    url = reverse("interactions:logged-segment-detail", args=[logged.pk])
    assert len(staff_client.get(url).context["entries"]) == 50
    assert len(staff_client.get(url, {"page": 2}).context["entries"]) == 5


def test_manager_cancels_and_uncancels_a_logged_segment(manager_client, staff):
    logged = make_logged(staff, entries=3)
    url = reverse("interactions:logged-segment-cancel", args=[logged.pk])
    response = manager_client.post(url, {"canceled": "true"})
    assert response.status_code == 302
    assert response.url == logged.get_absolute_url()
    assert message_texts(response) == [
        "Logged segment SEG00001 has been canceled with its 3 entries."
    ]
    assert LoggedSegment.objects.get(pk=logged.pk).canceled
    assert logged.entries.filter(canceled=True).count() == 3
    page = manager_client.get(logged.get_absolute_url()).content.decode()
    assert 'id="uncancel-logged-segment"' in page

    response = manager_client.post(url, {"canceled": "false"})
    assert message_texts(response) == [
        "Logged segment SEG00001 has been un-canceled with its 3 entries."
    ]
    assert not logged.entries.filter(canceled=True).exists()


def test_cancel_twice_reports_the_state_instead_of_changing_it(manager_client, staff):
    logged = make_logged(staff, canceled=True)
    response = manager_client.post(
        reverse("interactions:logged-segment-cancel", args=[logged.pk]), {"canceled": "true"}
    )
    assert message_texts(response) == ["Logged segment SEG00001 is already canceled."]


def test_cancel_with_a_bad_value_changes_nothing(manager_client, staff):
    logged = make_logged(staff)
    response = manager_client.post(
        reverse("interactions:logged-segment-cancel", args=[logged.pk]), {"canceled": "maybe"}
    )
    assert response.status_code == 302
    assert "Select a valid choice" in message_texts(response)[0]
    assert not LoggedSegment.objects.get(pk=logged.pk).canceled


def test_cancel_of_a_deleted_logged_segment_gives_a_message(manager_client):
    response = manager_client.post(
        reverse("interactions:logged-segment-cancel", args=[9999]), {"canceled": "true"}
    )
    assert response.status_code == 302
    assert response.url == reverse("interactions:logged-segment-list")
    assert message_texts(response) == [
        "Logged segment 9999 no longer exists; it was deleted meanwhile."
    ]


def test_delete_canceled_logged_segments_confirms_then_deletes(manager_client, staff):
    canceled = make_logged(staff, segment_no="SEG00001", entries=2, canceled=True)
    active = make_logged(staff, segment_no="SEG00002", entries=1)
    url = reverse("interactions:logged-segment-delete-canceled")
    page = manager_client.get(url)
    assert page.context["total"] == 1
    assert page.context["entries"] == 2
    assert "SEG00001" in page.content.decode()
    assert LoggedSegment.objects.filter(pk=canceled.pk).exists()

    response = manager_client.post(url)
    assert response.url == reverse("interactions:logged-segment-list")
    assert message_texts(response) == [
        "1 canceled logged segment has been deleted; its interaction log entries are kept."
    ]
    assert not LoggedSegment.objects.filter(pk=canceled.pk).exists()
    assert LoggedSegment.objects.filter(pk=active.pk).exists()
    unlinked = InteractionLogEntry.objects.filter(segment_no="SEG00001", logged_segment=None)
    assert unlinked.count() == 2


def test_delete_one_logged_segment_refuses_an_active_one(manager_client, staff):
    active = make_logged(staff)
    url = reverse("interactions:logged-segment-delete", args=[active.pk])
    assert 'id="nothing-to-delete"' in manager_client.get(url).content.decode()
    response = manager_client.post(url)
    assert message_texts(response) == [
        f"Logged segment {active.pk} was not deleted: it no longer exists or is not canceled."
    ]
    assert LoggedSegment.objects.filter(pk=active.pk).exists()


def test_print_batch_download_and_missing_file(staff_client, staff):
    logged = make_logged(staff)
    url = reverse("interactions:logged-segment-print-batch", args=[logged.pk])
    response = staff_client.get(url)
    assert message_texts(response) == ["Logged segment SEG00001 has no print batch."]

    document = letters.build_document(["Hello «ContactName»"])
    name = default_storage.save("print_batches/SEG00001.docx", ContentFile(document))
    LoggedSegment.objects.filter(pk=logged.pk).record_status(print_batch=name)
    page = staff_client.get(logged.get_absolute_url()).content.decode()
    assert 'id="download-print-batch"' in page
    response = staff_client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == document
    assert "SEG00001-print-batch.docx" in response["Content-Disposition"]

    default_storage.delete(name)
    response = staff_client.get(url)
    assert message_texts(response) == [
        "The print batch file of logged segment SEG00001 is missing from storage."
    ]


def test_follow_up_segment_is_created_from_the_logged_segment(manager_client, manager, staff):
    logged = make_logged(staff, entries=3)
    canceled_entry = logged.entries.first()
    InteractionLogEntry.objects.filter(pk=canceled_entry.pk).record_status(canceled=True)
    response = manager_client.post(
        reverse("segments:logged-segment-follow-up", args=[logged.pk]), {"skip_canceled": "true"}
    )
    segment = Segment.objects.get(follow_up_of=logged)
    assert response.url == segment.get_absolute_url()
    assert segment.description == "Follow-up on segment SEG00001"
    assert segment.lines.count() == 2
    assert not segment.lines.filter(contact=canceled_entry.contact).exists()
    assert message_texts(response) == [
        f"Follow-up segment {segment.no} has been created from logged segment SEG00001."
    ]


def test_follow_up_needs_the_add_segment_permission(client, staff):
    logged = make_logged(staff)
    client.force_login(UserFactory())
    response = client.post(reverse("segments:logged-segment-follow-up", args=[logged.pk]))
    assert response.status_code == 403
    assert not Segment.objects.exists()


def test_follow_up_of_a_deleted_logged_segment_gives_a_message(staff_client):
    response = staff_client.post(reverse("segments:logged-segment-follow-up", args=[9999]))
    assert response.url == reverse("interactions:logged-segment-list")
    assert message_texts(response) == [
        "Logged segment 9999 no longer exists; it was deleted meanwhile."
    ]
    assert not Segment.objects.exists()


# --- interaction log entries -------------------------------------------------------------------


def test_entry_list_filters(staff_client, staff):
    template = InteractionTemplateFactory()
    salesperson = SalespersonFactory()
    logged = make_logged(staff, entries=2)
    (by_template,) = make_entries(staff, 1, template=template, group=template.group)
    (by_salesperson,) = make_entries(staff, 1, salesperson=salesperson)
    (late,) = make_entries(staff, 1, date=datetime.date(2026, 6, 1))
    (failed,) = make_entries(staff, 1, delivery_status=DeliveryStatus.FAILED)
    (canceled,) = make_entries(staff, 1, canceled=True)
    url = reverse("interactions:entry-list")

    def listed(**query):
        response = staff_client.get(url, query)
        assert response.status_code == 200
        return {entry.pk for entry in response.context["object_list"]}

    assert listed(template=template.pk) == {by_template.pk}
    assert listed(group=template.group.pk) == {by_template.pk}
    assert listed(salesperson=salesperson.pk) == {by_salesperson.pk}
    assert listed(date_from="2026-05-01") == {late.pk}
    assert late.pk not in listed(date_to="2026-05-01")
    assert listed(delivery_status="failed") == {failed.pk}
    assert failed.pk not in listed(delivery_status="none")
    assert listed(canceled="true") == {canceled.pk}
    assert canceled.pk not in listed(canceled="false")
    assert listed(logged_segment="seg00001") == set(logged.entries.values_list("pk", flat=True))
    assert listed(logged_segment=str(logged.pk)) == set(logged.entries.values_list("pk", flat=True))
    assert listed(contact=late.contact.no) == {late.pk}
    assert listed(contact=late.contact_name[1:-1].upper()) >= {late.pk}


def test_entry_list_with_an_invalid_filter_shows_errors_and_no_rows(staff_client, staff):
    make_entries(staff, 3)
    response = staff_client.get(reverse("interactions:entry-list"), {"date_from": "1st of May"})
    assert response.status_code == 200
    assert list(response.context["object_list"]) == []
    assert "Correct the filters marked in red" in response.content.decode()


def test_entry_list_sorts_by_a_column(staff_client, staff):
    for cost in (3, 1, 2):
        make_entries(staff, 1, cost=cost)
    url = reverse("interactions:entry-list")
    rows = staff_client.get(url, {"sort": "-cost"}).context["object_list"]
    assert [int(entry.cost) for entry in rows] == [3, 2, 1]
    rows = staff_client.get(url, {"sort": "cost"}).context["object_list"]
    assert [int(entry.cost) for entry in rows] == [1, 2, 3]


def test_manager_cancels_and_uncancels_selected_entries(manager_client, staff):
    first, second, third = make_entries(staff, 3)
    back = reverse("interactions:entry-list") + "?page=1"
    response = manager_client.post(
        reverse("interactions:entry-cancel"),
        {"entries": [first.pk, second.pk], "canceled": "true", "next": back},
    )
    assert response.url == back
    assert message_texts(response) == ["2 interaction log entries have been canceled."]
    assert set(InteractionLogEntry.objects.filter(canceled=True).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }
    manager_client.get(back)  # shows (and so consumes) the message
    response = manager_client.post(
        reverse("interactions:entry-cancel"), {"entries": [first.pk], "canceled": "false"}
    )
    assert message_texts(response) == ["1 interaction log entry has been un-canceled."]
    assert not InteractionLogEntry.objects.get(pk=first.pk).canceled


def test_uncancel_of_an_entry_of_a_canceled_logged_segment_is_refused(manager_client, staff):
    logged = make_logged(staff, entries=2, canceled=True)
    entry = logged.entries.first()
    response = manager_client.post(
        reverse("interactions:entry-cancel"), {"entries": [entry.pk], "canceled": "false"}
    )
    assert response.url == reverse("interactions:entry-list")
    (text,) = message_texts(response)
    assert "cannot be un-canceled because its logged segment is canceled" in text
    assert "SEG00001" in text
    assert InteractionLogEntry.objects.get(pk=entry.pk).canceled


def test_cancel_entries_without_a_selection_or_with_a_bad_number(manager_client, staff):
    make_entries(staff, 1)
    url = reverse("interactions:entry-cancel")
    response = manager_client.post(url, {"canceled": "true"})
    assert message_texts(response) == ["Select at least one interaction log entry."]
    manager_client.get(response.url)  # consumes the message
    response = manager_client.post(url, {"entries": ["99999"], "canceled": "true"})
    assert message_texts(response) == ["Interaction log entry 99999 does not exist."]
    assert not InteractionLogEntry.objects.filter(canceled=True).exists()


def test_cancel_entries_ignores_a_next_url_on_another_site(manager_client, staff):
    (entry,) = make_entries(staff, 1)
    response = manager_client.post(
        reverse("interactions:entry-cancel"),
        {"entries": [entry.pk], "canceled": "true", "next": "https://evil.example/"},
    )
    assert response.url == reverse("interactions:entry-list")


def test_entry_detail_shows_snapshot_fields_and_merge_data(staff_client, staff):
    (entry,) = make_entries(
        staff,
        1,
        subject="Spring news",
        merge_data={"ContactName": "Anne Hansen", "City": "Bergen"},
        delivery_status=DeliveryStatus.FAILED,
        delivery_error="Mailbox full",
    )
    response = staff_client.get(entry.get_absolute_url())
    page = response.content.decode()
    for text in ("Spring news", "Spring offer", "Mailbox full", "Anne Hansen", "Bergen", "Failed"):
        assert text in page
    assert ("City", "City", "Bergen") in response.context["merge_data"]


def test_entry_letter_is_rendered_from_its_merge_data(staff_client, staff):
    template = InteractionTemplateFactory(default_language="en")
    version = InteractionTemplateLanguage.objects.create(template=template, language="en")
    version.document.save(
        "letter.docx", ContentFile(letters.build_document(["Dear «ContactName» in «City»"]))
    )
    (entry,) = make_entries(
        staff,
        1,
        template=template,
        language="en",
        merge_data={"ContactName": "Anne Hansen", "City": "Bergen"},
        # As log_segment stores it: the document the letter was merged from.
        document=version.document.name,
    )
    response = staff_client.get(reverse("interactions:entry-letter", args=[entry.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    text = [p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs]
    assert text == ["Dear Anne Hansen in Bergen"]


def test_entry_letter_without_a_document_gives_a_message(staff_client, staff):
    (entry,) = make_entries(staff, 1, language="en")
    response = staff_client.get(reverse("interactions:entry-letter", args=[entry.pk]))
    assert response.url == entry.get_absolute_url()
    (text,) = message_texts(response)
    assert f"Interaction log entry {entry.pk} has no letter" in text


def test_csv_export_streams_the_filtered_entries(staff_client, staff):
    template = InteractionTemplateFactory(code="MAIL")
    (chosen,) = make_entries(staff, 1, template=template, description="=HYPERLINK(1)")
    make_entries(staff, 2)
    response = staff_client.get(reverse("interactions:entry-export"), {"template": template.pk})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["Entry no.", "Date", "Contact", "Contact name"]
    assert len(rows) == 2
    assert rows[1][0] == str(chosen.pk)
    assert rows[1][6] == "MAIL"
    assert rows[1][8] == "'=HYPERLINK(1)"  # a formula is written as text


def test_csv_export_with_an_invalid_filter_goes_back_with_a_message(staff_client):
    response = staff_client.get(reverse("interactions:entry-export"), {"date_to": "never"})
    assert response.status_code == 302
    assert message_texts(response) == [
        "Correct the filters marked in red before exporting the list."
    ]


# --- statistics --------------------------------------------------------------------------------


def test_statistics_count_neither_canceled_entries(staff_client, staff):
    template = InteractionTemplateFactory()
    make_entries(staff, 2, template=template, group=template.group, cost=3, duration=4)
    make_entries(staff, 1, template=template, group=template.group, cost=100, canceled=True)
    response = staff_client.get(reverse("interactions:statistics"))
    row = next(row for row in response.context["templates"] if row.pk == template.pk)
    assert (row.interactions, row.cost, row.duration) == (2, 6, 8)
    group = next(row for row in response.context["groups"] if row.pk == template.group.pk)
    assert (group.interactions, group.cost) == (2, 6)


def test_statistics_by_date_range(staff_client, staff):
    template = InteractionTemplateFactory()
    make_entries(staff, 1, template=template, group=template.group)
    make_entries(staff, 2, template=template, group=template.group, date=datetime.date(2026, 9, 1))
    url = reverse("interactions:statistics")
    response = staff_client.get(url, {"date_from": "2026-08-01"})
    row = next(row for row in response.context["templates"] if row.pk == template.pk)
    assert row.interactions == 2
    response = staff_client.get(url, {"date_from": "2026-09-02", "date_to": "2026-08-01"})
    assert response.context["form"].errors
    assert "is after the date to" in response.content.decode()


# --- query counts ------------------------------------------------------------------------------


def test_logged_segment_list_query_count_is_flat(staff_client, staff):
    for number in range(10):
        make_logged(staff, segment_no=f"SEGA{number:04d}", entries=1)
    url = reverse("interactions:logged-segment-list")
    few = query_count(staff_client, url)
    for number in range(40):
        make_logged(staff, segment_no=f"SEGB{number:04d}", entries=4)
    LoggedSegment.objects.bulk_create(
        LoggedSegment(segment_no=f"SEGC{number:04d}", created_by=UserFactory())
        for number in range(150)
    )
    assert LoggedSegment.objects.count() == 200
    assert query_count(staff_client, url) == few
    assert query_count(staff_client, url + "?sort=-active") == few


def test_entry_list_query_count_is_flat(client, manager, staff):
    client.force_login(manager)
    template = InteractionTemplateFactory()
    salesperson = SalespersonFactory()
    logged = make_logged(staff, entries=0)
    values = {"template": template, "group": template.group, "salesperson": salesperson}
    make_entries(staff, 10, logged_segment=logged, **values)
    url = reverse("interactions:entry-list")
    few = query_count(client, url)
    make_entries(staff, 190, logged_segment=logged, **values)
    assert query_count(client, url) == few
    assert query_count(client, url + "?sort=template") == few


def test_logged_segment_detail_query_count_is_flat(client, manager, staff):
    client.force_login(manager)
    template = InteractionTemplateFactory()
    logged = make_logged(staff, entries=10)
    url = reverse("interactions:logged-segment-detail", args=[logged.pk])
    few = query_count(client, url)
    make_entries(staff, 190, logged_segment=logged, template=template)
    assert query_count(client, url) == few


def test_statistics_query_count_is_flat(staff_client, staff):
    InteractionTemplateFactory.create_batch(10)
    url = reverse("interactions:statistics")
    few = query_count(staff_client, url)
    InteractionTemplateFactory.create_batch(190)
    assert query_count(staff_client, url) == few
    assert query_count(staff_client, url + "?date_from=2026-01-01") == few


def test_csv_export_query_count_is_flat(staff_client, staff):
    make_entries(staff, 10)

    def exported():
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(reverse("interactions:entry-export"))
            lines = b"".join(response.streaming_content).count(b"\n")
        return len(queries), lines

    few, lines = exported()
    assert lines == 11
    make_entries(staff, 190)
    assert exported() == (few, 201)


def test_a_follow_up_of_a_canceled_logged_segment_keeps_its_contacts_by_default(
    manager_client, manager, staff
):
    """Walk finding: on a canceled logged segment "Skip canceled entries" was checked, so
    the follow-up came out empty under a plain "has been created" message."""
    logged = make_logged(staff, entries=2)
    url = reverse("interactions:logged-segment-detail", args=[logged.pk])
    checkbox = 'id="follow-up-skip-canceled" checked>'
    assert checkbox in manager_client.get(url).content.decode()
    interaction_services.set_logged_segment_canceled(logged, canceled=True, user=manager)
    assert checkbox not in manager_client.get(url).content.decode()

    # Skipping them anyway says why the segment is empty.
    response = manager_client.post(
        reverse("segments:logged-segment-follow-up", args=[logged.pk]), {"skip_canceled": "true"}
    )
    segment = Segment.objects.get(follow_up_of=logged)
    assert not segment.lines.exists()
    assert message_texts(response) == [
        f"Follow-up segment {segment.no} has been created from logged segment SEG00001.",
        "It has no lines: every entry of logged segment SEG00001 is canceled, "
        "and canceled entries were skipped.",
    ]
    # Without skipping, every contact is there.
    manager_client.post(reverse("segments:logged-segment-follow-up", args=[logged.pk]), {})
    assert Segment.objects.filter(follow_up_of=logged).latest("pk").lines.count() == 2


def test_an_entry_letters_file_name_keeps_the_contacts_name(staff_client, staff):
    """Walk finding: the header carried "Kåre Berg" raw, and Chromium saved the letter as
    "4697  Berg.docx"; the name is now encoded as RFC 6266 says (filename*)."""
    template = InteractionTemplateFactory(default_language="en")
    version = InteractionTemplateLanguage.objects.create(template=template, language="en")
    version.document.save("letter.docx", ContentFile(letters.build_document(["Hei"])))
    contact = ContactFactory(name="Kåre Berg")
    (entry,) = InteractionLogEntry.objects.bulk_create(
        [
            InteractionLogEntry(
                contact=contact,
                contact_name=contact.name,
                template=template,
                language="en",
                date=datetime.date(2026, 3, 1),
                document=version.document.name,
                created_by=staff,
            )
        ]
    )
    response = staff_client.get(reverse("interactions:entry-letter", args=[entry.pk]))
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")
    assert disposition.endswith(f"{entry.entry_no}%20K%C3%A5re%20Berg.docx")
    assert [p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs] == ["Hei"]
