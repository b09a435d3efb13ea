"""The rules of a contact file's row: what each column may hold, checked without the
database (the reference tables are read once per import) and without model instances.

The columns are those of the admin's contact export (``crm.resources.ContactResource``);
a column the file does not have keeps the contact's value (a new contact gets the
default), an unknown column is ignored. ``RowChecker.check`` returns a row's values, or
every problem of the row as (column, message) in the user's words.
"""

import functools
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, validate_email
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ..choices import ConsentChannel, ContactType, CorrespondenceType, country_code
from ..models import (
    BusinessRelation,
    Contact,
    IndustryGroup,
    JobResponsibility,
    MailingGroup,
    Salesperson,
    Salutation,
    Territory,
)

__all__ = ["CODE_COLUMNS", "CONSENT_COLUMNS", "GROUP_COLUMNS", "ParsedRow", "RowChecker"]

# Several codes in one cell: "NEWS|EVENTS". A pipe, because codes and CSV both use commas.
SEPARATOR = "|"
# Control characters no contact field may hold (tab and line breaks are text).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# The common address (ASCII dot-atom at an ASCII host name) in one match: a subset of what
# Django's EmailValidator accepts, which checks every other address.
PLAIN_EMAIL = re.compile(
    r"[-!#$%&'*+/=?^_`{}|~0-9a-z]+(?:\.[-!#$%&'*+/=?^_`{}|~0-9a-z]+)*"
    r"@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.(?!-)[a-z0-9-]{1,63}(?<!-))*"
    r"\.(?!-)[a-z-]{2,63}(?<!-)",
    re.IGNORECASE | re.ASCII,
)

TRUE = frozenset({"1", "true", "yes", "y", "x"})
FALSE = frozenset({"0", "false", "no", "n"})

#: Reference columns written as the record's code.
CODE_COLUMNS = {"salutation": Salutation, "salesperson": Salesperson, "territory": Territory}
#: Membership columns: several codes separated by ``|``.
GROUP_COLUMNS = {
    "mailing_groups": MailingGroup,
    "job_responsibilities": JobResponsibility,
    "industry_groups": IndustryGroup,
    "business_relations": BusinessRelation,
}
#: The consent columns: a wish handed to consent events, never written as it is.
CONSENT_COLUMNS = {channel.opt_out_field: channel for channel in ConsentChannel}
BOOLEAN_COLUMNS = ("exclude_from_segment", "privacy_blocked")
# Text that is compared and stored without surrounding spaces.
STRIPPED = frozenset({"type", "language", "correspondence_type"})
# Columns of the export that an import does not write.
READ_ONLY = frozenset({"company_name"})

TEXT, CHOICE, COUNTRY, EMAIL, BOOLEAN, CODE, GROUPS, CONSENT, COMPANY, NO = range(10)


def _text_columns() -> dict[str, models.Field]:
    skip = {"no", "country", "email", *BOOLEAN_COLUMNS, *READ_ONLY}
    return {
        f.name: f
        for f in Contact._meta.concrete_fields
        if isinstance(f, models.CharField) and f.editable and f.name not in skip
    }


@dataclass(slots=True)
class ParsedRow:
    """A row that passed: its values by attribute name (only the file's columns)."""

    number: int
    no: str
    values: dict = field(default_factory=dict)
    company: str | None = None  # the company's no.; None when the file has no such column
    groups: dict = field(default_factory=dict)  # membership field -> set of pks
    consent: dict = field(default_factory=dict)  # opt-out field -> wanted flag

    @property
    def is_company(self) -> bool:
        return self.values.get("type", ContactType.PERSON) == ContactType.COMPANY


@functools.lru_cache(maxsize=4096)
def _country(value: str, language: str) -> str | None:
    return country_code(value)


def _blank() -> str:
    return str(Contact._meta.get_field("name").error_messages["blank"])


def _too_long(limit: int, length: int) -> str:
    # Django's own message, in Django's own translation.
    return str(MaxLengthValidator.message % {"limit_value": limit, "show_value": length})


def _invalid_choice(value: str) -> str:
    return str(models.Field.default_error_messages["invalid_choice"] % {"value": value})


