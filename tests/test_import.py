"""Contacts import (and export) with companies, persons and mailing groups: command and admin."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from crm.models import Contact
from tests.factories import MailingGroupFactory, SalespersonFactory

pytestmark = pytest.mark.django_db

HEADER = "no,type,name,first_name,surname,company,city,country,language,mailing_groups,salesperson"
GOOD = [
    "C1,company,Fabrikam AS,,,,Oslo,NO,nb,NEWS,AH",
    "P1,person,Kari Nordmann,Kari,Nordmann,C1,Oslo,NO,nb,NEWS|EVENTS,",
    "P2,person,Ola Nordmann,Ola,Nordmann,C1,Oslo,no,nb,,AH",
    "C2,company,Contoso Ltd,,,C2,London,GB,en,EVENTS,",
]


def make_reference_data():
    MailingGroupFactory(code="NEWS")
    MailingGroupFactory(code="EVENTS")
    SalespersonFactory(code="AH")


@pytest.fixture(autouse=True)
def reference_data():
    make_reference_data()


def csv_file(tmp_path, rows, name="contacts.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def assert_imported():
    fabrikam = Contact.objects.get(no="C1")
    assert fabrikam.type == "company"
    assert fabrikam.company_id == fabrikam.pk
    assert fabrikam.salesperson.code == "AH"
    kari = Contact.objects.get(no="P1")
    assert kari.company == fabrikam
    assert kari.company_name == "Fabrikam AS"
    assert sorted(kari.mailing_groups.values_list("code", flat=True)) == ["EVENTS", "NEWS"]
    assert Contact.objects.get(no="P2").country == "NO"
    contoso = Contact.objects.get(no="C2")
    assert contoso.company_id == contoso.pk
    assert Contact.objects.count() == 4


def test_command_imports_companies_persons_and_mailing_groups(tmp_path):
    out = io.StringIO()
    call_command("import_contacts", str(csv_file(tmp_path, GOOD)), stdout=out)
    assert "4 new" in out.getvalue()
    assert_imported()
    # The same file again changes nothing and duplicates nothing.
    out = io.StringIO()
    call_command("import_contacts", str(csv_file(tmp_path, GOOD)), stdout=out)
    assert "0 new" in out.getvalue()
    assert Contact.objects.count() == 4


def test_command_dry_run_imports_nothing(tmp_path):
    out = io.StringIO()
    call_command("import_contacts", str(csv_file(tmp_path, GOOD)), dry_run=True, stdout=out)
    assert "Dry run, nothing imported: 4 new" in out.getvalue()
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("bad_row", "problem"),
    [
        ("P3,robot,R2D2,,,,Oslo,NO,en,,", "Row 3, type: Value 'robot' is not a valid choice."),
        ("P3,person,Per,,,C9,Oslo,NO,en,,", "Row 3, company: There is no company contact"),
        ("P3,person,Per,,,,Oslo,NO,en,NEWS|XMAS,", "Row 3, mailing_groups: There is no mailing"),
        ("P3,person,Per,,,,Oslo,NOR,en,,", "Row 3, country:"),
        ("P3,person,Per,,,,Oslo,NO,en,,ZZ", "“ZZ”"),
    ],
)
def test_one_bad_row_imports_nothing_and_is_reported(tmp_path, bad_row, problem):
    rows = [*GOOD[:2], bad_row, *GOOD[2:]]
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_contacts", str(csv_file(tmp_path, rows)), stderr=err)
    assert problem in err.getvalue()
    assert "Row 1" not in err.getvalue()
    assert not Contact.objects.exists()


def test_command_names_unreadable_files(tmp_path):
    with pytest.raises(CommandError, match="use a .csv or .xlsx file"):
        call_command("import_contacts", str(tmp_path / "contacts.txt"))
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("import_contacts", str(tmp_path / "missing.csv"))


def admin_import(client, path, capture):
    """Upload through the admin's import page, which starts the import job; the job runs
    (the immediate task backend) once the upload's transaction commits."""
    with capture(execute=True), open(path, "rb") as upload:
        return client.post(reverse("admin:crm_contact_import"), {"import_file": upload})


def import_job():
    from jobs.models import Job

    return Job.objects.get(kind="contact_import")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_admin_import_runs_as_a_job_and_imports(
    admin_client, tmp_path, django_capture_on_commit_callbacks
):
    page = admin_client.get(reverse("admin:crm_contact_import"))
    assert page.status_code == 200 and 'name="import_file"' in page.content.decode()
    response = admin_import(
        admin_client, csv_file(tmp_path, GOOD), django_capture_on_commit_callbacks
    )
    job = import_job()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    assert job.state == "succeeded"
    assert (job.result["new"], job.result["errors"], job.done) == (4, [], 4)
    assert_imported()
    # The report is on the job page; the stored upload is gone.
    report = admin_client.get(job.get_absolute_url()).content.decode()
    assert "Contacts imported: 4 new, 0 updated, 0 unchanged." in report
    assert not list((tmp_path / "media" / "imports").iterdir())


