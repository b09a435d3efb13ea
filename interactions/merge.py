"""Merge-field values (SPEC 4.3) as SQL expressions: one implementation for a segment line
and a single interaction.

``merge_expressions`` gives every merge field of ``letters.MERGE_FIELDS`` (but
``EntryNo``, which exists only once the entry is inserted, and ``UnsubscribeUrl``, a
signed link the database cannot compute) as an expression; the caller wraps them in one
``JSONObject``, so the database builds each entry's ``merge_data`` snapshot, and what a
preview shows is what is logged. ``delivery.letter_values`` adds those two at render time; the
link is the same on every render (the signature has no timestamp), so a letter rendered
again later is still the one that was sent.

An entry keeps only the values its letter can use (``snapshot_fields``, the rule is
written out in docs/merge-data.md): the fields its document references, known when
logging from the prepared letter (``document_fields``), plus what delivering its email
reads; no document, no values. ``snapshot`` builds that per row in SQL, one JSON object
per distinct field set, so logging still writes every entry with one ``INSERT ... SELECT``.
"""

from collections.abc import Callable, Iterable, Mapping

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.db import models
from django.db.models import Case, Expression, F, FilteredRelation, Func, Q, Subquery, Value, When
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

from . import letters
from .exceptions import LetterError
from .letters import MERGE_FIELDS

#: Merge fields filled at render time, not in ``merge_data`` (see above).
RENDER_TIME_FIELDS = ("EntryNo", "UnsubscribeUrl")
#: Every field of ``merge_data``: all merge fields except the render-time ones.
MERGE_DATA_FIELDS = tuple(name for name in MERGE_FIELDS if name not in RENDER_TIME_FIELDS)
#: What delivering an entry's email reads from ``merge_data`` besides its letter
#: (``delivery._message``): the recipient and the reply-to address...
DELIVERY_FIELDS = ("Email", "SalespersonEmail")
#: ... and, when the letter goes as an attachment, the message's text.
ATTACHMENT_FIELDS = ("PersonalNote",)


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


def _written_date(date, code: str) -> str:
    """``date`` (a ``datetime.date``) as ``document_date`` writes it in language ``code``."""
    with translation.override(code):
        month = str(MONTHS[date.month]).strip()
    return f"{date.day}{DAY_SUFFIX.get(code, ' ')}{month} {date.year:04d}"


def document_date(date, language):
    """``date`` written out in the letter's language, e.g. "28 November 2026"; a date
    known when the statement is built (a ``Value``) is written out here, once per
    language."""
    codes = [code for code, _name in settings.LANGUAGES]
    default = settings.LANGUAGE_CODE if settings.LANGUAGE_CODE in codes else "en"
    if isinstance(date, Value) and date.value is not None:
        return Case(
            *[
                When(Q(**{language: code}), then=Value(_written_date(date.value, code)))
                for code in codes
                if code != default
            ],
            default=Value(_written_date(date.value, default)),
            output_field=TEXT,
        )
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

    return Case(
        *[When(Q(**{language: code}), then=written(code)) for code in codes if code != default],
        default=written(default),
        output_field=TEXT,
    )


def salutation_formula(contact: str = "contact__", language="effective_language"):
    """The contact's salutation formulas in ``language`` (a field name): alias it as
    ``_salutation_formula`` on the queryset the merge expressions read."""
    return FilteredRelation(
        f"{contact}salutation__formulas",
        condition=Q(**{f"{contact}salutation__formulas__language": F(language)}),
    )


def _salutation(kind: str, contact: str):
    """The contact's formal or informal salutation in the letter's language."""
    formula = F(f"_salutation_formula__{kind}")
    for placeholder, field in SALUTATION_PLACEHOLDERS.items():
        formula = Replace(formula, Value(placeholder), F(f"{contact}{field}"))
    # A blank middle name must not leave a double space behind.
    return Coalesce(Trim(Replace(formula, Value("  "), Value(" "))), BLANK, output_field=TEXT)


def _company_information(field: str):
    return Coalesce(
        Subquery(CompanyInformation.objects.filter(pk=1).order_by().values(field)[:1]),
        BLANK,
        output_field=TEXT,
    )


