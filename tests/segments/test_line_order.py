"""The line order (company name, company no., type, name, id) through the stored sort key.

``Contact.segment_sort_key`` (crm.models.sorting) stands for the four columns; these tests
hold it to the order the four columns give, on awkward data (ties, blank company names,
prefixes, case, Norwegian letters, the key's own separator character), and check that
every writer of those columns keeps it.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.demo import seed_contacts, seed_reference_data
from crm.models import Contact, refresh_segment_sort_keys, segment_sort_key
from crm.services import erase_contact, update_contact
from segments import services
from segments.models import SegmentLine
from tests.factories import CompanyFactory, ContactFactory, UserFactory

pytestmark = pytest.mark.django_db

#: The product's order, as it was before the key: four columns and the id, the company's
#: no. through a join (a person without a company has none).
COLUMN_ORDER = ("company_name", "company__no", "type", "name", "pk")


@pytest.fixture
def user():
    return UserFactory(password=None, is_superuser=True)


def add_all(user) -> list[int]:
    """A new segment with every contact added; its contacts' ids in line order."""
    segment = services.create_segment(user=user)
    services.add_contacts(segment, criteria={"contact": {"country": "NO"}}, user=user)
    return list(
        SegmentLine.objects.filter(segment=segment)
        .order_by("line_no")
        .values_list("contact_id", flat=True)
    )


def column_order() -> list[int]:
    """The order by the four columns in the database (its collation)."""
    return list(Contact.objects.order_by(*COLUMN_ORDER).values_list("pk", flat=True))


def code_point_order() -> list[int]:
    """The order by the four columns in Python, code point by code point, of the contacts
    an add can take (a privacy-blocked contact never gets a line)."""
    rows = Contact.objects.filter(privacy_blocked=False).values_list(
        "pk", "company_name", "company__no", "type", "name"
    )
    return [pk for pk, *_ in sorted(rows, key=lambda r: (r[1], r[2] or "", r[3], r[4], r[0]))]


def assert_keys_current():
    """Every stored key is the key of the contact's stored values."""
    rows = Contact.objects.values_list(
        "no", "segment_sort_key", "company_name", "company__no", "type", "name"
    )
    stale = [no for no, key, *values in rows if key != segment_sort_key(*values)]
    assert stale == []


def awkward_contacts():
    """Companies and persons whose order turns on every part of the key."""
    alpha9 = CompanyFactory(no="CO9", name="Alpha")
    alpha10 = CompanyFactory(no="CO10", name="Alpha")  # "CO10" < "CO9" as text
    companies = [
        alpha9,
        alpha10,
        CompanyFactory(no="CO1", name="Alph"),  # a prefix of "Alpha"
        CompanyFactory(no="CO2", name="Alpha Beta"),
        CompanyFactory(no="CO3", name="alpha"),  # lower case after upper case
        CompanyFactory(no="CO4", name="Ærlig AS"),
        CompanyFactory(no="CO5", name="Øst AS"),
        CompanyFactory(no="CO6", name="Ås AS"),
        CompanyFactory(no="CO7", name="Aas AS"),
        CompanyFactory(no="CO8", name="Al\x01pha"),  # the key's own mark in a name
    ]
    for company in companies:
        ContactFactory(name="Ola Nordmann", company=company)
        ContactFactory(name="Ola Nordmann", company=company)  # a tie: the id decides
        ContactFactory(name="Ola", company=company)  # a prefix of the name above
        ContactFactory(name="Åse Ødegård", company=company)
    for name in ("Kari", "Kari", "Ærlend", "kari", "Ka\x01ri", ""):
        ContactFactory(name=name)  # no company: blank company name, no company no.
    return companies


def test_add_numbers_lines_in_the_column_order_on_awkward_data(user):
    awkward_contacts()
    assert_keys_current()
    expected = code_point_order()
    assert column_order() == expected  # the database compares code point by code point
    assert add_all(user) == expected


