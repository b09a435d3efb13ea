"""What an entry's merge data keeps (docs/merge-data.md): only the values its letter can
use, read from the fields of the document it is merged from; and the letter rendered from
that snapshot later is byte for byte the letter of logging time."""

import datetime
import io
import zipfile
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.models import CompanyInformation, Contact
from crm.services import erase_contact, export_contact_data
from interactions import delivery, letters
from interactions.letters import core
from interactions.models import InteractionLogEntry
from segments import services
from segments.merge import MERGE_DATA_FIELDS, merge_values
from segments.models import SegmentLanguage, SegmentLine
from tests.factories import (
    ContactFactory,
    InteractionTemplateFactory,
    InteractionTemplateLanguageFactory,
    SalespersonFactory,
    SalutationFormulaFactory,
    SegmentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

#: Word matches field names regardless of case: «contactname» is ContactName. EntryNo is
#: filled at render time and NoSuchField is no merge field: neither has a value to keep.
ENGLISH = [
    "«MailingAddress»",
    "«DocumentDate»",
    "Dear «contactname»,",
    "«PersonalNote»",
    "Ref. «EntryNo» «NoSuchField»",
    "«SalespersonName»",
]
ENGLISH_FIELDS = {
    "ContactName",
    "MailingAddress",
    "SalespersonName",
    "DocumentDate",
    "PersonalNote",
}
NORWEGIAN = ["«FormalSalutation»", "Hilsen «OurName»"]
NORWEGIAN_FIELDS = {"FormalSalutation", "OurName"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def template(db):
    template = InteractionTemplateFactory(default_language="en", correspondence_type="hard_copy")
    for language, paragraphs in [("en", ENGLISH), ("nb", NORWEGIAN)]:
        InteractionTemplateLanguageFactory(
            template=template,
            language=language,
            subject=f"Subject {language}",
            document=ContentFile(letters.build_document(paragraphs), name=f"{language}.docx"),
        )
    return template


@pytest.fixture
def segment(template, user):
    CompanyInformation(name="Cronus AS", address="Torget 1", country="NO").save()
    return SegmentFactory(
        interaction_template=template,
        salesperson=SalespersonFactory(name="Kari Selger", email="kari@example.com"),
        date=datetime.date(2026, 11, 28),
        created_by=user,
    )


def add(segment, n, *, personal_note="", **contact):
    formula = SalutationFormulaFactory(language="nb", formal="Kjære {first_name} {surname}")
    contact.setdefault("salutation", formula.salutation)
    return SegmentLine.objects.create(
        segment=segment,
        line_no=n * 10000,
        contact=ContactFactory(**contact),
        personal_note=personal_note,
    )


def log(segment, user, **options) -> list[InteractionLogEntry]:
    logged = services.log_segment(segment, user=user, **options)
    return list(logged.entries.order_by("entry_no"))


def test_each_entry_keeps_only_the_fields_its_document_uses(segment, user):
    add(segment, 1, name="Ann Smith", language="en", personal_note="See you")
    add(segment, 2, first_name="Kari", surname="Nordmann", language="nb")
    add(segment, 3, name="Hans Muster", language="de")  # the template's default: English
    own = add(segment, 4, language="en")
    own.document.save("own.docx", ContentFile(letters.build_document(["Only «ContactNo»"])))

    entries = log(segment, user)

    assert [set(entry.merge_data) for entry in entries] == [
        ENGLISH_FIELDS,
        NORWEGIAN_FIELDS,
        ENGLISH_FIELDS,
        {"ContactNo"},
    ]
    assert entries[0].merge_data["ContactName"] == "Ann Smith"
    assert entries[0].merge_data["PersonalNote"] == "See you"
    assert entries[0].merge_data["DocumentDate"] == "28 November 2026"
    assert entries[0].merge_data["SalespersonName"] == "Kari Selger"
    assert entries[1].merge_data == {
        "FormalSalutation": "Kjære Kari Nordmann",
        "OurName": "Cronus AS",
    }
    assert entries[3].merge_data == {"ContactNo": own.contact.no}


def test_the_segments_own_copy_decides_the_fields(segment, user):
    SegmentLanguage.objects.create(
        segment=segment,
        language="en",
        document=ContentFile(letters.build_document(["«City» «Subject»"]), name="copy.docx"),
    )
    add(segment, 1, language="en", city="Bergen")
    add(segment, 2, language="nb", first_name="Kari", surname="Nordmann")

    entries = log(segment, user)

    assert entries[0].merge_data == {"City": "Bergen", "Subject": "Subject en"}
    assert set(entries[1].merge_data) == NORWEGIAN_FIELDS


def test_an_entry_without_a_letter_keeps_no_merge_data(user):
    template = InteractionTemplateFactory(correspondence_type="hard_copy")
    InteractionTemplateLanguageFactory(template=template, language="en", subject="Call")
    segment = SegmentFactory(
        interaction_template=template,
        salesperson=SalespersonFactory(),
        date=datetime.date(2026, 11, 28),
        created_by=user,
    )
    add(segment, 1, language="en")
    add(segment, 2, language="nb")

    entries = log(segment, user)

    assert [entry.merge_data for entry in entries] == [{}, {}]
    assert [entry.subject for entry in entries] == ["Call", "Call"]  # columns stay whole
    assert [entry.document.name for entry in entries] == ["", ""]


def test_a_document_that_cannot_be_read_keeps_every_field(segment, user):
    """Logging never fails on a letter: one missing from storage keeps the full snapshot."""
    line = add(segment, 1, language="en")
    SegmentLine.objects.filter(pk=line.pk).update(document="letters/gone.docx")

    (entry,) = log(segment, user)

    assert set(entry.merge_data) == set(MERGE_DATA_FIELDS)
    assert entry.document.name == "letters/gone.docx"


@pytest.mark.parametrize("attached", [False, True])
def test_a_delivered_email_keeps_what_its_message_reads(segment, template, user, attached):
    """Recipient and reply-to address, and the message text when the letter is attached
    (``delivery._message``): on email entries only, and only when delivering."""
    template.correspondence_type = "email"
    template.save()
    segment.send_as_attachment = attached
    segment.save()
    add(segment, 1, language="nb", personal_note="Hei", email="kari@nordmann.no")
    add(segment, 2, language="nb", correspondence_type="hard_copy")

    emailed, printed = log(segment, user, deliver=True)

    extra = {"Email": "kari@nordmann.no", "SalespersonEmail": "kari@example.com"}
    if attached:
        extra["PersonalNote"] = "Hei"
    assert set(emailed.merge_data) == {*NORWEGIAN_FIELDS, *extra}
    assert {name: emailed.merge_data[name] for name in extra} == extra
    assert set(printed.merge_data) == NORWEGIAN_FIELDS


def test_logging_without_delivery_keeps_no_delivery_fields(segment, template, user):
    template.correspondence_type = "email"
    template.save()
    add(segment, 1, language="nb")

    (entry,) = log(segment, user)

    assert set(entry.merge_data) == NORWEGIAN_FIELDS


def test_each_document_is_prepared_once_for_logging_and_its_letters(segment, user):
    """The fields come from the prepared letter the letters are then rendered from: no
    document is parsed twice, and the entries are still one INSERT ... SELECT."""
    for n in range(1, 21):
        add(segment, n, language="en" if n % 2 else "nb")
    letters.forget_prepared()
    with (
        mock.patch("interactions.letters.core.prepare", wraps=core.prepare) as prepare,
        CaptureQueriesContext(connection) as queries,
    ):
        entries = log(segment, user)
        for entry in entries:
            delivery.entry_letter(entry)
    assert prepare.call_count == 2  # English and Norwegian
    assert {frozenset(entry.merge_data) for entry in entries} == {
        frozenset(ENGLISH_FIELDS),
        frozenset(NORWEGIAN_FIELDS),
    }
    # (The statistics' summaries are inserts too, selecting from the entries.)
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT INTO")]
    assert len([sql for sql in inserts if 'INTO "interactions_interactionlogentry"' in sql]) == 1


def rendered_in_full(segment) -> dict[int, tuple[bytes, dict]]:
    """Per contact: the document and every merge value of its line, before logging."""
    rows = merge_values(SegmentLine.objects.filter(segment=segment).with_effective_values())
    found = {}
    for row in rows.values("contact_id", "effective_document", "merge_data"):
        with open_document(row["effective_document"]) as stored:
            found[row["contact_id"]] = (stored.read(), row["merge_data"])
    return found


def open_document(name: str):
    return default_storage.open(name, "rb")


def test_a_letter_downloaded_again_after_everything_changed_is_the_letter_of_logging_time(
    segment, template, user
):
    """Byte for byte: the reduced snapshot renders what the full merge data rendered, and
    nothing that changes later (contact, salesperson, our company, the template's
    document) reaches a letter already logged."""
    add(segment, 1, name="Ann Smith", language="en", personal_note="See you", address="Gate 1")
    add(segment, 2, first_name="Kari", surname="Nordmann", language="nb")
    own = add(segment, 3, language="en")
    own.document.save("own.docx", ContentFile(letters.build_document(["«Address» «EntryNo»"])))
    before = rendered_in_full(segment)

    entries = log(segment, user)

    expected = []
    for entry in entries:
        document, merge = before[entry.contact_id]
        values = delivery.letter_values(merge, contact_id=entry.contact_id, entry_no=entry.pk)
        expected.append(letters.render(document, values))
    assert [delivery.entry_letter(entry) for entry in entries] == expected

    Contact.objects.filter(pk__in=[e.contact_id for e in entries]).update(
        name="Changed", first_name="Changed", address="Elsewhere 9", city="Bergen"
    )
    segment.salesperson.name = "Someone Else"
    segment.salesperson.save()
    CompanyInformation(name="New name AS", country="SE").save()
    version = template.languages.get(language="en")
    version.document = ContentFile(letters.build_document(["New «ContactName»"]), "v2.docx")
    version.save()

    assert [delivery.entry_letter(entry) for entry in entries] == expected


def test_the_subject_access_export_re_renders_the_logged_letter(segment, user):
    line = add(segment, 1, name="Ann Smith", language="en", personal_note="See you")
    (entry,) = log(segment, user)
    letter = delivery.entry_letter(entry)
    Contact.objects.filter(pk=line.contact_id).update(address="Moved 2")

    stream = io.BytesIO()
    export_contact_data(line.contact, stream)

    with zipfile.ZipFile(stream) as archive:
        assert archive.read(f"letters/{entry.pk}.docx") == letter


def test_erasure_blanks_the_personal_values_an_entry_kept_and_adds_none(segment, user):
    line = add(segment, 1, first_name="Kari", surname="Nordmann", language="nb")
    own = add(segment, 2, language="en", name="Per Hansen")
    own.document.save("own.docx", ContentFile(letters.build_document(["«ContactNo» «City»"])))
    kari, per = log(segment, user)
    admin = UserFactory(username="eraser", is_staff=True, is_superuser=True)

    erase_contact(line.contact, user=admin, reason="Asked")
    erase_contact(own.contact, user=admin, reason="Asked")

    kari.refresh_from_db()
    per.refresh_from_db()
    assert kari.merge_data == {"FormalSalutation": "", "OurName": "Cronus AS"}
    assert per.merge_data == {"ContactNo": own.contact.no, "City": ""}
