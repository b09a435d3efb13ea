"""Criteria actions and generated texts read in the language of the page showing them.

Descriptions are rendered from the criteria JSON and options at display time, so a step
taken on an English page reads in Norwegian on a Norwegian page, and the other way round;
values show as the user picked them (country names, choice labels). The stored
``description`` is still filled when the action runs.
"""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from interactions.models import LoggedSegment
from segments import services
from segments.criteria import describe_action
from segments.models import Segment
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def english():
    # A Norwegian page leaves its language active in the thread: start each test in English.
    with translation.override("en"):
        yield


def in_language(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def built(user, language: str) -> Segment:
    """A segment with a criteria step and a manual step, both taken in ``language``."""
    ContactFactory(no="P1", country="NO")
    with translation.override(language):
        segment = services.create_segment(user=user, description="Nordic")
        services.add_contacts(
            segment, criteria={"contact": {"country": ["NO"], "type": ["person"]}}, user=user
        )
        services.add_line(segment, contact=ContactFactory(no="P2", country="SE"), user=user)
    return segment


def history(response) -> str:
    return response.content.decode()


def test_an_action_taken_in_english_reads_in_norwegian_on_the_norwegian_page(staff_client, staff):
    segment = built(staff, "en")
    stored = segment.actions.get(seq=1).description
    assert stored == "Add contacts: type is person, country is NO"  # filled as before
    page = history(in_language(staff_client, "nb").get(segment.get_absolute_url()))
    assert "Legg til kontakter: type er Person, land er Norge" in page
    assert "Legg til kontakter: nr. er P2 (for hånd)" in page
    assert "Add contacts" not in page


def test_an_action_taken_in_norwegian_reads_in_english_on_the_english_page(staff_client, staff):
    segment = built(staff, "nb")
    assert segment.actions.get(seq=1).description.startswith("Legg til kontakter")
    page = history(in_language(staff_client, "en").get(segment.get_absolute_url()))
    assert "Add contacts: type is Person, country is Norway" in page
    assert "Add contacts: no. is P2 (by hand)" in page
    assert "Legg til kontakter" not in page


def test_saved_criteria_read_in_the_page_language(staff_client, staff):
    segment = built(staff, "en")
    saved = services.save_criteria(segment, code="NORDIC", user=staff)
    url = reverse("segments:saved-criteria-detail", args=[saved.pk])
    page = history(in_language(staff_client, "nb").get(url))
    assert "Legg til kontakter: type er Person, land er Norge" in page
    page = history(in_language(staff_client, "en").get(url))
    assert "Add contacts: type is Person, country is Norway" in page


def logged_in_english(user) -> LoggedSegment:
    with translation.override("en"):
        return LoggedSegment.objects.create(
            segment_no="SEG99999",
            description="Nordic",
            created_by=user,
            criteria=[
                {
                    "seq": 1,
                    "action": "add",
                    "criteria": {"contact": {"country": ["NO", "SE"]}},
                    "description": "Add contacts: country is NO or SE",
                    "expand_companies": True,
                    "added": 2,
                    "removed": 0,
                }
            ],
        )


def test_a_logged_segments_criteria_read_in_the_page_language(staff_client, staff):
    logged = logged_in_english(staff)
    url = reverse("interactions:logged-segment-detail", args=[logged.pk])
    page = history(in_language(staff_client, "nb").get(url))
    assert "Legg til kontakter: land er Norge eller Sverige; utvid firmaer" in page


def test_the_admin_describes_criteria_in_its_language(admin_client, staff):
    logged = logged_in_english(staff)
    url = reverse("admin:interactions_loggedsegment_change", args=[logged.pk])
    page = history(in_language(admin_client, "nb").get(url))
    assert "1. Legg til kontakter: land er Norge eller Sverige; utvid firmaer" in page
    segment = built(staff, "en")
    url = reverse("admin:segments_segment_change", args=[segment.pk])
    page = history(in_language(admin_client, "nb").get(url))
    assert "Legg til kontakter: nr. er P2 (for hånd)" in page
    url = reverse("admin:segments_criteriaaction_changelist")
    page = history(in_language(admin_client, "nb").get(url))
    assert "Legg til kontakter: type er Person, land er Norge" in page


def test_a_stored_action_that_cannot_be_described_shows_its_stored_description():
    assert describe_action({"action": "explode", "description": "Old text"}) == "Old text"
    assert describe_action({"action": "add", "criteria": "nonsense"}) == "add"


def test_a_follow_up_description_reads_in_the_page_language_until_edited(manager_client, manager):
    logged = LoggedSegment.objects.create(segment_no="SEG00001", created_by=manager)
    with translation.override("en"):
        follow_up = services.create_follow_up_segment(logged, user=manager)
    # Stored in the language it was created in...
    assert follow_up.description == "Follow-up on segment SEG00001"
    # ...shown in the reader's.
    nb = in_language(manager_client, "nb")
    page = history(nb.get(follow_up.get_absolute_url()))
    assert "Oppfølging av segment SEG00001" in page
    assert "Follow-up on segment" not in page
    assert "Oppfølging av segment SEG00001" in history(nb.get(reverse("segments:segment-list")))
    with translation.override("nb"):
        assert follow_up.shown_description == "Oppfølging av segment SEG00001"
    # Once the user writes their own text, it is theirs and shown as typed.
    Segment.objects.filter(pk=follow_up.pk).update(description="Call them back")
    follow_up.refresh_from_db()
    with translation.override("nb"):
        assert follow_up.shown_description == "Call them back"
    # A segment that is not a follow-up is never rewritten.
    plain = services.create_segment(user=manager, description="Follow-up on segment SEG00001")
    with translation.override("nb"):
        assert plain.shown_description == "Follow-up on segment SEG00001"


def test_the_message_after_a_criteria_step_reads_like_the_history(staff_client, staff):
    """Walk finding: the message after Apply showed the stored text ("land er NO" on the
    Norwegian page, "type is person" next to the history's "type is Person")."""
    ContactFactory(no="N1", country="NO")
    segment = services.create_segment(user=staff, description="Nordic")
    response = in_language(staff_client, "nb").post(
        reverse("segments:criteria", args=[segment.pk, "add"]),
        {"contact-country": "NO"},
        follow=True,
    )
    shown = [str(message) for message in response.context["messages"]]
    assert shown == ["Legg til kontakter: land er Norge: 1 linje lagt til."]
    assert list(segment.lines.values_list("contact__no", flat=True)) == ["N1"]
    action = segment.actions.get()
    assert action.description == "Legg til kontakter: land er NO"  # stored as before
