"""The dependency rule (docs/architecture.md): segments -> interactions -> crm, no cycles.

The import-linter contracts in pyproject.toml are the machine-checked arrows; the tests
below also cover the couplings a linter cannot see (reverse accessors, app labels in
strings) and the extension points that replace them.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import resolve, reverse

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.once
def test_the_import_contracts_are_kept():
    """Every contract in pyproject.toml holds (the same check as `lint-imports`)."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports; "
            "sys.exit(lint_imports(no_cache=True, no_logo=True))",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_crm_names_no_higher_app_outside_the_site_level():
    """crm code reaches neither app above it by name: no reverse accessor, no app label.

    Only the site level (settings.py, urls.py) may name every app.
    """
    pattern = re.compile(r"segment_lines|[\"'](segments|interactions)[\".']")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "crm").rglob("*.py"))
        if "migrations" not in path.parts and path.name not in {"settings.py", "urls.py"}
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


def test_segments_registers_its_company_change_rule_with_crm():
    """The rule lives in segments and reaches Contact through crm's registry."""
    from crm.models import COMPANY_CHANGE_GUARDS
    from segments.models import refuse_company_change_on_a_segment

    assert refuse_company_change_on_a_segment in COMPANY_CHANGE_GUARDS
    assert len(COMPANY_CHANGE_GUARDS) == 1


def test_seed_demo_finds_each_apps_demo_in_dependency_order():
    """Interaction templates come from interactions.demo, history from segments.demo."""
    from crm.demo import app_demos

    demos = [module.__name__ for module in app_demos()]
    # api.demo seeds nothing: it puts the API's idempotency keys in the demo reset.
    assert demos == ["interactions.demo", "segments.demo", "api.demo"]
    assert all(hasattr(module, "seed") for module in app_demos()[:2])
    assert hasattr(app_demos()[0], "seed_reference")


def test_the_pages_that_span_apps_keep_their_paths_and_names():
    """Home and contact card moved to segments.site_views; bookmarks and names still work."""
    from segments.site_views import ContactCardView, home

    assert reverse("crm:home") == "/"
    assert resolve("/").func is home
    assert reverse("crm:contact-detail", args=[7]) == "/contacts/7/"
    assert resolve("/contacts/7/").func.view_class is ContactCardView
    assert reverse("crm:contact-list") == "/contacts/"


@pytest.mark.django_db
def test_jobs_are_their_own_app_on_the_same_table():
    """The generic job framework left crm: app jobs, table crm_job, URLs under jobs:."""
    from django.contrib.contenttypes.models import ContentType

    from jobs import views
    from jobs.models import Job

    assert Job._meta.app_label == "jobs"
    assert Job._meta.db_table == "crm_job"
    assert ContentType.objects.get_for_model(Job).app_label == "jobs"
    assert not ContentType.objects.filter(app_label="crm", model="job").exists()
    assert reverse("jobs:job-list") == "/jobs/"
    assert resolve("/jobs/3/").func.view_class is views.JobDetailView


def test_no_benchmark_hides_a_standard_library_module():
    """Run as a script, a bench/ module named like a stdlib one (logging) would shadow it."""
    names = {path.stem for path in (ROOT / "bench").glob("*.py")}
    assert "log_segment" in names
    assert names & sys.stdlib_module_names == set()


def test_every_setting_the_apps_read_is_declared():
    """No ``getattr(settings, ...)`` with a hidden default: settings.py and .env.example
    declare each setting (LIBREOFFICE_BINARY and LETTER_PDF_TIMEOUT were declared nowhere)."""
    from django.conf import settings

    sources = [
        p
        for app in ("audit", "crm", "interactions", "jobs", "segments")
        for p in (ROOT / app).rglob("*.py")
    ]
    hidden = [str(p.relative_to(ROOT)) for p in sources if "getattr(settings" in p.read_text()]
    assert hidden == []
    example = (ROOT / ".env.example").read_text()
    for name in ("LIBREOFFICE_BINARY", "LETTER_PDF_TIMEOUT"):
        assert hasattr(settings, name), name
        assert re.search(rf"^#? ?{name}=", example, re.MULTILINE), name


def test_audit_is_the_bottom_app_every_app_may_record_with():
    """audit imports none of the apps; the apps contract puts it below jobs (pyproject)."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    contracts = {contract["id"]: contract for contract in config["contracts"]}
    assert contracts["apps"]["layers"][-1] == "audit"
    assert set(contracts["audit-generic"]["forbidden_modules"]) == {
        "api",
        "crm",
        "interactions",
        "jobs",
        "segments",
    }
    imports = [
        line
        for path in (ROOT / "audit").rglob("*.py")
        for line in path.read_text().splitlines()
        if re.match(r"\s*(from|import) (api|crm|interactions|jobs|segments)\b", line)
    ]
    assert imports == []


#: The most lines a module of an app may hold (migrations aside): past this, a module holds
#: several reasons to change and should be split along them (docs/architecture.md).
MODULE_LINES = 500


def test_no_module_of_an_app_outgrows_one_reason_to_change():
    """Issue 12: no module of crm/, interactions/, jobs/, segments/ is over 500 lines."""
    too_long = {
        str(path.relative_to(ROOT)): lines
        for app in ("crm", "interactions", "jobs", "segments", "audit", "api")
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MODULE_LINES
    }
    assert not too_long, f"split these along their concerns: {too_long}"
