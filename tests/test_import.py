"""Contacts import (and export) with companies, persons and mailing groups: command and admin."""

import io

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


def admin_import(client, path):
    """Upload through the admin's import view; returns the preview response."""
    with open(path, "rb") as upload:
        return client.post(
            reverse("admin:crm_contact_import"),
            {"import_file": upload, "format": "0", "resource": "0"},
        )


def test_admin_import_previews_then_imports(admin_client, tmp_path):
    assert admin_client.get(reverse("admin:crm_contact_import")).status_code == 200
    preview = admin_import(admin_client, csv_file(tmp_path, GOOD))
    assert preview.status_code == 200
    assert not Contact.objects.exists()  # the preview is a dry run
    confirm = preview.context["confirm_form"]
    response = admin_client.post(
        reverse("admin:crm_contact_process_import"), confirm.initial, follow=True
    )
    assert response.status_code == 200
    assert_imported()


def test_admin_import_lists_row_errors_and_imports_nothing(admin_client, tmp_path):
    rows = [*GOOD, "P9,robot,R2D2,,,,Oslo,NO,en,,"]
    preview = admin_import(admin_client, csv_file(tmp_path, rows))
    assert preview.status_code == 200
    content = preview.content.decode()
    assert "Value &#x27;robot&#x27; is not a valid choice." in content
    assert preview.context.get("confirm_form") is None
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
    from crm.management.commands.seed_demo import wipe_demo_data

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
