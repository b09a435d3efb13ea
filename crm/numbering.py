"""Number series (``CT000001``, ``SEG00001``): the one place that hands out codes.

- ``next_code``: the next free code of a series, one at a time (forms, services, admin).
- ``reserve_numbers``: a block of codes at once, for bulk inserts such as the demo data.

``next_code``, ``ensure_series`` and ``SERIES_DEFAULTS`` live beside ``NumberSeries`` in
``crm.models`` (model code imports ``next_code`` from there) and are re-exported here;
``reserve_numbers`` builds on them, so the prefix, width and defaults of a series are
known once.
"""

from django.db import models

from .models import SERIES_DEFAULTS, NumberSeries, ensure_series, next_code

__all__ = ["SERIES_DEFAULTS", "ensure_series", "next_code", "reserve_numbers"]


def reserve_numbers(
    series: str, model: type[models.Model], count: int, *, field: str = "no"
) -> list[str]:
    """``count`` codes from ``series`` for ``model.field``, skipping codes typed by hand.

    The caller's transaction holds the series row, so ``next_code()`` callers wait and
    never get one of these numbers.
    """
    ensure_series(series)
    row = NumberSeries.objects.select_for_update().get(code=series)
    last = row.last_no
    taken = set(
        model._default_manager.filter(
            **{f"{field}__startswith": row.prefix, f"{field}__gt": row.code_for(last)}
        ).values_list(field, flat=True)
    )
    numbers = []
    while len(numbers) < count:
        last += 1
        code = row.code_for(last)
        if code not in taken:
            numbers.append(code)
    NumberSeries.objects.filter(pk=row.pk).update(last_no=last)
    return numbers
