"""The INSERT ... SELECT and DELETE helper: one statement each, exact rows, no Python loop."""

import pytest
from django.db import connection
from django.db.models import F, Value
from django.test.utils import CaptureQueriesContext

from crm.models import Contact, MailingGroup
from segments.models import SegmentLine
from segments.sql import delete_rows, insert_select
from tests.factories import CompanyFactory, ContactFactory, SegmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_insert_select_inserts_one_row_per_source_row_in_one_statement():
    segment = SegmentFactory(created_by=UserFactory(password=None))
    a, b = ContactFactory(no="A"), ContactFactory(no="B")
    ContactFactory(no="C", country="SE")
    with CaptureQueriesContext(connection) as captured:
        inserted = insert_select(
            SegmentLine,
            Contact.objects.filter(country="NO"),
            {"segment": Value(segment.pk), "contact": "pk", "line_no": F("pk") * 10},
        )
    assert inserted == 2
    assert len(captured.captured_queries) == 1
    assert captured.captured_queries[0]["sql"].startswith("INSERT INTO")
    rows = SegmentLine.objects.order_by("line_no").values_list(
        "contact_id", "line_no", "description", "personal_note", "added_by", "cost"
    )
    # Not-null fields left out get their default; nullable ones stay NULL.
    assert list(rows) == [
        (a.pk, a.pk * 10, "", "", None, None),
        (b.pk, b.pk * 10, "", "", None, None),
    ]


def test_insert_select_accepts_target_names_that_clash_with_source_fields():
    # ``language`` exists on both Contact and SegmentLine; aliases keep them apart.
    segment = SegmentFactory(created_by=UserFactory(password=None))
    ContactFactory(no="A", language="nb")
    insert_select(
        SegmentLine,
        Contact.objects.all(),
        {
            "segment": Value(segment.pk),
            "contact": "pk",
            "line_no": Value(1),
            "language": "language",
        },
    )
    assert SegmentLine.objects.get().language == "nb"


def test_insert_select_keeps_the_order_only_when_asked():
    segment = SegmentFactory(created_by=UserFactory(password=None))
    for no in ("C", "A", "B"):
        ContactFactory(no=no)
    by_no_desc = Contact.objects.order_by("-no")
    columns = {"segment": Value(segment.pk), "contact": "pk", "line_no": F("pk")}
    with CaptureQueriesContext(connection) as captured:
        insert_select(SegmentLine, by_no_desc, columns, keep_order=True)
    assert "ORDER BY" in captured.captured_queries[0]["sql"]
    # The auto-increment key follows the queryset's order.
    assert list(SegmentLine.objects.order_by("pk").values_list("contact__no", flat=True)) == [
        "C",
        "B",
        "A",
    ]
    with CaptureQueriesContext(connection) as captured:
        insert_select(SegmentLine, by_no_desc, {**columns, "line_no": F("pk") + 100})
    assert "ORDER BY" not in captured.captured_queries[0]["sql"]


def test_insert_select_of_an_empty_result_inserts_nothing():
    segment = SegmentFactory(created_by=UserFactory(password=None))
    ContactFactory()
    assert (
        insert_select(
            SegmentLine,
            Contact.objects.filter(pk__in=[]),
            {"segment": Value(segment.pk), "contact": "pk", "line_no": Value(1)},
        )
        == 0
    )
    assert not SegmentLine.objects.exists()


def test_insert_select_needs_every_not_null_field_without_default():
    with pytest.raises(ValueError, match="needs a value for line_no"):
        insert_select(SegmentLine, Contact.objects.all(), {"contact": "pk"})


def test_insert_select_fills_a_many_to_many_table():
    news = MailingGroup.objects.create(code="NEWS")
    ContactFactory(no="A")
    ContactFactory(no="B")
    through = Contact.mailing_groups.through
    insert_select(through, Contact.objects.all(), {"contact": "pk", "mailinggroup": Value(news.pk)})
    assert set(news.contacts.values_list("no", flat=True)) == {"A", "B"}


def test_delete_rows_deletes_exactly_the_filtered_rows_in_one_statement():
    ContactFactory(no="A", city="Oslo")
    ContactFactory(no="B", city="Bergen")
    ContactFactory(no="C", city="Oslo")
    with CaptureQueriesContext(connection) as captured:
        deleted = delete_rows(Contact.objects.filter(city="Oslo"))
    assert deleted == 2
    assert len(captured.captured_queries) == 1
    sql = captured.captured_queries[0]["sql"]
    assert sql.startswith("DELETE FROM") and " IN (SELECT" not in sql
    assert list(Contact.objects.values_list("no", flat=True)) == ["B"]


def test_delete_rows_with_a_join_uses_a_subquery_of_primary_keys():
    acme = CompanyFactory(no="CO1", name="Acme")
    ContactFactory(no="A", company=acme)
    ContactFactory(no="B")
    news = MailingGroup.objects.create(code="NEWS")
    through = Contact.mailing_groups.through
    for contact in Contact.objects.all():
        contact.mailing_groups.add(news)
    with CaptureQueriesContext(connection) as captured:
        deleted = delete_rows(through.objects.filter(contact__company__no="CO1"))
    assert deleted == 2  # the company and its person
    assert " IN (SELECT" in captured.captured_queries[0]["sql"]
    assert list(news.contacts.values_list("no", flat=True)) == ["B"]


def test_delete_rows_of_an_empty_filter_deletes_nothing_and_of_all_deletes_all():
    ContactFactory(no="A")
    ContactFactory(no="B")
    assert delete_rows(Contact.objects.filter(pk__in=[])) == 0
    assert Contact.objects.count() == 2
    assert delete_rows(Contact.objects.all()) == 2
    assert not Contact.objects.exists()