class RowChecker:
    """Checks the rows of one file, whose column names are ``header``."""

    def __init__(self, header: list[str]):
        self.header = header
        self.width = len(header)
        self.codes = {
            name: dict(model.objects.values_list("code", "pk"))
            for name, model in {**CODE_COLUMNS, **GROUP_COLUMNS}.items()
        }
        texts = _text_columns()
        self.columns = []
        self.no_index = None
        for index, name in enumerate(header):
            if name == "no":
                self.no_index = index
            elif name in texts:
                text = texts[name]
                kind = CHOICE if text.choices else TEXT
                self.columns.append((index, name, kind, text.max_length, not text.blank))
            elif name == "country":
                self.columns.append((index, name, COUNTRY, 2, False))
            elif name == "email":
                limit = Contact._meta.get_field("email").max_length
                self.columns.append((index, name, EMAIL, limit, False))
            elif name in BOOLEAN_COLUMNS:
                self.columns.append((index, name, BOOLEAN, 0, False))
            elif name in CODE_COLUMNS:
                self.columns.append((index, name, CODE, 0, False))
            elif name in GROUP_COLUMNS:
                self.columns.append((index, name, GROUPS, 0, False))
            elif name in CONSENT_COLUMNS:
                self.columns.append((index, name, CONSENT, 0, False))
            elif name == "company":
                self.columns.append((index, name, COMPANY, 0, False))
        self.has = {column[1] for column in self.columns}
        self.cache: dict[tuple[int, str], tuple] = {}
        self.no_limit = Contact._meta.get_field("no").max_length
        self.language = get_language() or ""
        self.blank = _blank()
        self.choices = {
            "type": frozenset(ContactType.values),
            "correspondence_type": frozenset(["", *CorrespondenceType.values]),
        }

    def number_of(self, cells: list[str]) -> str:
        """The row's contact no. as written (blank: a new contact takes the next number)."""
        if self.no_index is None or self.no_index >= len(cells):
            return ""
        return cells[self.no_index].strip()

    def control_characters(self, cells: list[str]) -> list[tuple[str, str]]:
        """A cell holding a control character makes the whole row unreadable."""
        if not CONTROL.search("\n".join(cells)):
            return []
        errors = []
        for index, value in enumerate(cells):
            if found := CONTROL.search(value):
                column = self.header[index] if index < self.width else str(index + 1)
                message = _("contains a control character (U+%(code)04X); remove it.") % {
                    "code": ord(found.group())
                }
                errors.append((column, message))
        return errors

    def check(self, number: int, no: str, cells: list[str]):
        """(ParsedRow, []) for a good row, (None, [(column, message), ...]) for a bad one."""
        if len(cells) < self.width:
            cells = cells + [""] * (self.width - len(cells))
        errors = []
        row = ParsedRow(number, no)
        values = row.values
        if len(no) > self.no_limit:
            errors.append(("no", _too_long(self.no_limit, len(no))))
        cache = self.cache
        for index, name, kind, limit, required in self.columns:
            value = cells[index]
            if kind == TEXT and name not in STRIPPED:
                if len(value) > limit:
                    errors.append((name, _too_long(limit, len(value))))
                elif required and not value:
                    errors.append((name, self.blank))
                else:
                    values[name] = value
            elif kind == EMAIL:
                if len(value) > limit:
                    errors.append((name, _too_long(limit, len(value))))
                elif not value or PLAIN_EMAIL.fullmatch(value):
                    values[name] = value
                else:
                    try:
                        validate_email(value)
                    except ValidationError as error:
                        errors.append((name, " ".join(error.messages)))
                    else:
                        values[name] = value
            elif kind == COMPANY:
                row.company = value.strip()
            else:
                # Codes, choices, countries, flags: few distinct values, each checked once.
                key = (index, value)
                outcome = cache.get(key)
                if outcome is None:
                    outcome = self._cell(name, kind, limit, required, value)
                    if len(cache) < 50_000:
                        cache[key] = outcome
                slot, attname, parsed = outcome
                if slot == "values":
                    values[attname] = parsed
                elif slot == "groups":
                    row.groups[attname] = parsed
                elif slot == "consent":
                    row.consent[attname] = parsed
                elif slot == "error":
                    errors.append((attname, parsed))
        if errors:
            return None, errors
        return row, errors

    def _cell(self, name: str, kind: int, limit: int, required: bool, value: str) -> tuple:
        """A cell of a column with few distinct values: (slot, attribute, value), where
        slot is values, groups, consent, error (attribute: the column) or keep."""
        if kind in (TEXT, CHOICE):
            value = value.strip()
            if not value and required:
                return "error", name, self.blank
            if len(value) > limit:
                return "error", name, _too_long(limit, len(value))
            if kind == CHOICE and value not in self.choices[name]:
                return "error", name, _invalid_choice(value)
            return "values", name, value
        if kind == COUNTRY:
            value = value.strip()
            code = _country(value, self.language) if value else ""
            if code is None:
                return (
                    "error",
                    name,
                    _("%(value)s is not a country; give its two-letter ISO code, e.g. NO.")
                    % {"value": value},
                )
            return "values", name, code
        if kind == CODE:
            value = value.strip()
            if not value:
                return "values", f"{name}_id", None
            if (pk := self.codes[name].get(value)) is not None:
                return "values", f"{name}_id", pk
            model = CODE_COLUMNS[name]
            return (
                "error",
                name,
                _("There is no %(model)s with %(field)s “%(value)s”.")
                % {
                    "model": model._meta.verbose_name,
                    "field": model._meta.get_field("code").verbose_name,
                    "value": value,
                },
            )
        if kind == GROUPS:
            wanted = {code.strip() for code in value.split(SEPARATOR) if code.strip()}
            known = self.codes[name]
            missing = wanted - known.keys()
            if missing:
                return (
                    "error",
                    name,
                    _("There is no %(model)s with code %(codes)s.")
                    % {
                        "model": GROUP_COLUMNS[name]._meta.verbose_name,
                        "codes": ", ".join(f"“{code}”" for code in sorted(missing)),
                    },
                )
            return "groups", name, frozenset(known[code] for code in wanted)
        # BOOLEAN or CONSENT: a blank cell keeps the flag.
        flag = value.strip().lower()
        if not flag:
            return "keep", name, None
        if flag in TRUE:
            wanted = True
        elif flag in FALSE:
            wanted = False
        else:
            return (
                "error",
                name,
                _("“%(value)s” is not yes or no; write 1 or 0.") % {"value": value},
            )
        return ("values" if kind == BOOLEAN else "consent"), name, wanted
