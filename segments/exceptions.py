from django.core.exceptions import ValidationError


class SegmentError(ValidationError):
    """A segment operation was refused; the message says why in the user's words."""


class LoggingError(SegmentError):
    """A segment cannot be logged; the message lists every problem, by line."""
