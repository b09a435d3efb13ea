"""Merge-field values of segment lines (SPEC 4.3), computed in SQL."""

import datetime

import pytest

from crm.choices import ContactType
from crm.models import CompanyInformation, Contact
from interactions.letters import MERGE_FIELDS
from segments.merge import MERGE_DATA_FIELDS, merge_values
from segments.models import SegmentLine
from tests.factories import (
    CompanyFactory,
    ContactFactory,
    InteractionTemplateFactory,
    InteractionTemplateLanguageFactory,
    SalespersonFactory,
    SalutationFormulaFactory,
    SegmentFactory,
)

from .builders import add_line

pytestmark = pytest.mark.django_db


def merge_data(line) -> dict:
    return merge_values(SegmentLine.objects.filter(pk=line.pk)).get().merge_data


@pytest.fixture
def our_company():
    company = CompanyInformation(
        name="Cronus AS",
        address="Storgata 1",
        post_code="0155",
        city="Oslo",
        country="NO",
        phone="+47 22 00 00 00",
        email="post@cronus.example",
        vat_no="NO999999999MVA",
    )
    company.save()
    return company


@pytest.fixture
def segment():
    template = InteractionTemplateFactory(description="Autumn offer", default_language="en")
    InteractionTemplateLanguageFactory(template=template, language="en", subject="Our offer")
    InteractionTemplateLanguageFactory(template=template, language="nb", subject="Vårt tilbud")
    return SegmentFactory(
        no="SEG00012",
        description="",
        interaction_template=template,
        date=datetime.date(2026, 11, 28),
        salesperson=SalespersonFactory(
            name="Ola Nordmann", job_title="Sales", email="ola@cronus.example", phone="123"
        ),
    )


@pytest.fixture
def person():
    company = CompanyFactory(name="Fabrikam AB", country="SE")
    formula = SalutationFormulaFactory(
        language="en",
        formal="Dear {first_name} {middle_name} {surname}",
        informal="Hi {first_name}",
    )
    SalutationFormulaFactory(
        salutation=formula.salutation,
        language="nb",
        formal="Kjære {first_name} {surname}, {job_title} i {company_name}",
        informal="Hei {initials}",
    )
    return ContactFactory(
        no="CT000042",
        type=ContactType.PERSON,
        name="Kari Holm",
        first_name="Kari",
        surname="Holm",
        initials="KH",
        job_title="CEO",
        company=company,
        address="Gatan 2",
        address_2="Box 7",
        post_code="111 22",
        city="Stockholm",
        county="Stockholms län",
        country="SE",
        email="kari@fabrikam.example",
        phone="+46 8 000",
        mobile_phone="+46 70 000",
        language="en",
        salutation=formula.salutation,
    )


def test_every_merge_field_but_entry_no_is_a_string(segment, person, our_company):
    data = merge_data(add_line(segment, person, personal_note="See you in Oslo!"))
    # EntryNo and UnsubscribeUrl are filled when a letter is rendered, not snapshotted.
    render_time = {"EntryNo", "UnsubscribeUrl"}
    assert set(data) == set(MERGE_FIELDS) - render_time == set(MERGE_DATA_FIELDS)
    assert all(isinstance(value, str) for value in data.values())
    assert data == data | {
        "ContactNo": "CT000042",
        "ContactName": "Kari Holm",
        "CompanyName": "Fabrikam AB",
        "JobTitle": "CEO",
        "Address": "Gatan 2",
        "Address2": "Box 7",
        "PostCode": "111 22",
        "City": "Stockholm",
        "County": "Stockholms län",
        "Country": "SE",
        "Email": "kari@fabrikam.example",
        "Phone": "+46 8 000",
        "MobilePhone": "+46 70 000",
        "SalespersonName": "Ola Nordmann",
        "SalespersonJobTitle": "Sales",
        "SalespersonEmail": "ola@cronus.example",
        "SalespersonPhone": "123",
        "Subject": "Our offer",
        "Description": "Autumn offer",
        "SegmentNo": "SEG00012",
        "PersonalNote": "See you in Oslo!",
        "OurName": "Cronus AS",
        "OurAddress": "Storgata 1",
        "OurPostCode": "0155",
        "OurCity": "Oslo",
        "OurCountry": "NO",
        "OurPhone": "+47 22 00 00 00",
        "OurEmail": "post@cronus.example",
        "OurVatNo": "NO999999999MVA",
    }


def test_mailing_address_of_a_person_abroad_has_company_and_country(segment, person, our_company):
    data = merge_data(add_line(segment, person))
    assert data["MailingAddress"] == (
        "Kari Holm\nFabrikam AB\nGatan 2\nBox 7\n111 22 Stockholm\nStockholms län\nSE"
    )


def test_mailing_address_at_home_skips_blank_lines_and_the_country(segment, our_company):
    company = CompanyFactory(name="Contoso AS", address="Kirkegata 3", post_code="0153")
    company = Contact.objects.get(pk=company.pk)
    data = merge_data(add_line(segment, company))
    assert data["MailingAddress"] == "Contoso AS\nKirkegata 3\n0153 Oslo"


def test_salutations_substitute_placeholders_in_the_letters_language(segment, person):
    data = merge_data(add_line(segment, person))
    assert data["FormalSalutation"] == "Dear Kari Holm"  # no double space for the middle name
    assert data["InformalSalutation"] == "Hi Kari"
    person.language = "nb"
    person.save()
    data = merge_data(add_line(segment, person))
    assert data["FormalSalutation"] == "Kjære Kari Holm, CEO i Fabrikam AB"
    assert data["InformalSalutation"] == "Hei KH"
    assert data["Subject"] == "Vårt tilbud"


def test_no_formula_in_the_language_gives_an_empty_salutation(segment):
    data = merge_data(add_line(segment, ContactFactory(salutation=None)))
    assert data["FormalSalutation"] == data["InformalSalutation"] == ""


def test_document_date_is_written_in_the_letters_language(segment, person):
    assert merge_data(add_line(segment, person))["DocumentDate"] == "28 November 2026"
    norwegian = add_line(segment, person, language="nb", date=datetime.date(2027, 3, 1))
    assert merge_data(norwegian)["DocumentDate"] == "1. mars 2027"
    may = add_line(segment, person, language="nb", date=datetime.date(2027, 5, 17))
    assert merge_data(may)["DocumentDate"] == "17. mai 2027"
    december = add_line(segment, person, date=datetime.date(2026, 12, 31))
    assert merge_data(december)["DocumentDate"] == "31 December 2026"


def test_salesperson_falls_back_to_the_contacts(person):
    segment = SegmentFactory(interaction_template=InteractionTemplateFactory())
    person.salesperson = SalespersonFactory(name="Kontakt Selger")
    person.save()
    assert merge_data(add_line(segment, person))["SalespersonName"] == "Kontakt Selger"


def test_without_company_information_our_fields_are_blank(segment, person):
    data = merge_data(add_line(segment, person))
    assert data["OurName"] == data["OurVatNo"] == ""
    # With no country of our own to compare, a foreign address shows its country.
    assert data["MailingAddress"].endswith("\nSE")


def test_merge_values_is_one_query(segment, person, django_assert_num_queries):
    for _ in range(4):
        add_line(segment, person)
    with django_assert_num_queries(1):
        rows = list(merge_values(SegmentLine.objects.all()).values_list("merge_data", flat=True))
    assert [row["ContactNo"] for row in rows] == ["CT000042"] * 4
