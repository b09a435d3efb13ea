"""The right to erasure (SPEC 9): ``crm.services.erase_contact``.

The scan test looks for the contact's former name, email and phone in every column of
every table and in every stored file (inside ``.docx`` zips too). Run on both databases:
``scripts/with-postgres.sh .venv/bin/python -m pytest tests/crm/test_erasure.py``.
"""

import datetime
import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from crm.models import CompanyInformation, Contact, ErasureRecord
from crm.services import ErasureError, erase_contact
from interactions import letters
from interactions import services as interaction_services
from interactions.models import InteractionDraft, InteractionLogEntry
from segments import services as segment_services
from segments.models import RemovedLine, SegmentLine
from tests.factories import (
    ContactFactory,
    InteractionTemplateFactory,
    InteractionTemplateLanguageFactory,
    SalespersonFactory,
    SegmentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NAME = "Zebulon Quixtar"
EMAIL = "zq.private@example.org"
PHONE = "99887766"
NEEDLES = [NAME.lower(), "quixtar", "zebulon", EMAIL, PHONE]
LETTER = [
    "Dear «ContactName»,",
    "«MailingAddress»",
    "«Email» «Phone» «MobilePhone»",
    "«FormalSalutation»",
    "«PersonalNote»",
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def admin():
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def template():
    template = InteractionTemplateFactory(unit_cost=3, unit_duration=10)
    InteractionTemplateLanguageFactory(
        template=template,
        language="en",
        document=ContentFile(letters.build_document(LETTER), name="en.docx"),
    )
    return template


@pytest.fixture
def person():
    return ContactFactory(
        name=NAME,
        first_name="Zebulon",
        surname="Quixtar",
        initials="ZQ",
        email=EMAIL,
        phone=PHONE,
        mobile_phone=f"+47 {PHONE}",
        address="Quixtar gate 1",
        post_code="0150",
        home_page="https://quixtar.example.org",
        salesperson=SalespersonFactory(),
    )


def personal_document(text: str) -> SimpleUploadedFile:
    paragraphs = [text, "«ContactName» «Email»", "«ContactNo» «SegmentNo»"]
    return SimpleUploadedFile("mine.docx", letters.build_document(paragraphs), content_type="x")


def segment_with(contact, template, admin, *others):
    segment = SegmentFactory(
        interaction_template=template,
        salesperson=SalespersonFactory(),
        date=datetime.date(2026, 11, 2),
        created_by=admin,
        description="Autumn letter",
    )
    for other in (contact, *others):
        segment_services.add_line(segment, contact=other, user=admin)
    return segment


def history(person, template, admin, media):
    """The contact everywhere: logged entries, lines, snapshots, drafts, stored files."""
    CompanyInformation(name="Cronus AS", country="NO").save()
    other = ContactFactory(name="Other Keeper", salesperson=person.salesperson)
    logged_first = segment_with(person, template, admin, other)
    line = logged_first.lines.get(contact=person)
    segment_services.set_line_values(line, personal_note="For Zebulon only", user=admin)
    segment_services.set_line_document(
        line, upload=personal_document("Zebulon Quixtar, private"), user=admin
    )
    segment_services.log_segment(logged_first, user=admin)
    interaction_services.log_interaction(
        person,
        template=template,
        user=admin,
        description="Call",
        attachment=SimpleUploadedFile("notes.txt", b"Quixtar said yes", content_type="text/plain"),
    )
    unlogged = segment_with(person, template, admin, other)
    line = unlogged.lines.get(contact=person)
    segment_services.set_line_values(line, personal_note="Zebulon again", user=admin)
    segment_services.set_line_document(
        line, upload=personal_document("Quixtar draft letter"), user=admin
    )
    snapshot = segment_with(person, template, admin)
    line = snapshot.lines.get(contact=person)
    segment_services.set_line_values(line, personal_note="Quixtar removed", user=admin)
    segment_services.remove_line(line, user=admin)
    InteractionDraft.objects.create(
        contact=person,
        template=template,
        created_by=admin,
        personal_note="Quixtar",
        attachment=ContentFile(b"Zebulon draft", name="draft.txt"),
    )
    return {"other": other, "unlogged": unlogged, "snapshot": snapshot}


def statistics():
    return [
        (row.code, row.interactions, row.cost, row.duration)
        for row in interaction_services.template_statistics()
    ]


def found_in_database() -> list[str]:
    """Every (table, column) in which a needle still occurs, in any column of any table."""
    hits = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table.startswith("sqlite_"):
                continue
            for column in connection.introspection.get_table_description(cursor, table):
                text = f"LOWER(CAST({quote(column.name)} AS TEXT))"
                condition = " OR ".join(f"{text} LIKE %s" for _ in NEEDLES)
                cursor.execute(
                    f"SELECT COUNT(*) FROM {quote(table)} WHERE {condition}",
                    [f"%{needle}%" for needle in NEEDLES],
                )
                if cursor.fetchone()[0]:
                    hits.append(f"{table}.{column.name}")
    return hits


def found_in_files(root: Path) -> list[str]:
    """Every stored file (or member of a stored zip) in which a needle occurs."""
    hits = []
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        contents = [path.read_bytes()]
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                contents += [archive.read(name) for name in archive.namelist()]
        if any(needle.encode() in content.lower() for content in contents for needle in NEEDLES):
            hits.append(str(path.relative_to(root)))
    return hits


def test_erasure_leaves_no_personal_value_anywhere_and_statistics_unchanged(
    person, template, admin, media
):
    made = history(person, template, admin, media)
    assert found_in_database() and found_in_files(media)  # the scan does find them
    before = statistics()
    other_entries = list(
        InteractionLogEntry.objects.filter(contact=made["other"]).values(
            "contact_name", "merge_data", "document"
        )
    )

    record = erase_contact(person, user=admin, reason="Asked by phone, ticket 42")

    assert found_in_database() == []
    assert found_in_files(media) == []
    assert statistics() == before
    person.refresh_from_db()
    assert (person.name, person.email, person.phone, person.first_name, person.erased) == (
        f"Erased contact {person.no}",
        "",
        "",
        "",
        True,
    )
    assert person.privacy_blocked  # never added to a segment again
    entries = InteractionLogEntry.objects.filter(contact=person)
    assert entries.count() == 2
    assert set(entries.values_list("contact_name", "document", "attachment")) == {("", "", "")}
    assert {e.date for e in entries} == {datetime.date(2026, 11, 2), datetime.date.today()}
    # The values its personalised letter used: the personal ones blanked, what is not
    # personal stays, and no field is added.
    merge_data = entries.get(logged_segment__isnull=False).merge_data
    assert merge_data == {
        "ContactName": "",
        "Email": "",
        "ContactNo": person.no,
        "SegmentNo": merge_data["SegmentNo"],
    }
    assert merge_data["SegmentNo"]
    # The single interaction's letter is the template's: its personal values, all blanked.
    single = entries.get(logged_segment__isnull=True).merge_data
    assert set(single) == {
        "ContactName",
        "MailingAddress",
        "Email",
        "Phone",
        "MobilePhone",
        "FormalSalutation",
        "PersonalNote",
    }
    assert set(single.values()) == {""}
    # Everyone else's history is untouched.
    assert (
        list(
            InteractionLogEntry.objects.filter(contact=made["other"]).values(
                "contact_name", "merge_data", "document"
            )
        )
        == other_entries
    )
    assert made["unlogged"].lines.filter(contact=made["other"]).exists()
    assert not SegmentLine.objects.filter(contact=person).exists()
    assert not RemovedLine.objects.filter(contact=person).exists()
    assert not InteractionDraft.objects.filter(contact=person).exists()
    assert (record.contact_no, record.reason, record.created_by) == (
        person.no,
        "Asked by phone, ticket 42",
        admin,
    )
    assert record.counts["interaction_log_entries"] == 2
    assert record.counts["segment_lines"] == 1
    assert record.counts["files"] == 4  # two line letters, an attachment, a draft's
    assert ErasureRecord.objects.get() == record


def test_going_back_cannot_restore_an_erased_contact(person, template, admin, media):
    made = history(person, template, admin, media)
    unlogged, snapshot = made["unlogged"], made["snapshot"]
    erase_contact(person, user=admin, reason="Request")
    last = unlogged.actions.order_by("-seq").first()
    assert (last.action, last.removed, last.manual) == ("reduce", 1, True)
    for segment in (unlogged, snapshot):
        while segment.actions.exists():
            segment_services.go_back(segment, user=admin)
        assert not SegmentLine.objects.filter(contact=person).exists()


def test_erasure_writes_one_audit_row_on_the_contact_and_one_per_segment_it_left(
    person, template, admin, media
):
    """Issue 12: erasure is a state change like any other: who erased, with the counts;
    each unlogged segment the contact left says so on its own page."""
    import audit

    unlogged = segment_with(person, template, admin, ContactFactory())
    name = person.name
    erase_contact(person, user=admin, reason="Request")
    [row] = audit.history(person)
    assert (row.action, row.user) == ("contact_erased", admin)
    assert row.details["segment_lines"] == 1
    assert [(r.action, r.user) for r in audit.history(unlogged)][0] == (
        "contact_left_segment",
        admin,
    )
    assert name not in row.object_repr


def test_erasure_needs_the_permission_and_a_reason(person, admin):
    manager = UserFactory(groups=["Marketing manager"])
    with pytest.raises(PermissionDenied):
        erase_contact(person, user=manager, reason="Request")
    with pytest.raises(ErasureError, match="reason"):
        erase_contact(person, user=admin, reason="  ")
    person.refresh_from_db()
    assert (person.name, person.erased, ErasureRecord.objects.count()) == (NAME, False, 0)
    erase_contact(person, user=admin, reason="Request")
    with pytest.raises(ErasureError, match="already been erased"):
        erase_contact(person, user=admin, reason="Again")


def test_a_failing_scrubber_leaves_everything_as_it_was(person, template, admin, media):
    history(person, template, admin, media)
    from crm.services import ERASURE_SCRUBBERS

    def broken(erasure):
        raise ErasureError("broken", code="broken")

    ERASURE_SCRUBBERS.append(broken)
    try:
        with pytest.raises(ErasureError):
            erase_contact(person, user=admin, reason="Request")
    finally:
        ERASURE_SCRUBBERS.remove(broken)
    person.refresh_from_db()
    assert person.name == NAME
    assert InteractionLogEntry.objects.filter(contact=person, contact_name=NAME).count() == 2
    assert SegmentLine.objects.filter(contact=person).count() == 1
    assert found_in_files(media)


def test_an_erased_contacts_letter_says_it_was_erased(person, template, admin, client):
    entry = interaction_services.log_interaction(person, template=template, user=admin)
    erase_contact(person, user=admin, reason="Request")
    client.force_login(admin)
    response = client.get(f"/interactions/entries/{entry.pk}/letter/", follow=True)
    assert response.status_code == 200
    assert "erased" in response.content.decode()
    assert response.get("Content-Type", "").startswith("text/html")
    card = client.get(person.get_absolute_url())
    assert "has been erased" in card.content.decode()


def test_export_contact_data_writes_the_subject_access_zip(person, template, admin, media):
    from crm.services import export_contact_data

    history(person, template, admin, media)
    stream = io.BytesIO()
    export_contact_data(person, stream)
    with zipfile.ZipFile(stream) as archive:
        names = archive.namelist()
        data = archive.read("contact.json").decode()
        csv = archive.read("entries.csv").decode().splitlines()
        letter = [name for name in names if name.startswith("letters/")]
        first_letter = archive.read(letter[0])
    assert {"contact.json", "entries.csv"} <= set(names)
    assert NAME in data and EMAIL in data and '"consent_events"' in data
    assert csv[0].startswith("entry_no,date,")
    assert len(csv) == 3  # a header and the two entries
    assert len(letter) == 2 and letter[0].endswith(".docx")
    with zipfile.ZipFile(io.BytesIO(first_letter)) as docx:
        assert b"Zebulon Quixtar" in docx.read("word/document.xml")
    assert Contact.objects.get(pk=person.pk).name == NAME  # reading changes nothing


def test_the_erase_page_erases_with_a_reason_for_administrators_only(person, admin, client):
    manager = UserFactory(groups=["Marketing manager"])
    client.force_login(manager)
    assert client.post(f"/contacts/{person.pk}/erase/", {"reason": "x"}).status_code == 403
    card = client.get(person.get_absolute_url()).content.decode()
    assert 'id="erase-contact"' not in card and 'id="export-personal-data"' in card
    client.force_login(admin)
    response = client.post(f"/contacts/{person.pk}/erase/", {"reason": ""})
    assert response.status_code == 200
    person.refresh_from_db()
    assert not person.erased
    response = client.post(f"/contacts/{person.pk}/erase/", {"reason": "Request 7"}, follow=True)
    person.refresh_from_db()
    assert person.erased and ErasureRecord.objects.get().reason == "Request 7"
    assert f"Erased contact {person.no}" in response.content.decode()


def test_the_card_downloads_the_subject_access_zip(person, client):
    client.force_login(UserFactory(groups=["Marketing manager"]))
    response = client.get(f"/contacts/{person.pk}/personal-data/")
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        assert EMAIL in archive.read("contact.json").decode()
    client.force_login(UserFactory(groups=["Marketing staff"]))
    assert client.get(f"/contacts/{person.pk}/personal-data/").status_code == 403


def test_the_export_command_writes_the_zip_or_refuses_an_unknown_contact(person, tmp_path):
    from django.core.management import CommandError, call_command

    target = tmp_path / "out.zip"
    call_command("export_contact_data", person.no, str(target), stderr=io.StringIO())
    with zipfile.ZipFile(target) as archive:
        assert {"contact.json", "entries.csv"} <= set(archive.namelist())
    with pytest.raises(CommandError, match="There is no contact CT999999"):
        call_command("export_contact_data", "CT999999", str(target))


def test_the_contact_admin_action_opens_the_erase_page_for_one_contact(person, admin, client):
    client.force_login(admin)
    url = "/admin/crm/contact/"
    response = client.post(url, {"action": "erase_contact", "_selected_action": [person.pk]})
    assert response.status_code == 302
    assert response["Location"] == f"/contacts/{person.pk}/erase/"
    other = ContactFactory()
    response = client.post(
        url, {"action": "erase_contact", "_selected_action": [person.pk, other.pk]}, follow=True
    )
    assert "Select exactly one contact to erase." in response.content.decode()
    person.refresh_from_db()
    assert not person.erased
