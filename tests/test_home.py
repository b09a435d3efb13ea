"""The home page (issue 17): "New segment", my recent segments, my drafts, my running jobs,
the counters, and a place for the charts; its queries do not grow with rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from interactions.services import save_interaction_draft
from jobs.models import Job
from segments import services
from tests.factories import ContactFactory, InteractionTemplateFactory, UserFactory

pytestmark = pytest.mark.django_db

HOME = reverse("crm:home")


def home(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(HOME)
    assert response.status_code == 200
    return response, len(queries)


def test_home_offers_a_new_segment(staff_client):
    response, _ = home(staff_client)
    assert f'href="{reverse("segments:segment-create")}"' in response.content.decode()


def test_my_recent_segments_are_the_five_i_last_created_or_changed(staff_client, staff):
    other = UserFactory(groups=["Marketing staff"])
    mine = [services.create_segment(user=staff, description=f"Mine {n}") for n in range(7)]
    theirs = services.create_segment(user=other, description="Theirs")
    untouched = services.create_segment(user=other, description="Not mine")
    # Changing the oldest of mine and one of theirs brings them to the top.
    services.update_segment_header(mine[0], user=staff, description="Mine 0, changed")
    services.update_segment_header(theirs, user=staff, description="Theirs, changed by me")
    response, _ = home(staff_client)
    shown = [segment.pk for segment in response.context["recent_segments"]]
    assert shown == [theirs.pk, mine[0].pk, mine[6].pk, mine[5].pk, mine[4].pk]
    content = response.content.decode()
    assert "Theirs, changed by me" in content and untouched.no not in content


def test_my_drafts_and_only_mine(staff_client, staff):
    template = InteractionTemplateFactory()
    save_interaction_draft(
        ContactFactory(name="Ada Lovelace"), template=template, user=staff, description="Call back"
    )
    other = UserFactory(groups=["Marketing staff"])
    save_interaction_draft(
        ContactFactory(name="Not Mine"), template=template, user=other, description="Theirs"
    )
    response, _ = home(staff_client)
    assert [draft.description for draft in response.context["drafts"]] == ["Call back"]
    content = response.content.decode()
    assert "Ada Lovelace" in content and "Not Mine" not in content
    draft = response.context["drafts"][0]
    assert f"{reverse('interactions:log-interaction')}?draft={draft.pk}" in content


def test_my_running_jobs_with_their_progress(staff_client, staff):
    Job.objects.create(
        kind="segments.log",
        description="Log segment SEG1",
        created_by=staff,
        state=Job.State.RUNNING,
        done=250,
        total=1000,
    )
    Job.objects.create(kind="x", description="Finished job", created_by=staff, state="succeeded")
    Job.objects.create(kind="x", description="Someone else's job", created_by=UserFactory())
    response, _ = home(staff_client)
    assert [job.description for job in response.context["running_jobs"]] == ["Log segment SEG1"]
    content = response.content.decode()
    assert 'value="25" max="100"' in content and "250 of 1,000" in content
    assert "Finished job" not in content and "Someone else" not in content


def test_no_jobs_no_drafts_no_segments_still_shows_the_counters(staff_client):
    response, _ = home(staff_client)
    content = response.content.decode()
    assert 'id="home-jobs"' not in content
    assert "Segments you create or change appear here." in content
    assert response.context["segment_count"] == 0


def test_a_user_without_a_role_sees_only_their_jobs(client):
    user = UserFactory(password=None)
    client.force_login(user)
    response, _ = home(client)
    assert "recent_segments" not in response.context
    assert "drafts" not in response.context
    assert 'id="home-new-segment"' not in response.content.decode()


def test_home_queries_do_not_grow_with_rows(staff_client, staff):
    template = InteractionTemplateFactory()
    services.create_segment(user=staff, description="One")
    save_interaction_draft(ContactFactory(), template=template, user=staff)
    Job.objects.create(kind="x", description="J", created_by=staff, state="running")
    home(staff_client)  # content types and the like are cached from here on
    _, few = home(staff_client)
    for n in range(8):
        segment = services.create_segment(user=staff, description=f"S{n}")
        services.update_segment_header(segment, user=staff, description=f"S{n}!")
        save_interaction_draft(ContactFactory(), template=InteractionTemplateFactory(), user=staff)
        Job.objects.create(kind="x", description=f"J{n}", created_by=staff, state="queued")
    _, many = home(staff_client)
    assert many == few


def test_the_home_page_shows_the_interaction_charts(staff_client):
    """The charts of issue 17 (interactions/templatetags/interaction_charts.py) are on it."""
    response, _ = home(staff_client)
    html = response.content.decode()
    assert 'id="home-charts"' in html
    assert 'id="home-weekly-heading"' in html
    assert 'id="home-campaigns-heading"' in html
