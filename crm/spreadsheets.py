"""CSV cells that a spreadsheet opens as text, never as a formula."""

from decimal import Decimal

# A cell starting with one of these runs as a formula in Excel or LibreOffice Calc.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """``value`` as a CSV cell: text that looks like a formula is quoted with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    if isinstance(value, Decimal):
        return str(value)
    return value


def safe_row(row) -> list:
    return [safe_cell(value) for value in row]
