"""seed_demo: realistic data, tops up without duplicates, starts over, refuses bad values."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from crm.models import (
    BusinessRelation,
    CompanyInformation,
    Contact,
    IndustryGroup,
    JobResponsibility,
    MailingGroup,
    Salesperson,
    SalutationFormula,
    Territory,
    next_code,
)
from interactions.letters import fields
from interactions.models import InteractionTemplate, InteractionTemplateLanguage
from tests.ledger_data import log_entry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def test_seeds_companies_persons_and_every_reference_table():
    output = seed(contacts=120)
    assert Contact.objects.count() == 120
    companies = Contact.objects.companies()
    persons = Contact.objects.persons()
    assert companies.exists() and persons.count() > companies.count()
    # Every company is its own company; every person works for one.
    assert not companies.exclude(company=F("pk")).exists()
    assert not persons.filter(company__isnull=True).exists()
    assert set(Contact.objects.values_list("country", flat=True)) <= {"NO", "GB", "US"}
    assert set(Contact.objects.values_list("language", flat=True)) == {"en", "nb"}
    assert Contact.objects.filter(country="NO").exclude(language="nb").count() == 0
    for model in (Territory, MailingGroup, IndustryGroup, JobResponsibility, BusinessRelation):
        assert model.objects.exists(), model
    assert Contact.mailing_groups.through.objects.exists()
    assert Contact.industry_groups.through.objects.filter(contact__type="company").exists()
    assert Contact.job_responsibilities.through.objects.filter(contact__type="person").exists()
    assert set(SalutationFormula.objects.values_list("language", flat=True)) == {"en", "nb"}
    assert SalutationFormula.objects.exclude(formal="").exclude(informal="").count() >= 6
    assert Salesperson.objects.count() >= 5
    assert CompanyInformation.load().name
    assert "marketing / marketing" in output
    assert "manager / manager" in output
    assert "admin / admin" in output


def test_templates_have_english_and_norwegian_letters_with_merge_fields():
    seed(contacts=0)
    assert InteractionTemplate.objects.count() >= 3
    for template in InteractionTemplate.objects.all():
        versions = {v.language: v for v in template.languages.all()}
        assert set(versions) == {"en", "nb"}, template
        for version in versions.values():
            with version.document.open("rb") as document:
                used = fields(document.read())
            assert "FormalSalutation" in used or "InformalSalutation" in used
            assert "SalespersonName" in used
    assert InteractionTemplateLanguage.objects.exclude(subject="").count() >= 6


def test_one_demo_user_per_role_can_log_in():
    seed(contacts=0)
    User = get_user_model()
    assert User.objects.get(username="marketing").groups.filter(name="Marketing staff").exists()
    assert User.objects.get(username="manager").groups.filter(name="Marketing manager").exists()
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="marketing").check_password("marketing")
    assert Salesperson.objects.filter(user__username="marketing").exists()


def test_running_twice_does_not_duplicate_and_tops_up():
    seed(contacts=50)
    numbers = set(Contact.objects.values_list("no", flat=True))
    counts = [m.objects.count() for m in (MailingGroup, InteractionTemplateLanguage, Salesperson)]
    seed(contacts=50)
    assert set(Contact.objects.values_list("no", flat=True)) == numbers
    assert [
        m.objects.count() for m in (MailingGroup, InteractionTemplateLanguage, Salesperson)
    ] == counts
    assert get_user_model().objects.filter(username="marketing").count() == 1
    seed(contacts=80)
    assert Contact.objects.count() == 80
    assert Contact.objects.filter(no="CT000080").exists()
    assert next_code("CONTACT", Contact) == "CT000081"


def test_if_empty_seeds_only_an_empty_database():
    output = seed(contacts=20, if_empty=True)
    assert Contact.objects.count() == 20
    output = seed(contacts=40, if_empty=True)
    assert Contact.objects.count() == 20
    assert "nothing seeded" in output
    assert "marketing / marketing" in output


def test_reset_starts_over(user):
    seed(contacts=30)
    log_entry(Contact.objects.persons().first(), user)
    seed(contacts=10, reset=True)
    assert Contact.objects.count() == 10
    assert Contact.objects.order_by("no").first().no == "CT000001"
    assert InteractionTemplate.objects.count() == 4
    assert get_user_model().objects.filter(username="marketing").exists()


@pytest.mark.parametrize("value", ["-1", "abc", "2.5", 10**9])
def test_bad_contacts_value_is_refused_and_changes_nothing(value):
    with pytest.raises(CommandError, match="--contacts must be"):
        seed(contacts=value)
    assert not Contact.objects.exists()
    assert not MailingGroup.objects.exists()


def test_bad_contacts_value_from_the_command_line_exits_non_zero():
    from django.core.management import execute_from_command_line

    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["manage.py", "seed_demo", "--contacts", "lots"])
    assert exit_info.value.code == 1


def test_contacts_are_inserted_in_bulk():
    """Query count depends on batches, not on the number of contacts."""
    seed(contacts=0)
    with CaptureQueriesContext(connection) as small:
        seed(contacts=40)
    with CaptureQueriesContext(connection) as large:
        seed(contacts=440)
    assert len(large) <= len(small) + 2
