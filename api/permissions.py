"""Who may do what: the permission codenames the pages check (segments/roles.py)."""

from rest_framework.permissions import SAFE_METHODS, BasePermission


class RolePermission(BasePermission):
    """The view's ``permissions``: HTTP method (or ``"read"`` / ``"write"``) -> codenames.

    An authenticated user without them gets 403; an anonymous one 401 (DRF asks the
    authenticators first).
    """

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        return request.user.has_perms(required(view, request.method))


def required(view, method: str) -> tuple[str, ...]:
    wanted = getattr(view, "permissions", {})
    perms = wanted.get(method)
    if perms is None:
        perms = wanted.get("read" if method in SAFE_METHODS else "write", ())
    return (perms,) if isinstance(perms, str) else tuple(perms)
