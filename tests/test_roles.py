"""The roles of SPEC section 1 exist after migrate and come back after a flush."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from segments.roles import MANAGER, STAFF


def perms(name: str) -> set[str]:
    group = Group.objects.get(name=name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


@pytest.mark.django_db
def test_staff_build_segments_and_managers_also_log_cancel_and_manage_templates():
    staff, manager = perms(STAFF), perms(MANAGER)
    assert {"segments.add_segment", "segments.change_segment", "crm.view_contact"} <= staff
    assert not {"segments.log_segment", "interactions.cancel_interaction"} & staff
    assert "interactions.change_interactiontemplate" not in staff
    assert staff < manager
    assert {
        "segments.log_segment",
        "interactions.cancel_interaction",
        "interactions.change_interactiontemplate",
        "crm.change_mailinggroup",
    } <= manager


@pytest.mark.django_db(transaction=True)
def test_a_flush_brings_the_roles_back_with_their_permissions():
    expected = perms(MANAGER)
    call_command("flush", interactive=False, verbosity=0)
    assert perms(MANAGER) == expected
    assert Group.objects.filter(name=STAFF).exists()