def test_admin_import_lists_row_errors_and_imports_nothing(
    admin_client, tmp_path, django_capture_on_commit_callbacks
):
    rows = [*GOOD, "P9,robot,R2D2,,,,Oslo,NO,en,,"]
    admin_import(admin_client, csv_file(tmp_path, rows), django_capture_on_commit_callbacks)
    job = import_job()
    assert job.state == "failed"
    assert job.error == "contacts.csv: 1 problem(s); nothing was imported."
    assert job.result["errors"] == [[5, "type", "Value 'robot' is not a valid choice."]]
    page = admin_client.get(job.get_absolute_url()).content.decode()
    assert "Value &#x27;robot&#x27; is not a valid choice." in page
    assert not Contact.objects.exists()


def test_admin_export_round_trips_through_the_command(admin_client, tmp_path):
    call_command("import_contacts", str(csv_file(tmp_path, GOOD)), stdout=io.StringIO())
    response = admin_client.post(
        reverse("admin:crm_contact_export"),
        {"format": "0", "resource": "0", **{f"contactresource_{f}": "on" for f in FIELDS}},
    )
    assert response.status_code == 200
    exported = response.content.decode("utf-8-sig")
    assert "NEWS|EVENTS" in exported or "EVENTS|NEWS" in exported
    # A company is its own company (PROTECT), so contacts are emptied the way --reset does.
    from crm.demo import wipe_demo_data

    wipe_demo_data()
    make_reference_data()
    path = tmp_path / "export.csv"
    path.write_text(exported, encoding="utf-8")
    call_command("import_contacts", str(path), stdout=io.StringIO())
    assert_imported()


FIELDS = [
    "no",
    "type",
    "name",
    "first_name",
    "surname",
    "company",
    "company_name",
    "city",
    "country",
    "language",
    "salesperson",
    "mailing_groups",
]


# --- formula-safe export, and an import that reads it back unchanged (issue 11, item 2) -------

HOSTILE_TEXTS = {
    "P1": '=HYPERLINK("http://evil.io")',
    "P2": "+1+1",
    "P3": "-2+3",
    "P4": "@SUM(1)",
    "P5": "\tTabbed",
    "P6": "\rReturned",
    "P7": "'=already quoted",
    "P8": "'plain apostrophe",
    "P9": "==twice",
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EXPORT_FIELDS = [*FIELDS, "job_title", "phone", "address"]


def hostile_contacts() -> dict[str, dict]:
    for no, text in HOSTILE_TEXTS.items():
        Contact.objects.create(
            no=no,
            type="person",
            name=text,
            first_name=text,
            job_title=text,
            phone="+47 22 33 44 55",
            address=text,
            city=text,
            country="NO",
        )
    return contact_values()


def contact_values() -> dict[str, dict]:
    return {
        contact["no"]: contact
        for contact in Contact.objects.values(
            "no", "type", "name", "first_name", "job_title", "phone", "address", "city"
        )
    }


def admin_export(client, file_format: str) -> bytes:
    response = client.post(
        reverse("admin:crm_contact_export"),
        {
            "format": file_format,
            "resource": "0",
            **{f"contactresource_{f}": "on" for f in EXPORT_FIELDS},
        },
    )
    assert response.status_code == 200
    return response.content


def csv_cells(content: bytes) -> list[str]:
    import csv

    return [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]


def xlsx_cells(content: bytes) -> list:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(content))
    cells = [cell for row in book.active.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells), "a cell holds a live formula"
    return [cell.value for cell in cells]


def wipe_contacts():
    from crm.demo import wipe_demo_data

    wipe_demo_data()
    make_reference_data()
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("file_format", "suffix", "cells"), [("0", "csv", csv_cells), ("1", "xlsx", xlsx_cells)]
)
def test_admin_export_quotes_every_formula_and_the_command_imports_it_back_unchanged(
    admin_client, tmp_path, file_format, suffix, cells
):
    original = hostile_contacts()
    content = admin_export(admin_client, file_format)
    values = [value for value in cells(content) if isinstance(value, str)]
    live = [value for value in values if value.startswith(FORMULA_START)]
    assert live == []
    assert "'" + HOSTILE_TEXTS["P1"] in values
    assert "'+47 22 33 44 55" in values
    wipe_contacts()
    path = tmp_path / f"export.{suffix}"
    path.write_bytes(content)
    call_command("import_contacts", str(path), stdout=io.StringIO())
    assert contact_values() == original


@pytest.mark.parametrize(("file_format", "suffix"), [("0", "csv"), ("1", "xlsx")])
# Committed, as in use: the wipe's TRUNCATE (PostgreSQL) would otherwise hold the jobs
# table for the whole test, and the job's progress writes would each wait for it.
@pytest.mark.django_db(transaction=True)
def test_admin_export_imports_back_unchanged_through_the_admin(
    admin_client, tmp_path, file_format, suffix, django_capture_on_commit_callbacks
):
    original = hostile_contacts()
    content = admin_export(admin_client, file_format)
    wipe_contacts()
    path = tmp_path / f"export.{suffix}"
    path.write_bytes(content)
    admin_import(admin_client, path, django_capture_on_commit_callbacks)
    assert import_job().state == "succeeded"
    assert contact_values() == original


