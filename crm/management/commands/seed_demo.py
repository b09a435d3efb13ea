"""``manage.py seed_demo``: realistic demo data in English and Norwegian, up to millions.

Reference data (groups, salutations, salespeople, templates with Word letters, users) is
created by code and never duplicated. Contacts are topped up to ``--contacts`` with bulk
inserts, one transaction per batch, their numbers taken from the CONTACT number series.
Then each app's ``demo`` module adds its part (``segments.demo``: a year of logged
segments and segments being built), found through the app registry.
"""

import functools
import random
import re
import time
from dataclasses import dataclass
from importlib import import_module

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext as _
from faker import Faker

from crm.choices import ContactType, CorrespondenceType
from crm.models import (
    SERIES_DEFAULTS,
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

DEFAULT_CONTACTS = 2_000
MAX_CONTACTS = 10_000_000
BATCH = 10_000
SEED = 20261128

# (username, password, role group or None for the superuser, salesperson code)
DEMO_USERS = [
    ("marketing", "marketing", "Marketing staff", "SP01"),
    ("manager", "manager", "Marketing manager", "SP02"),
    ("admin", "admin", None, None),
]

TERRITORIES = {
    "OSLO": ("Oslo and Akershus", "NO"),
    "VEST": ("Western Norway", "NO"),
    "NORD": ("Northern Norway", "NO"),
    "LONDON": ("Greater London", "GB"),
    "UK-NORTH": ("Northern England and Scotland", "GB"),
    "US-EAST": ("US East Coast", "US"),
    "US-WEST": ("US West Coast", "US"),
}
MAILING_GROUPS = {
    "NEWS": "Monthly newsletter",
    "EVENTS": "Event invitations",
    "XMAS": "Christmas cards",
    "PRESS": "Press releases",
    "WEBINAR": "Webinar participants",
}
INDUSTRY_GROUPS = {
    "RETAIL": "Retail",
    "MANUF": "Manufacturing",
    "IT": "Information technology",
    "FINANCE": "Banking and finance",
    "HEALTH": "Health care",
    "ENERGY": "Energy",
    "SHIPPING": "Shipping and logistics",
}
JOB_RESPONSIBILITIES = {
    "PURCHASE": "Purchasing",
    "SALES": "Sales",
    "IT": "IT",
    "MGMT": "Management",
    "MARKETING": "Marketing",
    "FINANCE": "Finance",
}
BUSINESS_RELATIONS = {
    "CUST": "Customer",
    "PROSP": "Prospect",
    "VEND": "Vendor",
    "PARTNER": "Partner",
    "PRESS": "Press",
}
# code: (description, {language: (formal, informal)})
SALUTATIONS = {
    "COMPANY": (
        "Company",
        {
            "en": ("Dear Sir or Madam", "Hello {company_name}"),
            "nb": ("Til {company_name}", "Hei {company_name}"),
        },
    ),
    "UNISEX": (
        "Person, first name and surname",
        {
            "en": ("Dear {first_name} {surname}", "Hi {first_name}"),
            "nb": ("Kjære {first_name} {surname}", "Hei {first_name}"),
        },
    ),
    "JOB": (
        "Person, by job title",
        {
            "en": ("Dear {job_title} {surname}", "Hi {first_name}"),
            "nb": ("Til {job_title} {first_name} {surname}", "Hei {first_name}"),
        },
    ),
}
JOB_TITLES = {
    "en": [
        "Purchasing Manager",
        "Sales Director",
        "IT Manager",
        "Chief Executive Officer",
        "Marketing Manager",
        "Finance Controller",
        "Office Manager",
        "Project Manager",
    ],
    "nb": [
        "Innkjøpssjef",
        "Salgsdirektør",
        "IT-sjef",
        "Daglig leder",
        "Markedssjef",
        "Økonomisjef",
        "Kontorleder",
        "Prosjektleder",
    ],
}
# Faker calls Norwegian Bokmål "no_NO".
COUNTRIES = [("NO", "no_NO", "nb", ".no", 5), ("GB", "en_GB", "en", ".co.uk", 3)]
COUNTRIES += [("US", "en_US", "en", ".com", 2)]


_ASCII = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "Ae", "Ø": "O", "Å": "A"})


def ascii_slug(text: str, sep: str = "") -> str:
    """Letters and digits only, Norwegian letters spelt out: for email addresses and domains."""
    text = text.translate(_ASCII).lower()
    return re.sub(r"[^a-z0-9]+", sep, text).strip(sep)


def contacts_count(value) -> int:
    """``--contacts`` as an int, or a CommandError naming the bad value."""
    try:
        count = int(str(value).strip())
    except ValueError:
        raise CommandError(
            _("--contacts must be a whole number, not “%(value)s”.") % {"value": value}
        ) from None
    if not 0 <= count <= MAX_CONTACTS:
        raise CommandError(
            _("--contacts must be between 0 and %(max)s, not %(value)s.")
            % {"max": f"{MAX_CONTACTS:,}", "value": count}
        )
    return count


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


