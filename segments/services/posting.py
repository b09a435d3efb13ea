"""Logging a segment into the ledger (SPEC 4.4) and the follow-up segment."""

__all__: list[str] = []
