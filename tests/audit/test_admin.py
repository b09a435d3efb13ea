"""The audit trail in the admin: listed, filtered and searched; never added, changed or deleted."""

import pytest
from django.urls import reverse

import audit
from audit.models import Action, AuditEntry
from tests.factories import SegmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_admin_lists_filters_and_searches_audit_entries(admin_client):
    kari = UserFactory(username="kari")
    audit.record(kari, Action.SEGMENT_CREATED, SegmentFactory(description="Spring mailing"))
    audit.record(kari, Action.HEADER_CHANGED, SegmentFactory(description="Autumn"), fields=["x"])
    url = reverse("admin:audit_auditentry_changelist")
    page = admin_client.get(url).content.decode()
    assert "Spring mailing" in page and "Autumn" in page and "Segment header changed" in page
    page = admin_client.get(url, {"action": "header_changed"}).content.decode()
    assert "Autumn" in page and "Spring mailing" not in page
    page = admin_client.get(url, {"q": "Spring"}).content.decode()
    assert "Spring mailing" in page and "Autumn" not in page
    page = admin_client.get(url, {"user__id__exact": kari.pk}).content.decode()
    assert "Spring mailing" in page


def test_audit_entries_are_view_only_in_the_admin(admin_client, admin_user):
    entry = audit.record(admin_user, Action.SEGMENT_CREATED, SegmentFactory())
    change = reverse("admin:audit_auditentry_change", args=[entry.pk])
    response = admin_client.get(change)
    assert response.status_code == 200
    assert b'name="_save"' not in response.content
    assert admin_client.post(change, {"action": "segment_deleted"}).status_code == 403
    delete = reverse("admin:audit_auditentry_delete", args=[entry.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert admin_client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    admin_client.post(
        reverse("admin:audit_auditentry_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert AuditEntry.objects.get().action == "segment_created"
