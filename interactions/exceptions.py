from django.core.exceptions import ValidationError


class InteractionError(ValidationError):
    """A ledger operation was refused; the message says why in the user's words."""


class LetterError(ValidationError):
    """A Word document was refused or cannot be merged; the message says why."""