M2M = ["mailing_groups", "job_responsibilities", "industry_groups", "business_relations"]


@functools.cache
def through_model(name: str) -> tuple[type, str]:
    """The membership table of a contact's many-to-many field and its target's column."""
    field = Contact._meta.get_field(name)
    return field.remote_field.through, f"{field.m2m_reverse_field_name()}_id"


def reserve_numbers(count: int) -> list[str]:
    """``count`` contact numbers from the CONTACT series, skipping numbers typed by hand.

    The caller's transaction holds the series row, so ``next_code()`` callers wait and
    never get one of these numbers.
    """
    prefix, width = SERIES_DEFAULTS["CONTACT"]
    NumberSeries.objects.get_or_create(code="CONTACT", defaults={"prefix": prefix, "width": width})
    series = NumberSeries.objects.select_for_update().get(code="CONTACT")
    last = series.last_no
    taken = set(
        Contact.objects.filter(
            no__startswith=series.prefix, no__gt=f"{series.prefix}{last:0{series.width}d}"
        ).values_list("no", flat=True)
    )
    numbers = []
    while len(numbers) < count:
        last += 1
        code = f"{series.prefix}{last:0{series.width}d}"
        if code not in taken:
            numbers.append(code)
    NumberSeries.objects.filter(pk=series.pk).update(last_no=last)
    return numbers


def seed_contacts(count: int, *, seed: int = SEED, batch: int = BATCH, progress=None) -> int:
    """Insert ``count`` contacts with their group memberships; returns how many.

    One transaction per batch of about ``batch`` contacts: one multi-row insert of the
    contacts and one per membership table, whatever the batch size.
    """
    if count <= 0:
        return 0
    refs = Refs.load()
    generator = ContactGenerator(refs, seed)
    done = 0
    pending = []
    pending_size = 0
    for family in generator.companies(count):
        pending.append(family)
        pending_size += 1 + len(family[2])
        if pending_size >= batch:
            done += _insert_families(pending, pending_size)
            pending, pending_size = [], 0
            if progress:
                progress(done)
    if pending:
        done += _insert_families(pending, pending_size)
        if progress:
            progress(done)
    return done


@functools.cache
def _contact_columns() -> tuple[list[str], dict]:
    """Contact's columns in table order, and each column's default as the database stores it."""
    fields = Contact._meta.concrete_fields
    defaults = {
        field.attname: field.get_db_prep_save(field.get_default(), connection)
        for field in fields
        if not field.primary_key
    }
    return [field.attname for field in fields], defaults


