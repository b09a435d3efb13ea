"""SPEC 2: a contact on an unlogged segment line cannot be deleted, and a person's
company cannot change while the person is on one, whichever way the change comes."""

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError

from crm.choices import ContactType
from crm.models import Contact
from segments import services
from tests.factories import CompanyFactory, ContactFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_segment():
    user = UserFactory(password=None)
    segment = services.create_segment(user=user, description="Spring campaign")
    person = ContactFactory(company=CompanyFactory())
    services.add_line(segment, contact=person, user=user)
    return person


def test_a_contact_on_a_segment_line_cannot_be_deleted(on_segment):
    with pytest.raises(ProtectedError):
        on_segment.delete()
    assert Contact.objects.filter(pk=on_segment.pk).exists()


def test_a_persons_company_cannot_change_while_on_a_segment(on_segment):
    old_company = on_segment.company_id
    on_segment.company = CompanyFactory()
    with pytest.raises(ValidationError, match="cannot change while the contact is on a segment"):
        on_segment.save()
    assert Contact.objects.get(pk=on_segment.pk).company_id == old_company


def test_a_person_on_a_segment_cannot_become_a_company(on_segment):
    """A company is its own company, so turning the person into one changes its company."""
    old_company = on_segment.company_id
    on_segment.type = ContactType.COMPANY
    with pytest.raises(ValidationError, match="cannot change while the contact is on a segment"):
        on_segment.full_clean()
    with pytest.raises(ValidationError, match="cannot change while the contact is on a segment"):
        on_segment.save()
    stored = Contact.objects.get(pk=on_segment.pk)
    assert (stored.type, stored.company_id) == (ContactType.PERSON, old_company)
