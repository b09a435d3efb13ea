"""Every ledger and interaction service that changes state writes exactly one audit row."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from audit.models import AuditEntry
from interactions import services
from interactions.choices import Evaluation
from interactions.exceptions import InteractionError
from interactions.models import InteractionDraft, InteractionTemplate, LoggedSegment
from tests.factories import (
    ContactFactory,
    InteractionGroupFactory,
    InteractionTemplateFactory,
    SalespersonFactory,
    UserFactory,
)
from tests.ledger_data import log_entry, logged_segment

from .helpers import last_pk, the_row

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def user():
    user = UserFactory(username="kari", first_name="Kari", last_name="Nordmann")
    SalespersonFactory(user=user)
    return user


@pytest.fixture
def logged(user):
    logged = logged_segment(user, segment_no="SEG70001")
    for _ in range(3):
        log_entry(ContactFactory(), user, logged_segment=logged, segment_no="SEG70001")
    return logged


def test_cancel_and_uncancel_a_logged_segment(user, logged):
    before = last_pk()
    services.set_logged_segment_canceled(logged, canceled=True, user=user)
    row = the_row(before, user=user, action="logged_segment_canceled", obj=logged)
    assert row.details == {"entries": 3}
    before = last_pk()
    services.set_logged_segment_canceled(logged, canceled=False, user=user)
    row = the_row(before, user=user, action="logged_segment_uncanceled", obj=logged)
    assert row.details == {"entries": 3}


def test_cancel_one_entry_is_recorded_on_the_entry(user, logged):
    entry = logged.entries.order_by("entry_no")[0]
    before = last_pk()
    services.set_entries_canceled([entry], canceled=True, user=user)
    assert the_row(before, user=user, action="entries_canceled", obj=entry).details == {
        "entries": 1
    }
    before = last_pk()
    services.set_entries_canceled([entry], canceled=False, user=user)
    the_row(before, user=user, action="entries_uncanceled", obj=entry)


def test_cancel_entries_of_one_logged_segment_is_recorded_on_it(user, logged):
    before = last_pk()
    services.set_entries_canceled(logged.entries.all(), canceled=True, user=user)
    assert the_row(before, user=user, action="entries_canceled", obj=logged).details == {
        "entries": 3
    }


def test_cancel_entries_of_several_origins_is_one_row_on_no_object(user, logged):
    single = log_entry(ContactFactory(), user)
    entries = [*logged.entries.all(), single]
    before = last_pk()
    services.set_entries_canceled(entries, canceled=True, user=user)
    assert the_row(before, user=user, action="entries_canceled", obj=None).details == {"entries": 4}


def test_a_refused_uncancel_leaves_no_row(user, logged):
    services.set_logged_segment_canceled(logged, canceled=True, user=user)
    before = last_pk()
    with pytest.raises(InteractionError):
        services.set_entries_canceled(logged.entries.all(), canceled=False, user=user)
    assert last_pk() == before


def test_delete_canceled_logged_segments(user, logged):
    services.set_logged_segment_canceled(logged, canceled=True, user=user)
    before = last_pk()
    assert services.delete_canceled_logged_segments(user=user) == 1
    row = the_row(before, user=user, action="canceled_logged_segments_deleted", obj=logged)
    assert row.details == {"count": 1, "logged_segments": ["SEG70001"]}
    assert row.object_repr.startswith(str(logged.entry_no))
    assert not LoggedSegment.objects.exists()


def test_delete_canceled_logged_segments_from_the_command_has_no_user(user, logged):
    other = logged_segment(user, segment_no="SEG70002")
    for record in (logged, other):
        services.set_logged_segment_canceled(record, canceled=True, user=user)
    before = last_pk()
    call_command("delete_canceled_logged_segments", stdout=io.StringIO())
    row = the_row(before, user=None, action="canceled_logged_segments_deleted", obj=None)
    assert row.details == {"count": 2, "logged_segments": ["SEG70001", "SEG70002"]}


def test_log_interaction(user):
    contact = ContactFactory(no="CT800001")
    template = InteractionTemplateFactory(code="CALL")
    before = last_pk()
    entry = services.log_interaction(contact, template=template, user=user)
    row = the_row(before, user=user, action="interaction_logged", obj=entry)
    assert row.details == {"contact": "CT800001", "template": "CALL"}
    assert row.object_repr == str(entry.entry_no)


def test_a_refused_interaction_leaves_no_row(user):
    before = last_pk()
    with pytest.raises(InteractionError):
        services.log_interaction(
            ContactFactory(), template=InteractionTemplateFactory(), user=UserFactory()
        )  # a user who is nobody's salesperson
    assert last_pk() == before


def test_drafts(user):
    contact = ContactFactory(no="CT800002")
    template = InteractionTemplateFactory(code="MEET")
    before = last_pk()
    draft = services.save_interaction_draft(contact, template=template, user=user)
    row = the_row(before, user=user, action="draft_saved", obj=draft)
    assert row.details == {"contact": "CT800002", "template": "MEET"}
    before = last_pk()
    entry = services.log_interaction_draft(draft, user=user)
    row = the_row(before, user=user, action="interaction_logged", obj=entry)
    assert row.details == {"contact": "CT800002", "template": "MEET", "draft": draft.pk}
    draft = services.save_interaction_draft(contact, template=template, user=user)
    before = last_pk()
    services.delete_interaction_draft(draft, user=user)
    the_row(before, user=user, action="draft_deleted", obj=draft)
    assert not InteractionDraft.objects.exists()


def test_add_interaction_note(user, logged):
    entry = logged.entries.order_by("entry_no")[0]
    before = last_pk()
    services.add_interaction_note(
        entry, user=user, comment="Called back", evaluation=Evaluation.POSITIVE
    )
    row = the_row(before, user=user, action="note_added", obj=entry)
    assert row.details == {"fields": ["evaluation"]}  # the comment stays on the note


def test_interaction_templates_created_and_changed_in_the_pages(client):
    manager = UserFactory(username="manager", groups=["Marketing manager"])
    client.force_login(manager)
    group = InteractionGroupFactory()
    data = {
        "code": "news",
        "group": group.pk,
        "description": "Newsletter",
        "unit_cost": "1.50",
        "unit_duration": "3",
        "information_flow": "outbound",
        "initiated_by": "us",
        "correspondence_type": "email",
        "default_language": "EN",
    }
    before = last_pk()
    client.post(reverse("interactions:template-create"), data)
    template = InteractionTemplate.objects.get(code="NEWS")
    the_row(before, user=manager, action="template_created", obj=template)
    before = last_pk()
    client.post(
        reverse("interactions:template-update", args=[template.pk]),
        {**data, "code": "NEWS", "default_language": "en", "unit_cost": "2.00"},
    )
    row = the_row(before, user=manager, action="template_changed", obj=template)
    assert row.details == {"fields": ["unit_cost"]}
    page = client.get(template.get_absolute_url()).content.decode()
    assert "Interaction template changed" in page and "manager" in page


def test_interaction_templates_changed_in_the_admin(admin_client, admin_user):
    template = InteractionTemplateFactory(description="Old")
    data = {
        "code": template.code,
        "group": template.group.pk,
        "description": "New",
        "unit_cost": "0",
        "unit_duration": "0",
        "information_flow": "",
        "initiated_by": "",
        "correspondence_type": "email",
        "default_language": "en",
        "languages-TOTAL_FORMS": "0",
        "languages-INITIAL_FORMS": "0",
        "languages-MIN_NUM_FORMS": "0",
        "languages-MAX_NUM_FORMS": "1000",
    }
    before = last_pk()
    url = reverse("admin:interactions_interactiontemplate_change", args=[template.pk])
    response = admin_client.post(url, data)
    assert response.status_code == 302
    row = the_row(before, user=admin_user, action="template_changed", obj=template)
    assert "description" in row.details["fields"]
    assert AuditEntry.objects.count() == 1
