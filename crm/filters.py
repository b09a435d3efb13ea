"""Contact criteria: the `contact` source of SPEC section 3, shared by the contact list.

Every filter takes one value or a list of values; a list means "any of". Text typed
into a code field may also separate values with commas (``NO, SE``). A filter's cleaned
value is always a list of strings, so it can be stored as JSON and replayed exactly.
"""

import json
from functools import reduce
from operator import or_

import django_filters
from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Expression, F, Q
from django.utils.choices import CallableChoiceIterator
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .choices import ContactType, CorrespondenceType, country_choices, country_code
from .models import CODE_LENGTH, Contact, Salesperson, Territory

YES = "true"
NO = "false"
_YES_NO = {
    "true": YES,
    "yes": YES,
    "1": YES,
    "on": YES,
    "false": NO,
    "no": NO,
    "0": NO,
    "off": NO,
}


class CriteriaForm(forms.Form):
    """The form of a criteria FilterSet; several sources render inside one dialog."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


#: The most values one filter takes: a list is checked and matched in one statement, and
#: PostgreSQL takes at most 65,535 parameters per statement.
MAX_VALUES = 10_000


class ValueListWidget(forms.TextInput):
    """A text box that reads every value a query string or criteria list holds."""

    def value_from_datadict(self, data, files, name):
        if hasattr(data, "getlist"):
            return data.getlist(name)
        value = data.get(name)
        return value if isinstance(value, list | tuple) else [value]

    def format_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(v) for v in value if v not in (None, ""))
        return super().format_value(value)


class ValueListSelect(forms.SelectMultiple):
    def value_from_datadict(self, data, files, name):
        if hasattr(data, "getlist"):
            return data.getlist(name)
        value = data.get(name)
        return value if isinstance(value, list | tuple) else [value]


class YesNoField(forms.Field):
    """One yes/no value, strictly: anything but true/false, yes/no, 1/0 is an error."""

    default_error_messages = {"invalid": _("Enter yes or no (true or false).")}

    def clean(self, value):
        key = str(value).strip().lower() if isinstance(value, str | bool | int) else None
        if key not in _YES_NO:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return _YES_NO[key]


class CountryCodeField(forms.CharField):
    """One country, cleaned to its ISO 3166 alpha-2 code (what contacts and criteria
    store); a country's name, in English or the page's language, is accepted too."""

    default_error_messages = {
        "invalid_country": _(
            '"%(value)s" is not a country. Choose one from the list, or give its '
            "two-letter ISO code (NO for Norway)."
        )
    }

    def clean(self, value) -> str:
        value = super().clean(value)
        code = country_code(value)
        if code is None:
            raise ValidationError(
                self.error_messages["invalid_country"],
                code="invalid_country",
                params={"value": value},
            )
        return code


class SearchableSelectMultiple(forms.SelectMultiple):
    """A multiple select with a search box above it (static/js/select-search.js)."""

    def __init__(self, attrs=None, choices=(), *, search_label=""):
        attrs = {"size": 8, **(attrs or {})}
        super().__init__(attrs, choices)
        self.search_label = search_label

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["data-search"] = str(self.search_label)
        return context

    def value_from_datadict(self, data, files, name):
        if hasattr(data, "getlist"):
            return data.getlist(name)
        value = data.get(name)
        return value if isinstance(value, list | tuple) else [value]


class ValueListField(forms.Field):
    """A list of values, each checked by ``item_field``; cleans to a list of strings.

    ``queryset`` and ``to_field`` check that every code exists (one query for the whole
    list); ``choices`` restricts values to a fixed set; ``upper`` normalises codes.
    """

    default_error_messages = {
        "invalid_type": _("%(value)s is not a text value."),
        "invalid_choice": _("%(value)s is not one of the available choices."),
        "missing": _("%(label)s %(value)s does not exist."),
        "too_many": _("Give at most %(max)s values; got %(count)s."),
    }

    def __init__(
        self,
        *,
        item_field: forms.Field | None = None,
        split: bool = False,
        upper: bool = False,
        queryset=None,
        to_field: str = "code",
        missing_label=None,
        choices=None,
        **kwargs,
    ):
        self.item_field = item_field or forms.CharField(max_length=100)
        self.split = split
        self.upper = upper
        self.queryset = queryset
        self.to_field = to_field
        self.missing_label = missing_label
        self.choices = choices
        kwargs.setdefault("required", False)
        if "widget" not in kwargs:
            if choices is not None or queryset is not None:
                kwargs["widget"] = ValueListSelect
            else:
                kwargs["widget"] = ValueListWidget
        super().__init__(**kwargs)
        if isinstance(self.widget, forms.SelectMultiple) and (
            choices is not None or queryset is not None
        ):
            self.widget.choices = (
                CallableChoiceIterator(self._queryset_choices) if choices is None else list(choices)
            )

    def _queryset_choices(self):
        return [(getattr(obj, self.to_field), str(obj)) for obj in self.queryset.all()]

    def _items(self, value) -> list:
        values = value if isinstance(value, list | tuple) else [value]
        items = []
        for item in values:
            if item is None or item == "":
                continue
            if isinstance(item, bool):
                item = YES if item else NO
            elif isinstance(item, int | float):
                item = str(item)
            elif not isinstance(item, str):
                raise ValidationError(
                    self.error_messages["invalid_type"],
                    code="invalid_type",
                    params={"value": repr(item)},
                )
            parts = item.split(",") if self.split else [item]
            items.extend(part.strip() for part in parts if part.strip())
        return items

    def clean(self, value) -> list[str]:
        items = self._items(value)
        if len(items) > MAX_VALUES:
            raise ValidationError(
                self.error_messages["too_many"],
                code="too_many",
                params={
                    "max": number_format(MAX_VALUES, force_grouping=True),
                    "count": number_format(len(items), force_grouping=True),
                },
            )
        cleaned = []
        for item in items:
            if self.upper:
                item = item.upper()
            checked = self.item_field.clean(item)
            cleaned.append(checked.isoformat() if hasattr(checked, "isoformat") else checked)
        if self.choices is not None:
            allowed = {str(key) for key, _label in self.choices}
            for item in cleaned:
                if item not in allowed:
                    raise ValidationError(
                        self.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": item},
                    )
        if self.queryset is not None and cleaned:
            found = set(
                self.queryset.filter(**{f"{self.to_field}__in": cleaned}).values_list(
                    self.to_field, flat=True
                )
            )
            missing = [item for item in cleaned if item not in found]
            if missing:
                raise ValidationError(
                    self.error_messages["missing"],
                    code="missing",
                    params={
                        "label": capfirst(
                            self.missing_label or self.queryset.model._meta.verbose_name
                        ),
                        "value": ", ".join(missing),
                    },
                )
        # Keep the first occurrence of each value: the list is a set, in the user's order.
        return list(dict.fromkeys(cleaned))


#: Beyond this many values a text filter matches through one JSON parameter
#: (``MatchesAnyPattern``) instead of an ``OR`` per value: SQLite refuses an expression
#: deeper than 1,000 terms ("Expression tree is too large").
LONG_LIST = 50

#: How a case-insensitive text lookup becomes a LIKE pattern of one value.
_PATTERNS = {"iexact": "{}", "istartswith": "{}%", "icontains": "%{}%"}


def like_pattern(lookup: str, value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return _PATTERNS[lookup].format(escaped)


class MatchesAnyPattern(Expression):
    """True when the text expression is LIKE any of ``patterns`` (case-insensitive).

    The patterns travel as one parameter, a JSON array read with ``json_each`` on SQLite
    and a text array for ``ILIKE ANY`` on PostgreSQL, however many values: thousands of
    post codes neither deepen the expression tree nor run into the parameter limit.
    """

    output_field = BooleanField()
    conditional = True

    def __init__(self, expression, patterns: list[str]):
        super().__init__(output_field=BooleanField())
        self.expression = expression
        self.patterns = list(patterns)

    def get_source_expressions(self):
        return [self.expression]

    def set_source_expressions(self, exprs):
        (self.expression,) = exprs

    def as_sql(self, compiler, connection):
        column, params = compiler.compile(self.expression)
        if connection.vendor == "postgresql":
            # One array parameter; a plain condition on the row, so the planner keeps
            # its usual plans (a subquery here made refine run a nested loop per line).
            # The escape character is the default backslash.
            return f"({column})::text ILIKE ANY (%s::text[])", (*params, self.patterns)
        if connection.vendor == "sqlite":
            # SQLite's LIKE is case-insensitive, as Django's i-lookups there.
            sql = (
                "EXISTS (SELECT 1 FROM json_each(%s) AS p "
                f"WHERE ({column}) LIKE p.value ESCAPE '\\')"
            )
            return sql, (json.dumps(self.patterns), *params)
        # Any other database: one case-insensitive LIKE per value, in plain SQL.
        terms = " OR ".join(f"UPPER({column}) LIKE UPPER(%s) ESCAPE '\\'" for _ in self.patterns)
        return f"({terms})", tuple(
            value for pattern in self.patterns for value in (*params, pattern)
        )


class AnyOfFilter(django_filters.Filter):
    """Matches when the field matches any of the values (``lookup_expr`` per value)."""

    field_class = ValueListField

    def filter(self, qs, value):
        if not value:
            return qs
        lookup = self.lookup_expr
        if lookup in ("exact", "in"):
            condition = Q(**{f"{self.field_name}__in": value})
        elif lookup in ("gte", "gt", "lte", "lt"):
            # Any of several bounds holds exactly when the widest one does.
            bound = min(value) if lookup in ("gte", "gt") else max(value)
            condition = Q(**{f"{self.field_name}__{lookup}": bound})
        elif lookup in _PATTERNS and len(value) > LONG_LIST:
            condition = MatchesAnyPattern(
                F(self.field_name), [like_pattern(lookup, item) for item in value]
            )
        else:
            condition = reduce(or_, (Q(**{f"{self.field_name}__{lookup}": item}) for item in value))
        return qs.exclude(condition) if self.exclude else qs.filter(condition)


class YesNoFilter(AnyOfFilter):
    """A yes/no filter; the queryset method decides what "yes" means."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("item_field", YesNoField())
        kwargs.setdefault(
            "widget",
            ValueListSelect(choices=[(YES, _("Yes")), (NO, _("No"))]),
        )
        super().__init__(*args, **kwargs)

    @staticmethod
    def wanted(value) -> bool | None:
        """True or False for one answer; None when both are allowed (no filter)."""
        answers = set(value or [])
        return None if len(answers) != 1 else answers == {YES}


