"""The contact import at volume (issue 16): 10,000-row files, every bad row reported and
nothing written, set-based writes of contacts, memberships and consent events, numbers
from the series, dry runs, updates by number."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEntry
from crm.models import ConsentEvent, Contact, NumberSeries
from crm.services.importing import import_contacts
from tests.factories import ContactFactory, MailingGroupFactory, SalespersonFactory

pytestmark = pytest.mark.django_db

HEADER = [
    "no",
    "type",
    "name",
    "first_name",
    "surname",
    "company",
    "city",
    "country",
    "email",
    "salesperson",
    "mailing_groups",
    "email_opt_out",
    "letter_opt_out",
    "phone_opt_out",
]
ROWS = 10_000
# Row number (1 = the first row under the header) -> (column, bad value, message).
BAD = {
    1234: ("email", "kari.nordmann@", "Enter a valid email address."),
    2345: ("country", "Narnia", "Narnia is not a country; give its two-letter ISO code, e.g. NO."),
    3456: (
        "name",
        "N" * 101,
        "Ensure this value has at most 100 characters (it has 101).",
    ),
    4567: ("mailing_groups", "NEWS|XMAS", "There is no mailing group with code “XMAS”."),
    5678: ("name", "", "This field cannot be blank."),
}


@pytest.fixture(autouse=True)
def reference_data():
    MailingGroupFactory(code="NEWS")
    MailingGroupFactory(code="EVENTS")
    SalespersonFactory(code="AH")


def rows(count: int = ROWS, bad: dict | None = None) -> list[list[str]]:
    """A company every tenth row and its persons after it; every fifth person has no no.
    (the series numbers it); every 25th row opts out of email, every 40th of letters."""
    out = []
    company = ""
    for n in range(1, count + 1):
        consent = ["1" if n % 25 == 0 else "0", "1" if n % 40 == 0 else "", ""]
        groups = ["", "NEWS", "NEWS|EVENTS"][n % 3]
        if n % 10 == 1:
            company = f"C{n:05d}"
            row = [company, "company", f"Company {n} AS", "", "", "", "Oslo", "NO"]
        else:
            no = "" if n % 5 == 0 else f"P{n:05d}"
            row = [no, "person", f"Kari Nordmann {n}", "Kari", "Nordmann", company, "Oslo", "no"]
        row += [f"kari{n}@example.com", "AH", groups, *consent]
        for number, (column, value, _message) in (bad or {}).items():
            if number == n:
                row[HEADER.index(column)] = value
        out.append(row)
    return out


def write(tmp_path, data: list[list[str]], name="contacts.csv"):
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(data)
    return path


def memberships() -> int:
    return Contact.mailing_groups.through.objects.count()


def totals() -> tuple:
    return (
        Contact.objects.count(),
        ConsentEvent.objects.count(),
        memberships(),
        AuditEntry.objects.count(),
        NumberSeries.objects.filter(code="CONTACT").values_list("last_no", flat=True).first(),
    )


def existing_data():
    """A contact with history before the import, so 'unchanged' means something."""
    contact = ContactFactory(no="OLD1")
    from crm import services

    services.set_consent(contact, channel="email", granted=False, source="staff")


def test_five_bad_rows_in_ten_thousand_are_all_reported_and_nothing_is_imported(tmp_path):
    existing_data()
    before = totals()
    path = write(tmp_path, rows(bad=BAD))
    err = io.StringIO()
    with pytest.raises(CommandError, match="contacts.csv: 5 problem.s.; nothing was imported"):
        call_command("import_contacts", str(path), stdout=io.StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [
        f"Row {number}, {column}: {message}" for number, (column, _v, message) in BAD.items()
    ]
    assert totals() == before

    with path.open("rb") as handle:
        report = import_contacts(handle, "csv")
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (number, column, message) for number, (column, _v, message) in BAD.items()
    ]
    assert report.rows == ROWS and not report.imported
    assert totals() == before


def test_ten_thousand_good_rows_import_with_consent_events_and_memberships(tmp_path, admin_user):
    existing_data()
    before = totals()
    path = write(tmp_path, rows())
    with path.open("rb") as handle:
        report = import_contacts(handle, "csv", user=admin_user)
    assert (report.new, report.updated, report.unchanged, report.errors) == (ROWS, 0, 0, [])

    assert Contact.objects.count() == before[0] + ROWS
    # Persons without a no. took the series' numbers, in file order.
    blank = [n for n in range(1, ROWS + 1) if n % 10 != 1 and n % 5 == 0]
    assert NumberSeries.objects.get(code="CONTACT").last_no == (before[4] or 0) + len(blank)
    numbered = Contact.objects.filter(no__startswith="CT").order_by("no")
    assert numbered.count() == len(blank)
    assert numbered.first().name == f"Kari Nordmann {blank[0]}"
    assert numbered.last().name == f"Kari Nordmann {blank[-1]}"
    # Companies are their own company; persons work for the company above them.
    company = Contact.objects.get(no="C00011")
    assert company.company_id == company.pk and company.company_name == "Company 11 AS"
    person = Contact.objects.get(no="P00012")
    assert (person.company_id, person.company_name) == (company.pk, "Company 11 AS")
    assert person.country == "NO" and person.salesperson.code == "AH"
    assert sorted(person.mailing_groups.values_list("code", flat=True)) == []
    assert sorted(
        Contact.objects.get(no="P00013").mailing_groups.values_list("code", flat=True)
    ) == ["NEWS"]
    assert memberships() == before[2] + sum(n % 3 for n in range(1, ROWS + 1))

    # Consent: an event with source import for each opt-out, and the flag in step.
    events = ConsentEvent.objects.filter(source="import")
    assert events.filter(channel="email").count() == ROWS // 25
    assert events.filter(channel="letter").count() == ROWS // 40
    assert not events.filter(granted=True).exists()
    assert set(events.values_list("created_by", flat=True)) == {admin_user.pk}
    assert Contact.objects.filter(email_opt_out=True).count() == ROWS // 25 + 1  # OLD1
    assert Contact.objects.get(name="Kari Nordmann 25").email_opt_out is True
    assert report.consent_events == ROWS // 25 + ROWS // 40

    # One audit row for the import, counting it.
    entry = AuditEntry.objects.get(action="contacts_imported")
    assert (entry.user, entry.details["count"], entry.details["new"]) == (admin_user, ROWS, ROWS)
    assert AuditEntry.objects.count() == before[3] + 1

    # The same file again: every row is an existing contact (by no.) and nothing changes;
    # the persons without a no. are new again.
    with path.open("rb") as handle:
        again = import_contacts(handle, "csv")
    assert (again.new, again.updated, again.unchanged) == (len(blank), 0, ROWS - len(blank))


def test_a_dry_run_writes_nothing(tmp_path):
    existing_data()
    before = totals()
    out = io.StringIO()
    call_command("import_contacts", str(write(tmp_path, rows())), dry_run=True, stdout=out)
    assert (
        out.getvalue().strip() == f"Dry run, nothing imported: {ROWS} new, 0 updated, 0 unchanged."
    )
    assert totals() == before


def test_the_command_reports_the_counts(tmp_path):
    out = io.StringIO()
    call_command("import_contacts", str(write(tmp_path, rows(30))), stdout=out)
    assert "Imported contacts: 30 new, 0 updated, 0 unchanged." in out.getvalue()


def test_a_blank_no_takes_the_series_numbers_the_file_does_not_type(tmp_path):
    """Numbers are reserved after the whole file is read: a number the file types on a
    later row is never handed to an earlier row without one."""
    data = [
        ["", "company", "First AS", *[""] * 11],
        ["CT000002", "company", "Typed AS", *[""] * 11],
        ["", "company", "Third AS", *[""] * 11],
    ]
    call_command("import_contacts", str(write(tmp_path, data)), stdout=io.StringIO())
    assert dict(Contact.objects.values_list("name", "no")) == {
        "First AS": "CT000001",
        "Typed AS": "CT000002",
        "Third AS": "CT000003",
    }
    assert NumberSeries.objects.get(code="CONTACT").last_no == 3


def test_a_row_with_a_known_no_updates_that_contact(tmp_path):
    """Updates by number: the file's columns change, memberships are replaced, a consent
    change is recorded; a company's new name reaches its persons."""
    write_rows = [
        ["C1", "company", "Fabrikam AS", "", "", "", "Oslo", "NO", "", "", "", "", "", ""],
        ["P1", "person", "Kari", "Kari", "", "C1", "Oslo", "NO", "", "", "NEWS", "0", "", ""],
        ["P2", "person", "Ola", "Ola", "", "C1", "Oslo", "NO", "", "", "", "", "", ""],
    ]
    call_command("import_contacts", str(write(tmp_path, write_rows)), stdout=io.StringIO())
    write_rows[0][2] = "Fabrikam Group AS"
    write_rows[1][10] = "EVENTS"
    write_rows[1][11] = "1"
    out = io.StringIO()
    call_command("import_contacts", str(write(tmp_path, write_rows)), stdout=out)
    assert "0 new, 2 updated, 1 unchanged" in out.getvalue()
    kari = Contact.objects.get(no="P1")
    assert kari.company_name == "Fabrikam Group AS" and kari.email_opt_out is True
    assert list(kari.mailing_groups.values_list("code", flat=True)) == ["EVENTS"]
    assert Contact.objects.get(no="P2").company_name == "Fabrikam Group AS"
    assert list(
        ConsentEvent.objects.values_list("contact__no", "channel", "granted", "source")
    ) == [("P1", "email", False, "import")]


def test_imported_contacts_get_their_segment_sort_keys(tmp_path):
    """The import writes around Contact.save, so it computes the keys itself: for new and
    updated rows, and for the persons of a company whose new name the file brings."""
    from crm.models import segment_sort_key

    data = [
        ["C1", "company", "Fabrikam AS", *[""] * 11],
        ["P1", "person", "Kari", "Kari", "", "C1", *[""] * 8],
        ["", "person", "Ola", "Ola", "", "C1", *[""] * 8],
    ]
    call_command("import_contacts", str(write(tmp_path, data)), stdout=io.StringIO())
    data[0][2] = "Aker Fabrikam AS"
    data[1][5] = "C1"
    call_command("import_contacts", str(write(tmp_path, data[:1])), stdout=io.StringIO())
    rows = Contact.objects.values_list(
        "segment_sort_key", "company_name", "company__no", "type", "name", "no"
    )
    assert len(rows) == 3
    for key, company_name, company_no, kind, name, no in rows:
        assert company_name == "Aker Fabrikam AS"
        own_no = no if kind == "company" else company_no
        assert key == segment_sort_key(company_name, own_no, kind, name), no