def test_the_segment_and_admin_exports_quote_with_the_same_writer():
    from crm.spreadsheets import read_cell, safe_cell

    for text in [*HOSTILE_TEXTS.values(), "Plain", "", "O'Brien"]:
        assert read_cell(safe_cell(text)) == text
        assert not str(safe_cell(text)).startswith(FORMULA_START)
    # A hand-written apostrophe the export did not add stays.
    assert read_cell("'Tis") == "'Tis"


# --- import rules: one number once, no control characters, unreadable files (item 7) ---------


def test_the_same_number_on_two_rows_is_an_error_naming_both(tmp_path):
    rows = [*GOOD, "P1,person,Kari Again,Kari,Nordmann,C1,Bergen,NO,nb,,"]
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_contacts", str(csv_file(tmp_path, rows)), stderr=err)
    assert err.getvalue().splitlines() == [
        "Row 5, no: Rows 2 and 5 have the same no. “P1”; a file may hold each contact once."
    ]
    assert not Contact.objects.exists()


def test_a_nul_in_a_name_is_refused_naming_row_and_column(tmp_path):
    rows = [*GOOD[:1], "P1,person,Kari\x00Nordmann,Kari,Nordmann,C1,Oslo,NO,nb,,"]
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_contacts", str(csv_file(tmp_path, rows)), stderr=err)
    assert "Row 2, name: contains a control character (U+0000); remove it." in err.getvalue()
    assert not Contact.objects.exists()


def test_a_garbage_xlsx_is_a_clean_error_with_exit_status_1(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "contacts.xlsx"
    path.write_bytes(b"this is not a workbook\x00\x01" * 20)
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, str(root / "manage.py"), "import_contacts", str(path)],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=120,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.strip() == (
        f"CommandError: {path} cannot be imported: it is not an Excel workbook (.xlsx)."
    )
    assert done.stdout == ""


# --- the hostile spreadsheet corpus against both imports (tests/fixtures/hostile) ------------

from tests.fixtures.hostile import make_hostile  # noqa: E402

SPREADSHEETS = make_hostile.spreadsheets()


@pytest.mark.parametrize("name", sorted(SPREADSHEETS))
def test_import_contacts_refuses_each_hostile_spreadsheet(tmp_path, name):
    content, expected = SPREADSHEETS[name]
    path = tmp_path / name
    path.write_bytes(content)
    err = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import_contacts", str(path), stdout=io.StringIO(), stderr=err)
    assert expected in str(refused.value) + err.getvalue()
    assert not Contact.objects.exists()


@pytest.mark.parametrize("name", sorted(SPREADSHEETS))
def test_admin_import_refuses_each_hostile_spreadsheet(
    admin_client, tmp_path, name, django_capture_on_commit_callbacks
):
    """A file that is not of its type is refused with the upload (no job, nothing stored);
    a readable file with bad rows fails its job, whose report names them."""
    from django.utils.html import escape

    from jobs.models import Job

    content, expected = SPREADSHEETS[name]
    path = tmp_path / name
    path.write_bytes(content)
    response = admin_import(admin_client, path, django_capture_on_commit_callbacks)
    job = Job.objects.filter(kind="contact_import").first()
    if job is None:
        assert response.status_code == 200
        assert escape(expected) in response.content.decode()
        assert not (tmp_path / "media" / "imports").exists()
    else:
        assert job.state == "failed"
        page = admin_client.get(job.get_absolute_url()).content.decode()
        assert escape(expected.split(": ", 1)[1]) in page
        assert expected.startswith("Row") or expected in job.error
    assert not Contact.objects.exists()


def test_admin_import_checks_the_upload_before_any_job_starts(
    admin_client, tmp_path, settings, django_capture_on_commit_callbacks
):
    """Type and size are checked with the upload: a refused file starts no job and is
    not stored."""
    from jobs.models import Job

    settings.CONTACT_IMPORT_MAX_BYTES = 50
    big = admin_import(admin_client, csv_file(tmp_path, GOOD), django_capture_on_commit_callbacks)
    assert "an import takes at most 50" in big.content.decode()
    settings.CONTACT_IMPORT_MAX_BYTES = 2**20
    text = tmp_path / "contacts.txt"
    text.write_text(HEADER + "\n" + GOOD[0] + "\n")
    foreign = admin_import(admin_client, text, django_capture_on_commit_callbacks)
    assert "“contacts.txt” is not a .csv or .xlsx file." in foreign.content.decode()
    assert not Job.objects.exists()
    assert not Contact.objects.exists()
    assert not (tmp_path / "media" / "imports").exists()


def test_the_old_row_by_row_confirmation_step_imports_nothing(admin_client, tmp_path):
    """django-import-export's process_import ran the whole file inside the request; it only
    leads back to the import page now."""
    response = admin_client.post(
        reverse("admin:crm_contact_process_import"),
        {"import_file_name": "x.csv", "original_file_name": "x.csv", "format": "0"},
    )
    assert response.status_code == 302
    assert response.url == reverse("admin:crm_contact_import")
    assert not Contact.objects.exists()
