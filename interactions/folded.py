"""SQL expressions folded where their inputs are known when the statement is built.

A source of ``interactions.effective`` may give a literal (``Value``) where a row's value is
known in advance: a single interaction's own values, or a column no line of a segment sets.
These helpers fold such literals, so the statement neither computes nor joins what cannot
change its result; a condition over literals is a Python bool, kept out of the SQL.
"""

import operator
from functools import reduce

from django.db import models
from django.db.models import Case, Q, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.db.models.lookups import Exact, IsNull

__all__ = [
    "and_",
    "blank_to_null",
    "case",
    "coalesce",
    "equals",
    "is_null",
    "is_set",
    "known",
    "not_",
    "or_",
]

TEXT = models.CharField()
BLANK = Value("")


def known(expression) -> bool:
    return isinstance(expression, Value)


def blank_to_null(expression):
    """``expression``, NULL when blank, so that Coalesce moves on to the next."""
    if known(expression):
        return Value(None, output_field=TEXT) if expression.value in ("", None) else expression
    return NullIf(expression, BLANK)


def is_set(expression) -> Q | bool:
    """``expression`` holds a value (neither NULL nor blank)."""
    if known(expression):
        return expression.value not in ("", None)
    return Q(IsNull(blank_to_null(expression), False))


def is_null(expression) -> Q | bool:
    if known(expression):
        return expression.value is None
    return Q(IsNull(expression, True))


def equals(expression, other) -> Q | bool:
    """``expression = other``; as in SQL, never true when either is NULL."""
    value = expression.value if known(expression) else expression
    if value is None or other is None:
        return False
    if known(expression) and not hasattr(other, "resolve_expression"):
        return value == other
    return Q(Exact(expression, other))


def not_(condition: Q | bool) -> Q | bool:
    return not condition if isinstance(condition, bool) else ~condition


def and_(*conditions: Q | bool) -> Q | bool:
    if any(condition is False for condition in conditions):
        return False
    rest = [condition for condition in conditions if condition is not True]
    return reduce(operator.and_, rest) if rest else True


def or_(*conditions: Q | bool) -> Q | bool:
    if any(condition is True for condition in conditions):
        return True
    rest = [condition for condition in conditions if condition is not False]
    return reduce(operator.or_, rest) if rest else False


def case(*whens: tuple, default, output_field=None):
    """``CASE WHEN condition THEN value ... ELSE default END`` without the branches a
    literal condition decides: none left, the value itself."""
    kept = []
    for condition, value in whens:
        if condition is False:
            continue
        if condition is True:
            default = value
            break
        kept.append(When(condition, then=value))
    if not kept:
        return default
    return Case(*kept, default=default, output_field=output_field)


def coalesce(*expressions, output_field):
    """``COALESCE(...)`` without literal NULLs and what follows a literal value."""
    kept = []
    for expression in expressions:
        if known(expression) and expression.value is None:
            continue
        kept.append(expression)
        if known(expression):
            break
    if not kept:
        return Value(None, output_field=output_field)
    if len(kept) == 1:
        return kept[0]
    return Coalesce(*kept, output_field=output_field)
