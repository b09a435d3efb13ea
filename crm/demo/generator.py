"""Contacts made up from Faker pools: companies, each followed by its persons, as plain
dicts of column values (``crm.demo.bulk`` inserts them, ``bench/seed.py`` too)."""

import random
import re
from dataclasses import dataclass

from faker import Faker

from crm.choices import ContactType, CorrespondenceType
from crm.models import (
    BusinessRelation,
    IndustryGroup,
    JobResponsibility,
    MailingGroup,
    Salesperson,
    Salutation,
    Territory,
)

from .data import COUNTRIES, JOB_TITLES, TERRITORIES

__all__ = ["ContactGenerator", "Pool", "Refs", "ascii_slug", "make_pools"]

_ASCII = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "Ae", "Ø": "O", "Å": "A"})


def ascii_slug(text: str, sep: str = "") -> str:
    """Letters and digits only, Norwegian letters spelt out: for email addresses and domains."""
    text = text.translate(_ASCII).lower()
    return re.sub(r"[^a-z0-9]+", sep, text).strip(sep)


@dataclass
class Pool:
    """Faker values made once per locale; contacts combine them, which is fast at any size."""

    country: str
    language: str
    tld: str
    first_names: list[str]
    surnames: list[str]
    companies: list[str]
    streets: list[str]
    places: list[tuple[str, str]]
    phones: list[str]
    territories: list[int]


def make_pools(seed: int, territories: dict[str, int]) -> list[tuple[Pool, int]]:
    pools = []
    for country, locale, language, tld, weight in COUNTRIES:
        fake = Faker(locale)
        fake.seed_instance(seed)
        pools.append(
            (
                Pool(
                    country=country,
                    language=language,
                    tld=tld,
                    first_names=[fake.first_name()[:30] for _ in range(300)],
                    surnames=[fake.last_name()[:30] for _ in range(300)],
                    companies=[fake.company()[:100] for _ in range(400)],
                    streets=[fake.street_address().replace("\n", ", ")[:100] for _ in range(400)],
                    places=[(fake.postcode()[:20], fake.city()[:30]) for _ in range(150)],
                    phones=[fake.phone_number()[:30] for _ in range(400)],
                    territories=[
                        pk for code, pk in territories.items() if TERRITORIES[code][1] == country
                    ],
                ),
                weight,
            )
        )
    return pools


@dataclass
class Refs:
    """Primary keys of the reference rows contacts point at."""

    salespeople: list[int]
    territories: dict[str, int]
    mailing_groups: list[int]
    industry_groups: list[int]
    job_responsibilities: list[int]
    business_relations: list[int]
    salutation_company: int
    salutation_person: list[int]

    @classmethod
    def load(cls) -> "Refs":
        def pks(model):
            return list(model.objects.order_by("pk").values_list("pk", flat=True))

        salutations = dict(Salutation.objects.values_list("code", "pk"))
        return cls(
            salespeople=list(
                Salesperson.objects.filter(blocked=False)
                .order_by("pk")
                .values_list("pk", flat=True)
            ),
            territories=dict(Territory.objects.values_list("code", "pk")),
            mailing_groups=pks(MailingGroup),
            industry_groups=pks(IndustryGroup),
            job_responsibilities=pks(JobResponsibility),
            business_relations=pks(BusinessRelation),
            salutation_company=salutations["COMPANY"],
            salutation_person=[salutations["UNISEX"], salutations["JOB"]],
        )


class ContactGenerator:
    """Rows for ``count`` contacts: companies, each followed by its persons.

    Produces plain dicts of column values, so the seeding and its benchmark baseline
    insert exactly the same rows.
    """

    def __init__(self, refs: Refs, seed: int):
        self.refs = refs
        self.rng = random.Random(seed)
        pools = make_pools(seed, refs.territories)
        self.pools = [pool for pool, _weight in pools]
        self.weights = [weight for _pool, weight in pools]

    def companies(self, count: int):
        """Yield (company, persons, company groups, persons' groups) until ``count`` contacts."""
        rng, refs = self.rng, self.refs
        made = 0
        while made < count:
            pool = rng.choices(self.pools, self.weights)[0]
            persons = min(rng.choice((0, 1, 2, 3, 3, 4, 5, 6, 8, 12)), count - made - 1)
            name = rng.choice(pool.companies)
            domain = (ascii_slug(name.split(",")[0])[:40] or "company") + pool.tld
            post_code, city = rng.choice(pool.places)
            street = rng.choice(pool.streets)
            salesperson = rng.choice(refs.salespeople) if refs.salespeople else None
            territory = rng.choice(pool.territories) if pool.territories else None
            company = {
                "type": ContactType.COMPANY.value,
                "name": name,
                "company_name": name,
                "address": street,
                "post_code": post_code,
                "city": city,
                "country": pool.country,
                "phone": rng.choice(pool.phones),
                "email": f"post@{domain}"[:80],
                "home_page": f"www.{domain}"[:80],
                "language": pool.language,
                "salutation_id": refs.salutation_company,
                "salesperson_id": salesperson,
                "territory_id": territory,
                "correspondence_type": rng.choice(("", *CorrespondenceType.values)),
            }
            company_groups = {
                "industry_groups": rng.sample(refs.industry_groups, rng.randint(1, 2))
                if refs.industry_groups
                else [],
                "business_relations": rng.sample(refs.business_relations, 1)
                if refs.business_relations
                else [],
                "mailing_groups": self._some(refs.mailing_groups, 0.3, 1),
            }
            people = []
            for _person in range(persons):
                first = rng.choice(pool.first_names)
                surname = rng.choice(pool.surnames)
                email_user = f"{ascii_slug(first, '.')}.{ascii_slug(surname, '.')}"
                people.append(
                    (
                        {
                            "type": ContactType.PERSON.value,
                            "name": f"{first} {surname}"[:100],
                            "first_name": first,
                            "surname": surname,
                            "initials": f"{first[:1]}{surname[:1]}".upper(),
                            "job_title": rng.choice(JOB_TITLES[pool.language]),
                            "company_name": name,
                            "address": street,
                            "post_code": post_code,
                            "city": city,
                            "country": pool.country,
                            "phone": rng.choice(pool.phones),
                            "mobile_phone": rng.choice(pool.phones),
                            "email": "" if rng.random() < 0.05 else f"{email_user}@{domain}"[:80],
                            "language": pool.language,
                            "salutation_id": rng.choice(refs.salutation_person),
                            "salesperson_id": salesperson,
                            "territory_id": territory,
                            "correspondence_type": rng.choice(("", "", *CorrespondenceType.values)),
                            "exclude_from_segment": rng.random() < 0.02,
                            "privacy_blocked": rng.random() < 0.01,
                        },
                        {
                            "mailing_groups": self._some(refs.mailing_groups, 0.6, 2),
                            "job_responsibilities": self._some(refs.job_responsibilities, 0.8, 2),
                        },
                    )
                )
            made += 1 + persons
            yield company, company_groups, people

    def _some(self, pks: list[int], chance: float, most: int) -> list[int]:
        if not pks or self.rng.random() >= chance:
            return []
        return self.rng.sample(pks, self.rng.randint(1, min(most, len(pks))))
