"""crm's own reference data for the demo: territories, groups, salutations, salespeople and
the company information. Created by code and never duplicated."""

from django.db import transaction
from faker import Faker

from crm.models import (
    BusinessRelation,
    CompanyInformation,
    IndustryGroup,
    JobResponsibility,
    MailingGroup,
    Salesperson,
    Salutation,
    SalutationFormula,
    Territory,
)

from .data import (
    BUSINESS_RELATIONS,
    INDUSTRY_GROUPS,
    JOB_RESPONSIBILITIES,
    MAILING_GROUPS,
    SALUTATIONS,
    SEED,
    TERRITORIES,
)
from .generator import ascii_slug

__all__ = ["seed_reference"]


@transaction.atomic
def seed_reference() -> None:
    """crm's reference rows; existing rows (matched by code) are left as they are."""
    for code, (description, _country) in TERRITORIES.items():
        Territory.objects.get_or_create(code=code, defaults={"description": description})
    for model, rows in [
        (MailingGroup, MAILING_GROUPS),
        (IndustryGroup, INDUSTRY_GROUPS),
        (JobResponsibility, JOB_RESPONSIBILITIES),
        (BusinessRelation, BUSINESS_RELATIONS),
    ]:
        for code, description in rows.items():
            model.objects.get_or_create(code=code, defaults={"description": description})
    for code, (description, formulas) in SALUTATIONS.items():
        salutation, _created = Salutation.objects.get_or_create(
            code=code, defaults={"description": description}
        )
        for language, (formal, informal) in formulas.items():
            SalutationFormula.objects.get_or_create(
                salutation=salutation,
                language=language,
                defaults={"formal": formal, "informal": informal},
            )
    fake = Faker(["en_GB", "no_NO"])
    fake.seed_instance(SEED)
    titles = ["Account Manager", "Key Account Manager", "Salgskonsulent", "Sales Manager"]
    for n in range(1, 9):
        name = fake.name()
        Salesperson.objects.get_or_create(
            code=f"SP{n:02d}",
            defaults={
                "name": name,
                "job_title": titles[n % len(titles)],
                "email": f"{ascii_slug(name, '.')}@cronus.example",
                "phone": f"+47 22 00 00 {n:02d}",
            },
        )
    CompanyInformation.objects.get_or_create(
        pk=1,
        defaults={
            "name": "CRONUS Norge AS",
            "address": "Karl Johans gate 1",
            "post_code": "0154",
            "city": "Oslo",
            "country": "NO",
            "phone": "+47 22 00 00 00",
            "email": "post@cronus.example",
            "home_page": "www.cronus.example",
            "vat_no": "NO912345678MVA",
            "bank_account": "1234.56.78903",
        },
    )
