"""Production settings: the deploy checks pass with the documented environment."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "k3Yq8v9W2mZt5sR7pL1nB4cX6dF0gH-jUiOeAaQwErTyPlMzXcVbNm_1234567890",
    "DJANGO_SECURE": "true",
    "DJANGO_ALLOWED_HOSTS": "crm.example.com",
    "SITE_URL": "https://crm.example.com",
    "DJANGO_SMTP_HOST": "smtp.example.com",
    "DATABASE_URL": "postgres://crm:secret@db.example.com:5432/crm",
}


def run(command: list[str], env: dict) -> subprocess.CompletedProcess:
    """``command`` in the project folder with only ``env`` for Django's settings."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.pop("DATABASE_URL", None)
    return subprocess.run(
        command, cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120
    )


def run_check(env: dict) -> subprocess.CompletedProcess:
    return run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)


def load_settings(env: dict) -> subprocess.CompletedProcess:
    """Import the settings module alone, as every process start does."""
    return run([sys.executable, "-c", "import crm.settings as s; print(s.SECRET_KEY)"], env)


def test_deploy_checks_pass_with_the_production_environment():
    result = run_check(PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_checks_fail_with_the_development_defaults():
    """The check is real: the defaults (insecure key, no HTTPS, console mail) fail it."""
    result = run_check({"DJANGO_DEBUG": "true"})
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "security.W009" in output  # the insecure development secret key
    assert "mail.E001" in output  # the console mail backend


# --- a production start needs a real secret key (issue 11, item 10) --------------------------


@pytest.mark.parametrize("key", [None, "", "  ", "django-insecure-dev-only", "django-insecure-x"])
def test_debug_off_refuses_to_start_without_a_real_secret_key(key):
    env = {"DJANGO_DEBUG": "false"} | ({} if key is None else {"DJANGO_SECRET_KEY": key})
    result = load_settings(env)
    assert result.returncode != 0
    assert "django.core.exceptions.ImproperlyConfigured: DJANGO_SECRET_KEY is not set to a " in (
        result.stderr
    )
    assert "set DJANGO_DEBUG=true to develop" in result.stderr
    assert "django-insecure" not in result.stdout
    # A management command (migrate, db_worker, runserver) does not start either.
    command = run([sys.executable, "manage.py", "check"], env)
    assert command.returncode != 0 and "ImproperlyConfigured" in command.stderr


def test_debug_off_starts_with_a_real_secret_key():
    result = load_settings({"DJANGO_SECRET_KEY": PRODUCTION_ENV["DJANGO_SECRET_KEY"]})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == PRODUCTION_ENV["DJANGO_SECRET_KEY"]


def test_the_development_key_is_used_only_with_debug_on():
    result = load_settings({"DJANGO_DEBUG": "true"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django-insecure-dev-only"
    assert run([sys.executable, "manage.py", "check"], {"DJANGO_DEBUG": "true"}).returncode == 0


def test_serve_prod_runs_the_deploy_checks_before_anything_else():
    """A real key but no HTTPS settings: serve-prod stops at check --deploy, before it
    migrates or serves (the database here does not even exist)."""
    env = {
        "DJANGO_SECRET_KEY": PRODUCTION_ENV["DJANGO_SECRET_KEY"],
        "DATABASE_URL": "postgres://crm@127.0.0.1:9/nowhere",
    }
    result = run(["bash", "scripts/serve-prod.sh"], env)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "System check identified" in output
    assert "security.W004" in output  # no HSTS
    assert "mail.E001" in output  # console mail
    assert "Operations to perform" not in output and "OperationalError" not in output
