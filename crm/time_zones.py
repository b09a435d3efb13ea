"""The time zones a user may choose (My settings): the IANA names Python knows."""

import zoneinfo
from functools import cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

#: Not places: the legacy aliases a zone database also holds.
_NOT_PLACES = ("posix/", "right/", "Etc/", "SystemV/", "US/", "Canada/", "Mexico/", "Brazil/")


@cache
def time_zone_names() -> tuple[str, ...]:
    """Every zone a user may choose, sorted ("Europe/Oslo", "America/New_York"...)."""
    return tuple(
        sorted(
            name
            for name in zoneinfo.available_timezones()
            if "/" in name and not name.startswith(_NOT_PLACES)
        )
        + ["UTC"]
    )


def is_time_zone(name: str) -> bool:
    return name in time_zone_names()


INVALID_TIME_ZONE = _(
    '"%(value)s" is not a time zone. Choose one from the list, by region and city '
    "(e.g. Europe/Oslo or America/New_York)."
)


def validate_time_zone(value: str) -> None:
    """Refuse a name that is not one of ``time_zone_names()``; blank is the default."""
    if value and not is_time_zone(value):
        raise ValidationError(INVALID_TIME_ZONE, code="invalid_time_zone", params={"value": value})
