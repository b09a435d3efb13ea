"""Number series (``CT000001``, ``SEG00001``): the one place that hands out codes.

- ``next_code``: the next free code of a series, one at a time (forms, services, admin).
- ``reserve_numbers``: a block of codes at once, for bulk inserts such as the demo data.
- ``reserve_codes``: the same block as an iterator, for a million codes (the contact import).

``next_code``, ``ensure_series`` and ``SERIES_DEFAULTS`` live beside ``NumberSeries`` in
``crm.models`` (model code imports ``next_code`` from there) and are re-exported here;
``reserve_numbers`` builds on them, so the prefix, width and defaults of a series are
known once.
"""

from collections.abc import Iterator

from django.db import models

from .models import SERIES_DEFAULTS, NumberSeries, ensure_series, next_code

__all__ = ["SERIES_DEFAULTS", "ensure_series", "next_code", "reserve_codes", "reserve_numbers"]


def reserve_numbers(
    series: str, model: type[models.Model], count: int, *, field: str = "no"
) -> list[str]:
    """``count`` codes from ``series`` for ``model.field``, skipping codes typed by hand.

    The caller's transaction holds the series row, so ``next_code()`` callers wait and
    never get one of these numbers.
    """
    return list(reserve_codes(series, model, count, field=field))


def reserve_codes(
    series: str, model: type[models.Model], count: int, *, field: str = "no"
) -> Iterator[str]:
    """``reserve_numbers`` without holding the codes: the block is reserved in one step
    (the series row moves past it at once), the codes are made as they are read."""
    ensure_series(series)
    row = NumberSeries.objects.select_for_update().get(code=series)
    first = row.last_no
    taken = set(
        model._default_manager.filter(
            **{f"{field}__startswith": row.prefix, f"{field}__gt": row.code_for(first)}
        ).values_list(field, flat=True)
    )

    def numbers() -> Iterator[tuple[int, str]]:
        number, left = first, count
        while left > 0:
            number += 1
            code = row.code_for(number)
            if code not in taken:
                left -= 1
                yield number, code

    last = first + max(count, 0)
    if taken:
        for last, _code in numbers():  # noqa: B007 (the last number is what is kept)
            pass
    NumberSeries.objects.filter(pk=row.pk).update(last_no=last)
    return (code for _number, code in numbers())
