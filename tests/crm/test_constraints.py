"""Every crm constraint refuses bad rows in full_clean() and in the database."""

import pytest

from crm.models import (
    BusinessRelation,
    CompanyInformation,
    Contact,
    IndustryGroup,
    JobResponsibility,
    MailingGroup,
    NumberSeries,
    Salesperson,
    Salutation,
    SalutationFormula,
    Territory,
)
from tests.constraints import assert_refused
from tests.factories import CompanyFactory, SalespersonFactory, SalutationFormulaFactory

pytestmark = pytest.mark.django_db


def contact(**values):
    return Contact(**{"no": "CT900001", "type": "person", "name": "Ada Lovelace", **values})


def test_contact_type_must_be_company_or_person():
    assert_refused(contact(type="robot"), "Value 'robot' is not a valid choice.", field="type")


def test_contact_correspondence_type_must_be_blank_hard_copy_or_email():
    assert_refused(
        contact(correspondence_type="fax"),
        "Value 'fax' is not a valid choice.",
        field="correspondence_type",
    )


def test_contact_country_must_be_two_letters():
    assert_refused(contact(country="N"), "Country must be a two-letter ISO 3166 code.")


def test_contact_numbers_are_unique():
    CompanyFactory(no="CT900001")
    assert_refused(contact(), "Contact with this No. already exists.", field="no")


def test_a_good_contact_passes():
    contact(country="NO", correspondence_type="email").full_clean()


@pytest.mark.parametrize(
    "model",
    [Territory, MailingGroup, IndustryGroup, JobResponsibility, BusinessRelation, Salutation],
)
def test_reference_codes_are_unique(model):
    model.objects.create(code="NEWS", description="First")
    name = model._meta.verbose_name.capitalize()
    assert_refused(model(code="NEWS"), f"{name} with this Code already exists.", field="code")


def test_salesperson_codes_are_unique():
    SalespersonFactory(code="AH")
    assert_refused(
        Salesperson(code="AH", name="Annette Hill"),
        "Salesperson with this Code already exists.",
        field="code",
    )


def test_number_series_codes_are_unique():
    NumberSeries.objects.create(code="CONTACT", prefix="CT")
    assert_refused(NumberSeries(code="CONTACT", prefix="K"), "already exists.", field="code")


def test_a_salutation_has_one_formula_per_language():
    formula = SalutationFormulaFactory(language="nb")
    assert_refused(
        SalutationFormula(salutation=formula.salutation, language="nb", formal="Kjære"),
        "This salutation already has a formula in this language.",
    )


def test_there_is_one_company_information_row():
    CompanyInformation.objects.create(name="CRONUS")
    second = CompanyInformation(pk=2, name="Other")
    assert_refused(second, "There is only one company information record.")
