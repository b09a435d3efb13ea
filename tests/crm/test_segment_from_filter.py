"""The contact list's "Create segment from this filter" (issue 17): a new segment whose
first add action has exactly the list's filters, and whose lines are the listed contacts."""

import pytest
from django.urls import reverse

from audit.models import Action, AuditEntry
from segments.models import CriteriaActionType, Segment
from tests.factories import CompanyFactory, ContactFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("crm:contact-list")
CREATE = reverse("segments:segment-from-contacts")


@pytest.fixture
def nordic(db):
    oslo = CompanyFactory(no="C1", name="Oslo Shipping", city="Oslo", country="NO")
    people = ContactFactory.create_batch(3, company=oslo, city="Oslo", country="NO")
    bergen = CompanyFactory(no="C2", name="Bergen Fisk", city="Bergen", country="NO")
    stockholm = CompanyFactory(no="C3", name="Stockholm Te", city="Stockholm", country="SE")
    ContactFactory(company=stockholm, city="Stockholm", country="SE")
    CompanyFactory(no="C4", name="London Tea", city="London", country="GB")
    return {"oslo": oslo, "people": people, "bergen": bergen, "stockholm": stockholm}


def listed(client, query: str) -> set[int]:
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200
    page = response.context["page_obj"]
    assert page.paginator.num_pages == 1
    return {contact.pk for contact in page.object_list}


@pytest.mark.parametrize(
    ("query", "criteria"),
    [
        ("country=NO&city=oslo", {"country": ["NO"], "city": ["oslo"]}),
        ("country=NO&country=SE&type=company", {"country": ["NO", "SE"], "type": ["company"]}),
        ("post_code=&name=Fisk&has_email=", {"name": ["Fisk"]}),
        ("company=c1,C3&page=1", {"company": ["C1", "C3"]}),
    ],
)
def test_the_new_segments_first_add_action_is_the_lists_filter(
    staff_client, staff, nordic, query, criteria
):
    shown = listed(staff_client, query)
    assert shown
    response = staff_client.post(f"{CREATE}?{query}")
    segment = Segment.objects.get()
    assert response["Location"] == segment.get_absolute_url()
    (action,) = segment.actions.all()
    assert action.action == CriteriaActionType.ADD
    assert action.criteria == {"contact": criteria}
    assert not any(
        [
            action.expand_companies,
            action.allow_related_companies,
            action.ignore_exclusion,
            action.allow_existing,
        ]
    )
    assert set(segment.lines.values_list("contact", flat=True)) == shown
    assert action.added == len(shown)
    assert segment.created_by == staff
    assert {row.action for row in AuditEntry.objects.for_object(segment)} == {
        Action.SEGMENT_CREATED,
        Action.CRITERIA_ADDED,
    }


def test_the_segment_opens_with_a_message_saying_what_was_added(staff_client, nordic):
    response = staff_client.post(f"{CREATE}?country=NO&city=Oslo", follow=True)
    segment = response.context["segment"]
    assert [str(m) for m in response.context["messages"]] == [
        f"Segment {segment.no} has been created with 4 lines from the contact list's filters."
    ]
    assert segment.description == "Add contacts: city is Oslo, country is Norway"


def test_without_a_filter_no_segment_is_created(staff_client, nordic):
    response = staff_client.post(f"{CREATE}?page=1", follow=True)
    assert not Segment.objects.exists()
    assert response.redirect_chain[-1][0] == f"{LIST}?page=1"
    assert [str(m) for m in response.context["messages"]] == [
        "Choose at least one filter first: a segment of every contact is built on a new "
        "segment with Add contacts. No segment was created."
    ]


def test_an_invalid_filter_creates_no_segment(staff_client, nordic):
    response = staff_client.post(f"{CREATE}?country=XX", follow=True)
    assert not Segment.objects.exists()
    assert [str(m) for m in response.context["messages"]] == [
        "Correct the filters marked in red first; no segment was created."
    ]
    assert "is not a country" in response.content.decode()


def test_the_button_carries_the_lists_filter_and_waits_for_one(staff_client, nordic):
    page = staff_client.get(f"{LIST}?country=NO&page=1").content.decode()
    assert f'action="{CREATE}?country=NO"' in page
    assert 'id="create-segment-from-filter">' in page
    unfiltered = staff_client.get(LIST).content.decode()
    assert 'id="create-segment-from-filter" disabled' in unfiltered


def test_only_a_role_that_creates_segments_may(client, nordic):
    client.force_login(UserFactory(password=None))
    assert client.post(f"{CREATE}?country=NO").status_code == 403
    assert client.get(f"{CREATE}?country=NO").status_code in (403, 405)
    assert not Segment.objects.exists()


def test_excluded_contacts_are_left_out_as_on_any_add(staff_client, nordic):
    excluded = ContactFactory(city="Oslo", country="NO", exclude_from_segment=True)
    staff_client.post(f"{CREATE}?city=Oslo")
    lines = set(Segment.objects.get().lines.values_list("contact", flat=True))
    assert excluded.pk not in lines
    assert lines == {nordic["oslo"].pk, *(person.pk for person in nordic["people"])}
