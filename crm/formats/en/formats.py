"""English: day first, the month by name, 24-hour time (see crm/formats/__init__.py)."""

DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j M"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday

# The first is what a DateInput shows: ISO, which <input type="date"> needs. No
# month-first form: "12/01/2026" would be read as December by some, January by others.
DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # '2026-12-01'
    "%d %b %Y",  # '1 Dec 2026'
    "%d %B %Y",  # '1 December 2026'
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",  # '2026-12-01 14:37:59'
    "%Y-%m-%d %H:%M:%S.%f",  # '2026-12-01 14:37:59.000200'
    "%Y-%m-%d %H:%M",  # '2026-12-01 14:37'
    "%Y-%m-%dT%H:%M:%S",  # what <input type="datetime-local"> sends
    "%Y-%m-%dT%H:%M",
    "%d %b %Y %H:%M:%S",  # '1 Dec 2026 14:37:59'
    "%d %b %Y %H:%M",  # '1 Dec 2026 14:37'
]
TIME_INPUT_FORMATS = [
    "%H:%M:%S",  # '14:37:59'
    "%H:%M:%S.%f",  # '14:37:59.000200'
    "%H:%M",  # '14:37'
]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
