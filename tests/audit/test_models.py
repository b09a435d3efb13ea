"""The audit trail itself: append-only, written in the caller's transaction, read per object."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.template import RequestContext, Template
from django.test import RequestFactory
from django.utils import translation

import audit
from audit.models import Action, AppendOnlyError, AuditEntry
from tests.factories import SegmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_record_writes_one_row_naming_the_user_the_action_and_the_object(user):
    segment = SegmentFactory(description="Spring mailing")
    entry = audit.record(user, Action.CRITERIA_ADDED, segment, added=12, removed=0)
    stored = AuditEntry.objects.get()
    assert stored == entry
    assert stored.user == user
    assert stored.action == "criteria_added"
    assert stored.content_type == ContentType.objects.get_for_model(segment)
    assert stored.object_id == str(segment.pk)
    assert stored.object_repr == f"{segment.no} Spring mailing"
    assert stored.details == {"added": 12, "removed": 0}
    assert stored.at is not None


def test_record_without_a_user_or_an_object_is_allowed_for_the_system(user):
    """The unsubscribe link and system jobs act without a user; some changes have no one
    object (deleting canceled logged segments)."""
    audit.record(None, "canceled_logged_segments_deleted", None, count=3)
    audit.record(AnonymousUser(), Action.SEGMENT_CREATED, SegmentFactory())
    first, second = AuditEntry.objects.order_by("pk")
    assert (first.user, first.content_type, first.object_id, first.details) == (
        None,
        None,
        "",
        {"count": 3},
    )
    assert second.user is None


def test_record_refuses_an_unknown_action_and_an_unsaved_object(user):
    with pytest.raises(ValueError):
        audit.record(user, "segment_renamed", SegmentFactory())
    with pytest.raises(ValueError):
        audit.record(user, Action.SEGMENT_CREATED, SegmentFactory.build())
    assert not AuditEntry.objects.exists()


def test_audit_entries_are_append_only(user):
    """save of an existing row, delete, and the queryset's update/delete all raise."""
    entry = audit.record(user, Action.SEGMENT_CREATED, SegmentFactory())
    entry.action = Action.SEGMENT_DELETED
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.update(action="segment_deleted")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.bulk_update([entry], ["action"])
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.bulk_create(
            [AuditEntry(pk=entry.pk, action="segment_deleted")],
            update_conflicts=True,
            unique_fields=["id"],
            update_fields=["action"],
        )
    assert AuditEntry.objects.get().action == "segment_created"


def test_a_new_row_with_an_existing_key_does_not_overwrite_it(user):
    entry = audit.record(user, Action.SEGMENT_CREATED, SegmentFactory())
    forged = AuditEntry(pk=entry.pk, action="segment_deleted")
    with pytest.raises(IntegrityError), transaction.atomic():
        forged.save()
    assert AuditEntry.objects.get().action == "segment_created"


def test_a_rolled_back_change_leaves_no_audit_row(user):
    """record runs in the service's transaction: when the change fails, its row goes too."""
    segment = SegmentFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(user, Action.HEADER_CHANGED, segment, fields=["description"])
        raise RuntimeError("the change failed after recording")
    assert not AuditEntry.objects.exists()


def test_a_user_who_has_acted_cannot_be_deleted(user):
    """PROTECT: the trail keeps its "who"; such a user is deactivated instead."""
    from django.db.models import ProtectedError

    audit.record(user, Action.SEGMENT_CREATED, SegmentFactory())
    with pytest.raises(ProtectedError):
        user.delete()


def test_history_is_the_objects_rows_newest_first_and_outlives_the_object(user):
    segment, other = SegmentFactory(), SegmentFactory()
    audit.record(user, Action.SEGMENT_CREATED, segment)
    audit.record(user, Action.SEGMENT_CREATED, other)
    audit.record(user, Action.HEADER_CHANGED, segment, fields=["description"])
    assert [e.action for e in audit.history(segment)] == ["header_changed", "segment_created"]
    repr_before, key = str(segment), segment.pk
    audit.record(user, Action.SEGMENT_DELETED, segment)
    segment.delete()
    segment.pk = key  # the deleted object's key still finds its rows
    rows = list(audit.history(segment))
    assert [e.action for e in rows] == ["segment_deleted", "header_changed", "segment_created"]
    assert {e.object_repr for e in rows} == {repr_before}


def test_labels_and_details_read_in_norwegian(user):
    entry = audit.record(user, Action.CRITERIA_ADDED, SegmentFactory(), added=3, fields=["a", "b"])
    with translation.override("nb"):
        assert entry.action_label == "Kontakter lagt til etter kriterier"
        assert entry.detail_items() == [("Lagt til", 3), ("Felt", "a, b")]


def test_the_history_panel_escapes_and_paginates_in_two_queries(django_assert_num_queries):
    """Newest first, 20 a page, a "System" row without a user, user text escaped."""
    user = UserFactory(first_name="Kari", last_name="<b>Nordmann</b>")
    segment = SegmentFactory()
    for number in range(25):
        audit.record(user, Action.LINE_CHANGED, segment, line=number, fields=["<i>x</i>"])
    audit.record(None, Action.SEGMENT_LOGGED, segment, lines=100000)
    template = Template("{% load audit %}{% history_panel segment %}")
    request = RequestFactory().get("/segments/1/")
    ContentType.objects.get_for_model(segment)  # cached, as on any page after the first
    with django_assert_num_queries(2):
        html = template.render(RequestContext(request, {"segment": segment}))
    assert html.count('class="border-bottom py-2 history-entry"') == 20
    assert html.index("Segment logged") < html.index("Segment line changed")
    assert "System" in html and "Lines: 100000" in html
    assert "Kari &lt;b&gt;Nordmann&lt;/b&gt;" in html and "<b>Nordmann" not in html
    assert "&lt;i&gt;x&lt;/i&gt;" in html
    assert "?history=2#history" in html
    second = template.render(
        RequestContext(RequestFactory().get("/", {"history": 2}), {"segment": segment})
    )
    assert second.count("history-entry") == 6


def test_inside_steps_the_inner_services_record_nothing(user):
    """A service made of other services records its one change itself."""
    segment = SegmentFactory()
    with audit.steps():
        assert audit.record(user, Action.CRITERIA_ADDED, segment, added=1) is None
        with audit.steps():
            audit.record(user, Action.CRITERIA_REDUCED, segment, removed=1)
        audit.record(user, Action.CRITERIA_ADDED, segment, added=1)
    audit.record(user, Action.CRITERIA_REUSED, segment, steps=3)
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["criteria_reused"]


def test_contacts_and_entries_are_named_by_number_in_the_trail(user):
    """The trail is append-only, so it keeps no contact name that erasure would have to
    remove: a contact, an entry and a draft are named by number or key."""
    from audit.services import object_name
    from tests.factories import ContactFactory
    from tests.ledger_data import log_entry

    contact = ContactFactory(name="Ola Nordmann")
    entry = log_entry(contact, user)
    assert object_name(contact) == contact.no
    assert object_name(entry) == str(entry.entry_no)
    assert "Nordmann" not in object_name(contact) + object_name(entry)


def test_starting_the_demo_over_empties_the_trail(user):
    """The next demo reuses the keys, so old rows would show on its new objects' pages."""
    from crm.demo import wipe_demo_data

    audit.record(user, Action.SEGMENT_CREATED, SegmentFactory())
    wipe_demo_data()
    assert not AuditEntry.objects.exists()
