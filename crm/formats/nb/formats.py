"""Norwegian Bokmål: "1. des. 2026", "14:37", decimal comma (see crm/formats/__init__.py)."""

DATE_FORMAT = "j. F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j. N Y H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j. F"
# "N" is the month's abbreviation with its own full stop where it has one: des., mai.
SHORT_DATE_FORMAT = "j. N Y"
SHORT_DATETIME_FORMAT = "j. N Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday

# The first is what a DateInput shows: ISO, which <input type="date"> needs.
DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # '2026-12-01'
    "%d.%m.%Y",  # '01.12.2026'
    "%d.%m.%y",  # '01.12.26'
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",  # '2026-12-01 14:37:59'
    "%Y-%m-%d %H:%M:%S.%f",  # '2026-12-01 14:37:59.000200'
    "%Y-%m-%d %H:%M",  # '2026-12-01 14:37'
    "%Y-%m-%dT%H:%M:%S",  # what <input type="datetime-local"> sends
    "%Y-%m-%dT%H:%M",
    "%d.%m.%Y %H:%M:%S",  # '01.12.2026 14:37:59'
    "%d.%m.%Y %H:%M",  # '01.12.2026 14:37'
    "%d.%m.%y %H:%M",  # '01.12.26 14:37'
]
TIME_INPUT_FORMATS = [
    "%H:%M:%S",  # '14:37:59'
    "%H:%M:%S.%f",  # '14:37:59.000200'
    "%H:%M",  # '14:37'
]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"  # a space that never breaks the number over two lines
NUMBER_GROUPING = 3
