"""Who did it: one append-only audit row per state change a user makes.

``audit.record(user, action, obj, **details)`` writes the row, inside the calling
service's transaction; ``audit.history(obj)`` reads an object's rows, newest first. Both
are imported lazily, so ``import audit`` works before the app registry is ready.
"""

__all__ = ["Action", "history", "record"]


def __getattr__(name: str):
    if name == "record":
        from .services import record

        return record
    if name == "history":
        from .selectors import history

        return history
    if name == "Action":
        from .models import Action

        return Action
    raise AttributeError(f"module 'audit' has no attribute {name!r}")
