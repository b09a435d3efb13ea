"""Mailing labels as PDF (issue 17, done when 4): from a segment and from the contact
list's filter, on A4 sheets of 3 x 8 and 2 x 7 labels, each holding the contact's mailing
address in order (the letters' rule), with or without our sender line."""

import io

import pytest
from django.contrib.auth.models import Permission
from pypdf import PdfReader

from crm.models import CompanyInformation, Contact
from interactions.labels import LABEL_FORMATS, write_labels
from segments import services
from tests.factories import (
    CompanyFactory,
    ContactFactory,
    SegmentFactory,
    UserFactory,
    manager_user,
)

pytestmark = pytest.mark.django_db

SENDER = "Nordlys AS, Storgata 1, 0155 Oslo"


@pytest.fixture
def company_information(db):
    CompanyInformation.objects.update_or_create(
        pk=1,
        defaults={"name": "Nordlys AS", "address": "Storgata 1", "post_code": "0155"}
        | {"city": "Oslo", "country": "NO"},
    )


def viewer():
    """A user who may view segments and nothing else."""
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="view_segment"))
    return user


def pages_of(response) -> list[list[str]]:
    """The PDF's pages, each as its text lines."""
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    return [page.extract_text().splitlines() for page in reader.pages]


def mailing_world():
    """Contacts of every kind a label may or may not be printed for, and their blocks."""
    company = CompanyFactory(
        name="Fjord Fisk AS", address="Kaia 3", post_code="5003", city="Bergen", country="NO"
    )
    person = ContactFactory(
        name="Kari Nordmann",
        company=company,
        company_name="Fjord Fisk AS",
        address="Kaia 3",
        address_2="2. etasje",
        post_code="5003",
        city="Bergen",
        country="NO",
    )
    abroad = ContactFactory(
        name="Sven Berg", address="Drottninggatan 9", post_code="111 51", city="Stockholm"
    )
    Contact.objects.filter(pk=abroad.pk).update(country="SE", county="Stockholms län")
    erased = ContactFactory(name="Erased contact", address="Gone 1")
    blocked = ContactFactory(name="Blocked Person", address="Hidden 2")
    no_letters = ContactFactory(name="No Letters", address="Quiet 3")
    Contact.objects.filter(pk=erased.pk).update(erased=True)
    Contact.objects.filter(pk=blocked.pk).update(privacy_blocked=True)
    Contact.objects.filter(pk=no_letters.pk).update(letter_opt_out=True)
    expected = {
        company.pk: ["Fjord Fisk AS", "Kaia 3", "5003 Bergen"],
        person.pk: ["Kari Nordmann", "Fjord Fisk AS", "Kaia 3", "2. etasje", "5003 Bergen"],
        # Abroad: the county, then the country's name (not its code).
        abroad.pk: [
            "Sven Berg",
            "Drottninggatan 9",
            "111 51 Stockholm",
            "Stockholms län",
            "Sweden",
        ],
    }
    return [company, person, abroad, erased, blocked, no_letters], expected


def segment_of(contacts, user=None):
    segment = SegmentFactory(created_by=user) if user else SegmentFactory()
    for contact in contacts:
        services.add_line(segment, contact=contact, user=segment.created_by)
    return segment


@pytest.mark.parametrize("sheet", ["3x8", "2x7"])
@pytest.mark.parametrize("sender", [False, True])
def test_each_label_holds_the_contacts_mailing_address_in_line_order(
    client, company_information, sheet, sender
):
    contacts, expected = mailing_world()
    # Lines in another order than the contacts were made: labels follow the lines.
    segment = segment_of(list(reversed(contacts)))
    client.force_login(viewer())
    params = {"label_format": sheet} | ({"sender": "on"} if sender else {})
    response = client.get(f"/segments/{segment.pk}/labels/", params)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'filename="labels-{segment.no}.pdf"')
    [page] = pages_of(response)
    blocks = [expected[pk] for pk in reversed([c.pk for c in contacts]) if pk in expected]
    sender_line = [SENDER] if sender else []
    assert page == [line for block in blocks for line in sender_line + block]


