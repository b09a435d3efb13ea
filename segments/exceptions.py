from django.core.exceptions import ValidationError


class SegmentError(ValidationError):
    """A segment operation was refused; the message says why in the user's words."""


class LoggingError(SegmentError):
    """A segment cannot be logged; the message lists every problem, by line."""


class SegmentGone(LoggingError):
    """The segment was logged or deleted since the page or the job was made.

    A ``LoggingError`` so that a log of a segment logged meanwhile is refused as before;
    its code says which: ``already_logged`` or ``segment_missing``.
    """
