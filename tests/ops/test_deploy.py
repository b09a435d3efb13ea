"""Production settings: the deploy checks pass with the documented environment."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "k3Yq8v9W2mZt5sR7pL1nB4cX6dF0gH-jUiOeAaQwErTyPlMzXcVbNm_1234567890",
    "DJANGO_SECURE": "true",
    "DJANGO_ALLOWED_HOSTS": "crm.example.com",
    "DJANGO_SMTP_HOST": "smtp.example.com",
    "DATABASE_URL": "postgres://crm:secret@db.example.com:5432/crm",
}


def run_check(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_checks_pass_with_the_production_environment():
    result = run_check(PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_checks_fail_with_the_development_defaults():
    """The check is real: the defaults (insecure key, no HTTPS, console mail) fail it."""
    result = run_check({})
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "security.W009" in output  # the insecure development secret key
    assert "mail.E001" in output  # the console mail backend