@pytest.mark.parametrize("sheet, per_page", [("3x8", 24), ("2x7", 14)])
def test_the_labels_fill_whole_sheets_before_a_new_page(client, sheet, per_page):
    contacts = [ContactFactory(name=f"Contact {n:02d}", city="Hamar") for n in range(30)]
    segment = segment_of(contacts)
    client.force_login(viewer())
    pages = pages_of(client.get(f"/segments/{segment.pk}/labels/", {"label_format": sheet}))
    assert len(pages) == -(-30 // per_page)
    names = [line for page in pages for line in page if line.startswith("Contact ")]
    assert names == [f"Contact {n:02d}" for n in range(30)]
    assert sum(line.startswith("Contact ") for line in pages[0]) == per_page


def test_the_form_page_counts_the_labels_and_offers_both_sheets(client, company_information):
    contacts, expected = mailing_world()
    segment = segment_of(contacts)
    client.force_login(viewer())
    page = client.get(f"/segments/{segment.pk}/labels/").content.decode()
    assert "3 labels, one per contact" in page
    assert "3 × 8 labels, 70 × 37 mm" in page and "2 × 7 labels, 99.1 × 38.1 mm" in page
    assert SENDER in page  # what the sender line would say
    refused = client.get(f"/segments/{segment.pk}/labels/", {"label_format": "4x4"})
    assert refused["Content-Type"].startswith("text/html")
    assert "Select a valid choice" in refused.content.decode()


def test_a_user_who_cannot_view_segments_gets_no_labels(client):
    segment = segment_of([ContactFactory()])
    client.force_login(UserFactory())
    response = client.get(f"/segments/{segment.pk}/labels/", {"label_format": "3x8"})
    assert response.status_code == 403
    assert response.get("Content-Type", "").startswith("text/html")


def test_the_segment_page_links_to_its_labels(client):
    user = manager_user()
    segment = segment_of([ContactFactory()], user=user)
    client.force_login(user)
    page = client.get(segment.get_absolute_url()).content.decode()
    assert f'href="/segments/{segment.pk}/labels/"' in page


def test_the_contact_lists_filter_gives_its_labels(client, company_information):
    contacts, expected = mailing_world()
    ContactFactory(name="Elsewhere", city="Tromsø")
    client.force_login(manager_user())
    listing = client.get("/contacts/", {"city": "Bergen"}).content.decode()
    assert 'href="/contacts/labels/?city=Bergen"' in listing
    form = client.get("/contacts/labels/", {"city": "Bergen"}).content.decode()
    assert '<input type="hidden" name="city" value="Bergen">' in form
    assert "2 labels, one per contact" in form
    response = client.get("/contacts/labels/", {"city": "Bergen", "label_format": "2x7"})
    [page] = pages_of(response)
    company, person = contacts[:2]
    assert page == expected[company.pk] + expected[person.pk]


def test_a_contact_list_user_is_needed_for_its_labels(client):
    client.force_login(UserFactory())
    assert client.get("/contacts/labels/", {"label_format": "3x8"}).status_code == 403


def test_labels_are_read_in_one_query_whatever_the_number_of_lines(
    client, django_assert_max_num_queries
):
    segment = segment_of(ContactFactory.create_batch(40))
    client.force_login(viewer())
    with django_assert_max_num_queries(12):
        response = client.get(f"/segments/{segment.pk}/labels/", {"label_format": "3x8"})
        pages = pages_of(response)
    assert len(pages) == 2


def test_a_long_line_is_cut_to_fit_its_label():
    out = io.BytesIO()
    written = write_labels(
        [["A" * 200, "Short"]], out, label_format=LABEL_FORMATS["3x8"], sender=""
    )
    assert written == 1
    [first, second] = PdfReader(io.BytesIO(out.getvalue())).pages[0].extract_text().splitlines()
    assert first.startswith("AAAA") and first.endswith("…") and len(first) < 60
    assert second == "Short"


def test_the_company_name_in_the_sender_line_is_shown_as_text(client, company_information):
    CompanyInformation.objects.filter(pk=1).update(name="<b>Bold & Co</b>")
    segment = segment_of([ContactFactory(name="Ann (A) \\ Berg")])
    client.force_login(viewer())
    page = client.get(f"/segments/{segment.pk}/labels/").content.decode()
    assert "&lt;b&gt;Bold &amp; Co&lt;/b&gt;, Storgata 1" in page
    assert "<b>Bold" not in page
    response = client.get(
        f"/segments/{segment.pk}/labels/", {"label_format": "3x8", "sender": "on"}
    )
    [page] = pages_of(response)
    assert page[:2] == ["<b>Bold & Co</b>, Storgata 1, 0155 Oslo", "Ann (A) \\ Berg"]
