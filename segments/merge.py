"""Merge-field values of segment lines (SPEC 4.3), computed in SQL.

``merge_values(lines)`` annotates a queryset of segment lines with ``merge_data``: one JSON
object holding every merge field of ``interactions.letters.MERGE_FIELDS`` as a string,
built by the database (``JSONObject``). Logging copies it into each interaction log
entry's ``merge_data`` in the same ``INSERT ... SELECT``; previews and outputs read it
the same way, so what is previewed is what is logged.

``EntryNo`` is the one field not in ``merge_data``: the entry number exists only after the
insert, so the letters code adds it at render time from the entry's ``entry_no`` (and
leaves it empty in previews of unlogged lines).
"""

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Func, Q, Subquery, Value, When
from django.db.models.functions import (
    Cast,
    Coalesce,
    Concat,
    ExtractDay,
    ExtractMonth,
    ExtractYear,
    JSONObject,
    Replace,
    Substr,
    Trim,
)
from django.db.models.lookups import Exact
from django.utils import translation
from django.utils.dates import MONTHS

from crm.choices import ContactType
from crm.models import CompanyInformation
from interactions.letters import MERGE_FIELDS

from .effective import annotate_effective_values, effective_salesperson_value

#: Every field of ``merge_data``: all merge fields except ``EntryNo`` (see above).
MERGE_DATA_FIELDS = tuple(name for name in MERGE_FIELDS if name != "EntryNo")

#: Placeholders a salutation formula may use, and the contact field each stands for.
SALUTATION_PLACEHOLDERS = {
    "{first_name}": "first_name",
    "{middle_name}": "middle_name",
    "{surname}": "surname",
    "{initials}": "initials",
    "{job_title}": "job_title",
    "{company_name}": "company_name",
}

#: What follows the day number in a date, per language ("28. november 2026" in nb).
DAY_SUFFIX = {"nb": ". ", "nn": ". ", "no": ". ", "da": ". ", "de": ". "}

TEXT = models.CharField()
BLANK = Value("")


