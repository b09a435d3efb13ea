import pytest

from crm.choices import ContactType
from crm.models import Contact
from tests.factories import CompanyFactory, ContactFactory

pytestmark = pytest.mark.django_db


def test_a_company_is_its_own_company_and_persons_copy_its_name():
    company = CompanyFactory(name="Fabrikam")
    person = ContactFactory(company=company)
    company.refresh_from_db()
    assert company.company_id == company.pk
    assert person.company_name == "Fabrikam"
    company.name = "Fabrikam AS"
    company.save()
    assert Contact.objects.get(pk=person.pk).company_name == "Fabrikam AS"
    assert Contact.objects.filter(type=ContactType.COMPANY).count() == 1


def test_a_company_without_persons_can_be_deleted_but_not_one_with_persons():
    from django.db.models import ProtectedError

    lonely = CompanyFactory()
    lonely.delete()
    assert not Contact.objects.filter(pk=lonely.pk).exists()

    company = CompanyFactory()
    ContactFactory(company=company)
    company.refresh_from_db()
    with pytest.raises(ProtectedError):
        company.delete()
    assert Contact.objects.filter(pk=company.pk).exists()