def test_the_add_statement_orders_by_the_key_without_joining_the_company(user):
    company = CompanyFactory(name="Beta")
    ContactFactory(company=company)
    segment = services.create_segment(user=user)
    with CaptureQueriesContext(connection) as captured:
        services.add_contacts(segment, criteria={"contact": {"country": "NO"}}, user=user)
    [insert] = [
        q["sql"]
        for q in captured.captured_queries
        if "segments_segmentline" in q["sql"] and q["sql"].startswith("INSERT")
    ]
    assert "segment_sort_key" in insert
    assert 'JOIN "crm_contact"' not in insert
    assert "company_name" not in insert


def test_renaming_a_company_or_changing_its_no_moves_its_persons(user):
    companies = awkward_contacts()
    update_contact(companies[0], user=user, name="Zulu")
    # A company's no. is not the services' to change; the admin saves it through save().
    Contact.objects.filter(pk=companies[2].pk).update(no="CO99")
    companies[2].refresh_from_db()
    companies[2].save()
    assert_keys_current()
    assert add_all(user) == code_point_order()


def test_moving_a_person_to_another_company_and_renaming_it_keeps_the_key(user):
    first = CompanyFactory(name="First")
    second = CompanyFactory(name="Second")
    person = ContactFactory(name="Per", company=first)
    update_contact(person, user=user, company=second, name="Aase")
    update_contact(first, user=user, type="company", name="Zero")
    assert_keys_current()
    assert add_all(user) == code_point_order()


def test_erasure_moves_the_contact_and_a_companys_persons(user):
    company = CompanyFactory(name="Aaa")
    ContactFactory(name="Bob", company=company)
    person = ContactFactory(name="Aaron")
    erase_contact(person, user=user, reason="asked")
    erase_contact(company, user=user, reason="asked")
    assert_keys_current()
    assert add_all(user) == code_point_order()


def test_the_set_based_refresh_gives_the_keys_the_python_function_gives():
    awkward_contacts()
    Contact.objects.update(segment_sort_key="")
    assert refresh_segment_sort_keys(Contact.objects.all()) == Contact.objects.count()
    assert_keys_current()


def test_the_demo_seed_writes_the_keys():
    seed_reference_data()
    seed_contacts(40)
    assert Contact.objects.count() == 40
    assert_keys_current()


def test_lines_are_numbered_in_line_order_but_inserted_in_contact_order(user):
    # Contacts created in reverse of their line order: inserting in line order would give
    # the lines' ids in the opposite order of their contacts' ids.
    for name in ("Zed", "Mia", "Amy"):
        ContactFactory(name=name)
    segment = services.create_segment(user=user)
    services.add_contacts(segment, criteria={"contact": {"country": "NO"}}, user=user)
    by_line_no = list(segment.lines.order_by("line_no").values_list("contact__name", flat=True))
    by_id = list(segment.lines.order_by("pk").values_list("contact_id", flat=True))
    assert by_line_no == ["Amy", "Mia", "Zed"]
    assert by_id == sorted(by_id)


def test_contacts_written_around_save_get_their_key_before_an_add(user):
    """bulk_create skips Contact.save, so these contacts have no key; the add gives them
    one first and numbers them where the product's order puts them."""
    company = CompanyFactory(name="Midt AS", country="NO")
    Contact.objects.bulk_create(
        [
            Contact(
                no=f"CTB{n}",
                type="person",
                name=name,
                company=company,
                company_name="Midt AS",
                country="NO",
            )
            for n, name in enumerate(["Åse", "Berit", "Anne"])
        ]
        + [Contact(no="CTB9", type="company", name="Aker AS", company_name="Aker AS", country="NO")]
    )
    assert Contact.objects.filter(segment_sort_key="").count() == 4
    assert add_all(user) == code_point_order()
    assert not Contact.objects.filter(segment_sort_key="").exists()
    assert_keys_current()