def code_field(label, **kwargs) -> dict:
    return {
        "label": label,
        "upper": True,
        "item_field": forms.CharField(max_length=CODE_LENGTH),
        **kwargs,
    }


class ContactFilter(django_filters.FilterSet):
    """The `contact` criteria source; the contact list page and segments share it."""

    label = _("Contacts")

    no = AnyOfFilter(
        field_name="no",
        split=True,
        queryset=Contact.objects.all(),
        to_field="no",
        widget=ValueListWidget,
        **code_field(_("No.")),
    )
    name = AnyOfFilter(field_name="name", lookup_expr="icontains", label=_("Name contains"))
    type = AnyOfFilter(field_name="type", label=_("Type"), choices=ContactType.choices)
    company = AnyOfFilter(
        field_name="company__no",
        split=True,
        queryset=Contact.objects.companies(),
        to_field="no",
        missing_label=_("company"),
        widget=ValueListWidget,
        **code_field(_("Company no.")),
    )
    city = AnyOfFilter(field_name="city", lookup_expr="iexact", label=_("City"))
    post_code = AnyOfFilter(
        field_name="post_code",
        lookup_expr="istartswith",
        split=True,
        label=_("Post code starts with"),
    )
    # Chosen by name in the page's language; stored and replayed as ISO codes.
    country = AnyOfFilter(
        field_name="country",
        split=True,
        item_field=CountryCodeField(max_length=100),
        choices=CallableChoiceIterator(country_choices),
        widget=SearchableSelectMultiple(search_label=_("Search countries")),
        label=_("Country"),
    )
    territory = AnyOfFilter(
        field_name="territory__code", queryset=Territory.objects.all(), **code_field(_("Territory"))
    )
    salesperson = AnyOfFilter(
        field_name="salesperson__code",
        queryset=Salesperson.objects.all(),
        **code_field(_("Salesperson")),
    )
    language = AnyOfFilter(
        field_name="language",
        split=True,
        item_field=forms.CharField(max_length=10),
        label=_("Language"),
    )
    correspondence_type = AnyOfFilter(
        field_name="correspondence_type",
        label=_("Correspondence type"),
        choices=CorrespondenceType.choices,
    )
    has_email = YesNoFilter(method="filter_has_email", label=_("Has email"))
    job_title = AnyOfFilter(
        field_name="job_title", lookup_expr="icontains", label=_("Job title contains")
    )

    class Meta:
        model = Contact
        fields = []
        form = CriteriaForm

    def filter_has_email(self, queryset, name, value):
        wanted = YesNoFilter.wanted(value)
        if wanted is None:
            return queryset
        return queryset.exclude(email="") if wanted else queryset.filter(email="")
