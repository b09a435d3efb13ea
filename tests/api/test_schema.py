"""The committed OpenAPI schema (docs/openapi.yaml) is the one the code generates."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
REFRESH = (
    "DJANGO_DEBUG=true .venv/bin/python manage.py spectacular --file docs/openapi.yaml --validate"
)


@pytest.mark.once
def test_the_committed_schema_matches_the_code(tmp_path):
    generated = tmp_path / "openapi.yaml"
    errors = io.StringIO()
    call_command("spectacular", file=str(generated), validate=True, stderr=errors)
    assert "Warning" not in errors.getvalue(), errors.getvalue()
    assert generated.read_text() == SCHEMA.read_text(), (
        f"docs/openapi.yaml is out of date with the API's code; refresh it with: {REFRESH}"
    )


@pytest.mark.once
def test_the_schema_is_openapi_3_1_with_problem_details():
    text = SCHEMA.read_text()
    assert text.startswith("openapi: 3.1.0")
    assert "application/problem+json" in text
    assert "Idempotency-Key" in text