def mailing_address(contact: str = "contact__"):
    """The postal block: name, company (for a company's person), address lines, post code
    and city, county, and the country only when it differs from our own country."""
    parts = [
        F(f"{contact}name"),
        Case(
            When(
                Q(**{f"{contact}type": ContactType.PERSON, f"{contact}company__isnull": False}),
                then=F(f"{contact}company_name"),
            ),
            default=BLANK,
            output_field=TEXT,
        ),
        F(f"{contact}address"),
        F(f"{contact}address_2"),
        Trim(_Joined(F(f"{contact}post_code"), Value(" "), F(f"{contact}city"))),
        F(f"{contact}county"),
        Case(
            When(
                ~Q(**{f"{contact}country": ""})
                & ~Q(**{f"{contact}country": _company_information("country")}),
                then=F(f"{contact}country"),
            ),
            default=BLANK,
            output_field=TEXT,
        ),
    ]
    # Each non-blank part is "\n" + part; the first "\n" is cut off. Every part is text,
    # never NULL (NOT NULL columns, literals), so plain || joins them.
    prefixed = [
        Case(
            When(Exact(part, BLANK), then=BLANK),
            default=_Joined(Value("\n"), part),
            output_field=TEXT,
        )
        for part in parts
    ]
    return Substr(_Joined(*prefixed), 2)


class _Joined(Func):
    """Text joined with SQL's ``||``, for parts that are never NULL: ``Concat`` wraps every
    part in ``COALESCE(part, '')``, which the mailing address, computed for every entry
    that uses it, paid for at each of its many parts."""

    template = "(%(expressions)s)"
    arg_joiner = " || "
    output_field = TEXT


