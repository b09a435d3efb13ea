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


def test_a_persons_company_cannot_change_while_on_a_segment_and_the_admin_says_so(
    admin_client, admin_user
):
    from django.core.exceptions import ValidationError
    from django.urls import reverse

    from segments import services

    old, new = CompanyFactory(name="Old"), CompanyFactory(name="New")
    person = ContactFactory(company=old)
    segment = services.create_segment(user=admin_user, description="Autumn")
    services.add_line(segment, contact=person, user=admin_user)
    person.company = new
    with pytest.raises(ValidationError, match="cannot change while the contact is on a segment"):
        person.save()
    url = reverse("admin:crm_contact_change", args=[person.pk])
    page = admin_client.get(url)
    data = {key: value for key, value in page.context["adminform"].form.initial.items() if value}
    data.update({"company": new.pk, "no": person.no, "type": "person", "name": person.name})
    for field in (
        "mailing_groups",
        "job_responsibilities",
        "industry_groups",
        "business_relations",
    ):
        data.pop(field, None)
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "cannot change while the contact is on a segment" in response.content.decode()
    assert Contact.objects.get(pk=person.pk).company_id == old.pk
