"""OpenAPI helpers: every operation documents its problem details."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers

from .problems import PROBLEM_JSON


class ProblemErrorSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True, help_text="The field the message is about.")
    detail = serializers.CharField()
    code = serializers.CharField()
    lines = serializers.ListField(child=serializers.IntegerField(), required=False)


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = ProblemErrorSerializer(many=True, required=False)


PROBLEM = OpenApiResponse(ProblemSerializer, description="Problem details (RFC 9457).")

READ_PROBLEMS = (400, 401, 403, 404, 429)
WRITE_PROBLEMS = (400, 401, 403, 404, 409, 415, 422, 429)


def documented(*, responses: dict, request=None, write: bool = False, **kwargs):
    """``extend_schema`` with the problem responses an operation can give."""
    codes = WRITE_PROBLEMS if write else READ_PROBLEMS
    answers = {**responses}
    for code in codes:
        answers[(code, PROBLEM_JSON)] = PROBLEM
    return extend_schema(request=request, responses=answers, **kwargs)