def merge_expressions(
    *,
    contact: str = "contact__",
    salesperson: Callable[[str], Expression],
    segment_no: Expression,
    personal_note: Expression,
    date: Expression | None = None,
) -> dict:
    """Merge field name -> SQL expression, over rows annotated with effective values.

    ``date`` is the rows' date where the caller knows it for all of them (a ``Value``: the
    document date is then written out once per language, not per row).

    One implementation for a segment line and a single interaction: ``contact`` is the
    path to the contact (``"contact__"`` from a line, ``""`` from the contact itself),
    ``salesperson(field)`` the effective salesperson's ``field``, and the rows carry
    ``effective_date``, ``effective_language``, ``effective_subject``,
    ``effective_description`` and the ``_salutation_formula`` alias
    (``salutation_formula()``).
    """
    salesperson_fields = {
        "SalespersonName": "name",
        "SalespersonJobTitle": "job_title",
        "SalespersonEmail": "email",
        "SalespersonPhone": "phone",
    }
    contact_fields = {
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
    expressions = {name: F(f"{contact}{field}") for name, field in contact_fields.items()}
    expressions.update(
        {
            name: Coalesce(salesperson(field), BLANK, output_field=TEXT)
            for name, field in salesperson_fields.items()
        }
    )
    expressions.update({name: _company_information(field) for name, field in ours.items()})
    expressions.update(
        MailingAddress=mailing_address(contact),
        FormalSalutation=_salutation("formal", contact),
        InformalSalutation=_salutation("informal", contact),
        DocumentDate=document_date(
            F("effective_date") if date is None else date, "effective_language"
        ),
        Subject=F("effective_subject"),
        Description=F("effective_description"),
        SegmentNo=segment_no,
        PersonalNote=personal_note,
    )
    return {name: expressions[name] for name in MERGE_DATA_FIELDS}


def merge_data(**sources) -> JSONObject:
    """``merge_data``: every merge field's value as one JSON object (see merge_expressions)."""
    return JSONObject(**merge_expressions(**sources))


def snapshot_fields(
    document_fields: Iterable[str], *, delivered: bool = False, attached: bool = False
) -> tuple[str, ...]:
    """The ``merge_data`` fields an entry keeps, in catalogue order.

    ``document_fields`` are the merge fields its document references (``letters.fields``);
    Word matches them regardless of case, so «contactname» keeps ``ContactName``. A
    render-time field (``EntryNo``, ``UnsubscribeUrl``) or an unknown name has no value to
    keep. An entry whose email is ``delivered`` also keeps ``DELIVERY_FIELDS``, and
    ``ATTACHMENT_FIELDS`` when its letter is ``attached``.
    """
    wanted = {str(name).lower() for name in document_fields}
    if delivered:
        wanted.update(name.lower() for name in DELIVERY_FIELDS)
        if attached:
            wanted.update(name.lower() for name in ATTACHMENT_FIELDS)
    return tuple(name for name in MERGE_DATA_FIELDS if name.lower() in wanted)


def document_fields(names: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Stored document name -> the merge fields it references, read from its prepared
    letter (``letters.fields``: prepared once, kept in the cache the letters are then
    rendered from). A document that cannot be read is left out: entries merged from it
    keep every field, as the letter could not be checked."""
    found = {}
    for name in sorted(set(names) - {""}):
        try:
            with default_storage.open(name, "rb") as stored:
                found[name] = tuple(letters.fields(stored.read()))
        except (LetterError, OSError, SuspiciousFileOperation):
            continue
    return found


def kept_values(merge: Mapping[str, str], document: str, *, delivered: bool) -> dict:
    """``snapshot`` for one row already merged in full (a single interaction): of its
    ``merge`` values, those its ``document`` can use, and with ``delivered`` those its
    email reads (the letter is never attached there)."""
    if not document:
        return {}
    used = document_fields([document]).get(document)
    if used is None:
        return dict(merge)
    return {name: merge[name] for name in snapshot_fields(used, delivered=delivered)}


def snapshot(
    documents: Mapping[str, Iterable[str]],
    *,
    document: str = "effective_document",
    delivered: Q | None = None,
    attached: bool = False,
    **sources,
) -> Case:
    """``merge_data`` holding only ``snapshot_fields``, as one SQL expression per row.

    ``documents`` maps each document a row may be merged from to its merge fields
    (``document_fields``); ``document`` names the row's document field, ``delivered`` the
    condition of a row whose email is delivered (None: none is). One JSON object per
    distinct field set, chosen by a CASE over the document names: a row without a document
    keeps nothing, one with a document not in ``documents`` keeps every field.
    ``sources`` are ``merge_expressions``'.
    """
    expressions = merge_expressions(**sources)

    def json_object(names: tuple[str, ...]) -> JSONObject:
        return JSONObject(**{name: expressions[name] for name in names})

    field_sets = {snapshot_fields(used) for used in documents.values()}
    numbers = {fields: number for number, fields in enumerate(sorted(field_sets), 1)}
    # The document's field set by number (0: no document, -1: not read), each row's
    # document computed once: SQL's simple CASE evaluates its operand once.
    field_set = _SimpleCase(
        F(document),
        [("", Value(0))]
        + [
            (name, Value(numbers[snapshot_fields(used)]))
            for name, used in sorted(documents.items())
        ],
        default=Value(-1),
        output_field=models.IntegerField(),
    )
    choices = [(0, json_object(()))]
    for used in documents.values():
        fields = snapshot_fields(used)
        if numbers[fields] in dict(choices):
            continue
        if delivered is not None:
            with_delivery = snapshot_fields(fields, delivered=True, attached=attached)
            result = Case(
                When(delivered, then=json_object(with_delivery)),
                default=json_object(fields),
                output_field=models.JSONField(),
            )
        else:
            result = json_object(fields)
        choices.append((numbers[fields], result))
    return _SimpleCase(
        field_set,
        [(number, result) for number, result in choices],
        default=json_object(MERGE_DATA_FIELDS),
        output_field=models.JSONField(),
    )


class _SimpleCase(Func):
    """``CASE operand WHEN value THEN result ... ELSE default END``: the operand is
    evaluated once per row, however many values it is compared with (Django's ``Case``
    writes ``WHEN operand = value`` and so computes the operand again for each)."""

    def __init__(self, operand, choices: list, *, default, output_field):
        self.values = [value for value, _result in choices]
        super().__init__(
            operand,
            *(result for _value, result in choices),
            default,
            output_field=output_field,
        )

    def as_sql(self, compiler, connection, **extra_context):
        operand, *results, default = self.source_expressions
        sql, params = compiler.compile(operand)
        parts = [f"CASE {sql}"]
        params = list(params)
        for value, result in zip(self.values, results, strict=True):
            result_sql, result_params = compiler.compile(result)
            parts.append(f"WHEN %s THEN {result_sql}")
            params += [value, *result_params]
        default_sql, default_params = compiler.compile(default)
        parts.append(f"ELSE {default_sql} END")
        return " ".join(parts), [*params, *default_params]