class _DatePart(Func):
    """The day, month or year of a date as text without leading zeros.

    SQLite and PostgreSQL get plain SQL; Django's generic ``Extract`` would call a Python
    function per row on SQLite. SQLite stores a date as "YYYY-MM-DD" text, so a slice of
    it is the part (and no "%" has to survive the driver's parameter formatting).
    """

    output_field = TEXT
    sqlite_templates = {
        "day": "CAST(CAST(SUBSTR(%(expressions)s, 9, 2) AS INTEGER) AS TEXT)",
        "month": "CAST(CAST(SUBSTR(%(expressions)s, 6, 2) AS INTEGER) AS TEXT)",
        "year": "SUBSTR(%(expressions)s, 1, 4)",
    }
    postgresql_templates = {
        "day": "TO_CHAR(%(expressions)s, 'FMDD')",
        "month": "TO_CHAR(%(expressions)s, 'FMMM')",
        "year": "TO_CHAR(%(expressions)s, 'YYYY')",
    }

    def __init__(self, expression, part: str):
        self.part = part
        super().__init__(expression)

    def as_sql(self, compiler, connection, **extra_context):
        extract = {"day": ExtractDay, "month": ExtractMonth, "year": ExtractYear}[self.part]
        return compiler.compile(
            Cast(extract(self.source_expressions[0]), output_field=models.CharField())
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        template = self.sqlite_templates[self.part]
        return super().as_sql(compiler, connection, template=template, **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        template = self.postgresql_templates[self.part]
        return super().as_sql(compiler, connection, template=template, **extra_context)


def _month_name(month, language: str):
    """The month's name in ``language``: a slice of the twelve names padded to one width."""
    with translation.override(language):
        names = [str(MONTHS[number]) for number in range(1, 13)]
    width = max(len(name) for name in names)
    packed = "".join(name.ljust(width) for name in names)
    start = Cast(month, models.IntegerField()) * Value(width) - Value(width - 1)
    return Trim(Substr(Value(packed), start, width))


def document_date(date, language):
    """``date`` written out in the letter's language, e.g. "28 November 2026"."""
    day = _DatePart(date, "day")
    month = _DatePart(date, "month")
    year = _DatePart(date, "year")

    def written(code: str):
        return Concat(
            day,
            Value(DAY_SUFFIX.get(code, " ")),
            _month_name(month, code),
            Value(" "),
            year,
            output_field=TEXT,
        )

    codes = [code for code, _name in settings.LANGUAGES]
    default = settings.LANGUAGE_CODE if settings.LANGUAGE_CODE in codes else "en"
    return Case(
        *[When(Q(**{language: code}), then=written(code)) for code in codes if code != default],
        default=written(default),
        output_field=TEXT,
    )


def _salutation(kind: str):
    """The contact's formal or informal salutation in the letter's language."""
    formula = F(f"_salutation_formula__{kind}")
    for placeholder, field in SALUTATION_PLACEHOLDERS.items():
        formula = Replace(formula, Value(placeholder), F(f"contact__{field}"))
    # A blank middle name must not leave a double space behind.
    return Coalesce(Trim(Replace(formula, Value("  "), Value(" "))), BLANK, output_field=TEXT)


def _company_information(field: str):
    return Coalesce(
        Subquery(CompanyInformation.objects.filter(pk=1).order_by().values(field)[:1]),
        BLANK,
        output_field=TEXT,
    )


def mailing_address():
    """The postal block: name, company (for a company's person), address lines, post code
    and city, county, and the country only when it differs from our own country."""
    parts = [
        F("contact__name"),
        Case(
            When(
                Q(contact__type=ContactType.PERSON, contact__company__isnull=False),
                then=F("contact__company_name"),
            ),
            default=BLANK,
            output_field=TEXT,
        ),
        F("contact__address"),
        F("contact__address_2"),
        Trim(Concat(F("contact__post_code"), Value(" "), F("contact__city"), output_field=TEXT)),
        F("contact__county"),
        Case(
            When(
                ~Q(contact__country="") & ~Q(contact__country=_company_information("country")),
                then=F("contact__country"),
            ),
            default=BLANK,
            output_field=TEXT,
        ),
    ]
    # Each non-blank part is "\n" + part; the first "\n" is cut off.
    prefixed = [
        Case(
            When(Exact(part, BLANK), then=BLANK),
            default=Concat(Value("\n"), part, output_field=TEXT),
            output_field=TEXT,
        )
        for part in parts
    ]
    return Substr(Concat(*prefixed, output_field=TEXT), 2)


def merge_expressions() -> dict:
    """Merge field name -> SQL expression, over lines annotated with effective values
    (``SegmentLine.objects.with_effective_values()``, which also joins the salutation
    formula in the effective language)."""
    salesperson = {
        "SalespersonName": "name",
        "SalespersonJobTitle": "job_title",
        "SalespersonEmail": "email",
        "SalespersonPhone": "phone",
    }
    contact = {
        "ContactNo": "no",
        "ContactName": "name",
        "CompanyName": "company_name",
        "JobTitle": "job_title",
        "Address": "address",
        "Address2": "address_2",
        "PostCode": "post_code",
        "City": "city",
        "County": "county",
        "Country": "country",
        "Email": "email",
        "Phone": "phone",
        "MobilePhone": "mobile_phone",
    }
    ours = {
        "OurName": "name",
        "OurAddress": "address",
        "OurPostCode": "post_code",
        "OurCity": "city",
        "OurCountry": "country",
        "OurPhone": "phone",
        "OurEmail": "email",
        "OurVatNo": "vat_no",
    }
    expressions = {name: F(f"contact__{field}") for name, field in contact.items()}
    expressions.update(
        {
            name: Coalesce(effective_salesperson_value(field, TEXT), BLANK, output_field=TEXT)
            for name, field in salesperson.items()
        }
    )
    expressions.update({name: _company_information(field) for name, field in ours.items()})
    expressions.update(
        MailingAddress=mailing_address(),
        FormalSalutation=_salutation("formal"),
        InformalSalutation=_salutation("informal"),
        DocumentDate=document_date(F("effective_date"), "effective_language"),
        Subject=F("effective_subject"),
        Description=F("effective_description"),
        SegmentNo=F("segment__no"),
        PersonalNote=F("personal_note"),
    )
    return {name: expressions[name] for name in MERGE_DATA_FIELDS}


def merge_values(lines):
    """``lines`` annotated with ``merge_data``: every merge field's value, as strings."""
    if "effective_language" not in lines.query.annotations:
        lines = annotate_effective_values(lines)
    return lines.annotate(merge_data=JSONObject(**merge_expressions()))
