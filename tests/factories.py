"""factory_boy factories for every model the tests build data with."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from crm.choices import ContactType
from crm.models import (
    BusinessRelation,
    Contact,
    IndustryGroup,
    JobResponsibility,
    MailingGroup,
    Salesperson,
    Salutation,
    SalutationFormula,
    Territory,
)
from interactions.models import (
    Campaign,
    InteractionGroup,
    InteractionTemplate,
    InteractionTemplateLanguage,
)
from segments.models import Segment


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pw")

    @factory.post_generation
    def groups(self, create, names, **kwargs):
        if create and names:
            self.groups.add(*Group.objects.filter(name__in=names))


def staff_user(**kwargs):
    return UserFactory(groups=["Marketing staff"], **kwargs)


def manager_user(**kwargs):
    return UserFactory(groups=["Marketing manager"], **kwargs)


class CodedFactory(factory.django.DjangoModelFactory):
    code = factory.Sequence(lambda n: f"C{n:04d}")
    description = factory.Faker("bs")

    class Meta:
        abstract = True
        django_get_or_create = ["code"]


class TerritoryFactory(CodedFactory):
    class Meta:
        model = Territory


class MailingGroupFactory(CodedFactory):
    class Meta:
        model = MailingGroup


class IndustryGroupFactory(CodedFactory):
    class Meta:
        model = IndustryGroup


class JobResponsibilityFactory(CodedFactory):
    class Meta:
        model = JobResponsibility


class BusinessRelationFactory(CodedFactory):
    class Meta:
        model = BusinessRelation


class SalutationFactory(CodedFactory):
    class Meta:
        model = Salutation


class SalutationFormulaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SalutationFormula

    salutation = factory.SubFactory(SalutationFactory)
    language = "en"
    formal = "Dear {first_name} {surname}"
    informal = "Hi {first_name}"


class SalespersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Salesperson

    code = factory.Sequence(lambda n: f"SP{n:03d}")
    name = factory.Faker("name")
    email = factory.LazyAttribute(lambda s: f"{s.code.lower()}@example.com")


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    no = factory.Sequence(lambda n: f"CO{n:06d}")
    type = ContactType.COMPANY
    name = factory.Faker("company")
    city = "Oslo"
    country = "NO"


class ContactFactory(factory.django.DjangoModelFactory):
    """A person; pass ``company=`` to make a colleague of that company."""

    class Meta:
        model = Contact

    no = factory.Sequence(lambda n: f"CT{n:06d}")
    type = ContactType.PERSON
    first_name = factory.Faker("first_name")
    surname = factory.Faker("last_name")
    name = factory.LazyAttribute(lambda c: f"{c.first_name} {c.surname}")
    email = factory.LazyAttribute(lambda c: f"{c.no.lower()}@example.com")
    city = "Oslo"
    country = "NO"
    language = "en"


class InteractionGroupFactory(CodedFactory):
    class Meta:
        model = InteractionGroup


class InteractionTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InteractionTemplate

    code = factory.Sequence(lambda n: f"T{n:04d}")
    group = factory.SubFactory(InteractionGroupFactory)
    description = factory.Faker("catch_phrase")
    unit_cost = 2
    unit_duration = 5
    default_language = "en"


class InteractionTemplateLanguageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InteractionTemplateLanguage

    template = factory.SubFactory(InteractionTemplateFactory)
    language = "en"
    description = factory.Faker("catch_phrase")
    subject = factory.Faker("sentence", nb_words=4)


class SegmentFactory(factory.django.DjangoModelFactory):
    """A bare segment header; tests build lines through the services."""

    class Meta:
        model = Segment

    no = factory.Sequence(lambda n: f"SEGT{n:05d}")
    description = factory.Faker("sentence", nb_words=3)
    created_by = factory.SubFactory(UserFactory)


class CampaignFactory(factory.django.DjangoModelFactory):
    """A campaign; its number comes from the CP series (SPEC 8)."""

    class Meta:
        model = Campaign

    description = factory.Faker("sentence", nb_words=3)