def _first_free_id() -> int:
    """The first contact id of a block this transaction may use (ids are given explicitly).

    On PostgreSQL other writers wait for this transaction (SHARE ROW EXCLUSIVE blocks
    inserts, not reads); on SQLite the write transaction already excludes them.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(Contact._meta.db_table)
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
    return (Contact.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


@transaction.atomic
def _insert_families(families, size: int) -> int:
    # Ids are given explicitly so that persons and memberships can point at their
    # company and contact without reading anything back; numbers run in family order.
    numbers = iter(reserve_numbers(size))
    next_id = _first_free_id()
    columns, defaults = _contact_columns()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    stamp = {"created_at": now, "updated_at": now}
    rows = []
    links = {name: [] for name in M2M}
    for company, company_groups, people in families:
        company_id = next_id
        for values, groups in [(company, company_groups), *people]:
            row = {**defaults, **values, **stamp, "id": next_id, "company_id": company_id}
            row["no"] = next(numbers)
            rows.append(tuple(row[column] for column in columns))
            for name, pks in groups.items():
                links[name] += [(next_id, pk) for pk in pks]
            next_id += 1
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(Contact._meta.db_table)} "
            f"({', '.join(quote(Contact._meta.get_field(c).column) for c in columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})",
            rows,
        )
        for name, pairs in links.items():
            through, target = through_model(name)
            if pairs:
                cursor.executemany(
                    f"INSERT INTO {quote(through._meta.db_table)} "
                    f"({quote('contact_id')}, {quote(target)}) VALUES (%s, %s)",
                    pairs,
                )
        # PostgreSQL's id sequence does not see explicit ids; move it past them.
        for statement in connection.ops.sequence_reset_sql(no_style(), [Contact]):
            cursor.execute(statement)
    return size


def app_demos() -> list:
    """The ``demo`` module of every app above ``crm``, in the registry's (dependency) order.

    Found through the app registry, so ``crm`` imports none of the apps above it, and a
    new app adds its demo data without touching this command. A module may define
    ``seed_reference()`` (reference data, always seeded) and ``seed(seed=...)`` (history,
    skipped by ``--no-history``).
    """
    return [
        import_module(f"{config.name}.demo")
        for config in apps.get_app_configs()
        if config.name != "crm" and module_has_submodule(config.module, "demo")
    ]


def wipe_demo_data() -> None:
    """Delete every contact, segment, interaction (the ledger too) and reference row.

    The tables of ``jobs`` (their targets are demo records), ``crm`` and every app with a
    ``demo`` module go, in one flush (on PostgreSQL one ``TRUNCATE``: tables that
    reference each other must go together).
    Users, groups and permissions stay. The ledger is append-only for the application;
    starting the demo over is the one place that empties it, with the tables' own flush.
    """
    labels = ["jobs", "crm"] + [demo.__name__.rpartition(".")[0] for demo in app_demos()]
    models = [
        model
        for config in apps.get_app_configs()
        if config.name in labels
        for model in config.get_models(include_auto_created=True)
    ]
    tables = [model._meta.db_table for model in models]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # TRUNCATE refuses tables with deferred foreign-key checks still pending in
            # this transaction (an enclosing one may have written); run them now.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        statements = connection.ops.sql_flush(
            no_style(), tables, reset_sequences=True, allow_cascade=False
        )
        connection.ops.execute_sql_flush(statements)


class Command(BaseCommand):
    help = _(
        "Create demo data: companies and persons in English and Norwegian, reference data, "
        "interaction templates with Word letters, and one user per role. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--contacts",
            default=DEFAULT_CONTACTS,
            help=_(
                "How many contacts there should be (default %(default)s); "
                "tops up, never duplicates."
            ),
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help=_(
                "Delete all contacts, segments, interactions and reference data first (users stay)."
            ),
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=_("Seed only when there are no contacts; always print the demo logins."),
        )
        parser.add_argument(
            "--no-history",
            action="store_false",
            dest="history",
            help=_("Contacts and reference data only: no logged segments, no segments."),
        )
        parser.add_argument("--seed", type=int, default=SEED, help=_("Random seed."))

    def handle(self, *args, contacts, reset, if_empty, seed, history=True, **options):
        wanted = contacts_count(contacts)
        started = time.perf_counter()
        if reset:
            wipe_demo_data()
            self.stdout.write(_("Deleted the previous demo data."))
        if if_empty and Contact.objects.exists():
            self.stdout.write(_("The database already has contacts; nothing seeded."))
            self.ensure_users()
            self.print_logins()
            return
        self.seed_reference_data()
        self.ensure_users()
        missing = max(0, wanted - Contact.objects.count())
        if missing:
            self.stdout.write(_("Creating %(count)s contacts ...") % {"count": f"{missing:,}"})
            # A different seed per top-up, so a second batch is not a copy of the first.
            created = seed_contacts(
                missing,
                seed=seed + Contact.objects.count(),
                progress=self.progress if missing >= 5 * BATCH else None,
            )
        else:
            created = 0
        if history:
            self.seed_app_demos(seed)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                _("Demo data ready: %(created)s contacts created, %(total)s in all (%(s).1f s).")
                % {
                    "created": f"{created:,}",
                    "total": f"{Contact.objects.count():,}",
                    "s": elapsed,
                }
            )
        )
        self.print_logins()

    def seed_app_demos(self, seed: int) -> None:
        """Each app's ``demo.seed()`` (segments: a year of history), in the registry's order."""
        for demo in app_demos():
            summary = demo.seed(seed=seed) if hasattr(demo, "seed") else None
            if summary:
                self.stdout.write(summary)

    def progress(self, done: int) -> None:
        self.stdout.write(_("  %(done)s contacts") % {"done": f"{done:,}"})

    @transaction.atomic
    def seed_reference_data(self) -> None:
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
        for demo in app_demos():
            if hasattr(demo, "seed_reference"):
                demo.seed_reference()

    @transaction.atomic
    def ensure_users(self) -> None:
        """One demo user per role; an existing user keeps the password it has."""
        User = get_user_model()
        for username, password, role, salesperson in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "email": f"{username}@cronus.example",
                    "first_name": username.capitalize(),
                    "is_staff": role is None,
                    "is_superuser": role is None,
                },
            )
            if created:
                user.set_password(password)
                user.save(update_fields=["password"])
            if role:
                user.groups.add(Group.objects.get(name=role))
            if salesperson and not Salesperson.objects.filter(user=user).exists():
                Salesperson.objects.filter(code=salesperson, user__isnull=True).update(user=user)

    def print_logins(self) -> None:
        self.stdout.write(_("Demo logins (user / password):"))
        labels = {
            "Marketing staff": _("marketing staff"),
            "Marketing manager": _("marketing manager"),
            None: _("administrator"),
        }
        for username, password, role, _salesperson in DEMO_USERS:
            self.stdout.write(f"  {username} / {password}  ({labels[role]})")
