"""Errors as RFC 9457 problem details (``application/problem+json``).

Every error answer has ``type``, ``title``, ``status`` and ``detail``; invalid input adds
``errors``, one item per message with the ``field`` it is about (``null`` for the request
as a whole). A service's refusal carries the service's message, the text the pages show.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.views import exception_handler

PROBLEM_JSON = "application/problem+json"

#: Service error codes that mean the record changed or is busy meanwhile: 409 Conflict.
CONFLICT_CODES = {
    "segment_missing",
    "line_missing",
    "already_logged",
    "segment_busy",
    "idempotency_key_reused",
}
#: Service error codes that mean the role does not allow it: 403.
FORBIDDEN_CODES = {"not_permitted"}


def problem_type(code: str) -> str:
    return f"urn:crm-segments:problem:{code}" if code else "about:blank"


def problem(status_code: int, detail: str, *, code: str = "", title: str = "", errors=None):
    """A problem details response."""
    body = {
        "type": problem_type(code),
        "title": title or _http_title(status_code),
        "status": status_code,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    # Rendered here, as JSON whatever the view renders (the schema view answers YAML).
    return JsonResponse(body, status=status_code, content_type=PROBLEM_JSON)


def _http_title(status_code: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return _("Error")


def field_errors(detail, field=None) -> list[dict]:
    """DRF's nested error detail as a flat list of ``{"field", "detail", "code"}``."""
    if isinstance(detail, dict):
        items = []
        for name, inner in detail.items():
            name = None if name in ("non_field_errors", "__all__") else str(name)
            path = name if field is None else (f"{field}.{name}" if name else field)
            items += field_errors(inner, path)
        return items
    if isinstance(detail, list):
        items = []
        for index, inner in enumerate(detail):
            path = field
            if isinstance(inner, dict | list) and field is not None:
                path = f"{field}.{index}"
            items += field_errors(inner, path)
        return items
    return [{"field": field, "detail": str(detail), "code": getattr(detail, "code", "")}]


def service_problem(error: DjangoValidationError, field: str | None = None):
    """A service's refusal (a ``ValidationError`` subclass) as a problem."""
    code = getattr(error, "code", None) or "invalid"
    messages = list(error.messages)
    if code in FORBIDDEN_CODES:
        status_code = status.HTTP_403_FORBIDDEN
    elif code in CONFLICT_CODES:
        status_code = status.HTTP_409_CONFLICT
    else:
        status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    errors = [{"field": field, "detail": message, "code": code} for message in messages]
    if hasattr(error, "error_dict"):  # full_clean's refusal names its fields
        errors = [
            {
                "field": None if name == "__all__" else name,
                "detail": message,
                "code": item.code or code,
            }
            for name, items in error.error_dict.items()
            for item in items
            for message in item.messages
        ]
    problems = getattr(error, "problems", None)
    if problems:
        errors = [
            {
                "field": field,
                "detail": str(item.message),
                "code": item.code,
                **({"lines": list(item.line_nos)} if hasattr(item, "line_nos") else {}),
            }
            for item in problems
        ]
    return problem(
        status_code,
        " ".join(messages),
        code=code,
        title=_("The request was refused"),
        errors=errors,
    )


def handler(exc, context):
    """DRF's exception handler, answering problem details."""
    if isinstance(exc, DjangoValidationError):
        return service_problem(exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = field_errors(exc.detail)
        detail = " ".join(
            f"{item['field']}: {item['detail']}" if item["field"] else item["detail"]
            for item in errors
        )
        result = problem(
            response.status_code,
            detail,
            code="invalid",
            title=_("The request is not valid"),
            errors=errors,
        )
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        result = problem(response.status_code, str(detail), code=getattr(detail, "code", "") or "")
    for header in ("WWW-Authenticate", "Retry-After", "Allow"):
        if header in response:
            result[header] = response[header]
    return result
