"""Who did it: one append-only audit row per state change a user makes.

``audit.record(user, action, obj, **details)`` writes the row, inside the calling
service's transaction; ``audit.steps()`` wraps services that are steps of one change the
caller records; ``audit.history(obj)`` reads an object's rows, newest first. They are
imported on first use, so ``import audit`` works before the app registry is ready: call
them as ``audit.record(...)``.
"""

__all__ = ["Action", "changed_fields", "history", "record", "steps"]


def __getattr__(name: str):
    if name in ("changed_fields", "record", "steps"):
        from . import services

        return getattr(services, name)
    if name == "history":
        from .selectors import history

        return history
    if name == "Action":
        from .models import Action

        return Action
    raise AttributeError(f"module 'audit' has no attribute {name!r}")
