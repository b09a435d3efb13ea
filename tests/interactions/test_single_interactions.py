"""Interactions with one contact (SPEC 7): log_interaction, drafts, notes, statistics."""

import datetime
import io
import zipfile
from decimal import Decimal

import docx
import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from crm.choices import CorrespondenceType
from interactions import delivery, letters, services
from interactions.choices import DeliveryStatus, Evaluation
from interactions.exceptions import InteractionError
from interactions.models import (
    InteractionDraft,
    InteractionLogEntry,
    InteractionNote,
    ReadOnlyRecordError,
)
from interactions.selectors import contact_statistics
from tests.factories import (
    CompanyFactory,
    ContactFactory,
    InteractionGroupFactory,
    InteractionTemplateFactory,
    InteractionTemplateLanguageFactory,
    SalespersonFactory,
    SalutationFormulaFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


def docx_bytes(main_part: bytes, *, macros: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        types = b'<Types><Override ContentType="' + main_part + b'"/></Types>'
        if macros:
            types += b"macroEnabled"
            archive.writestr("word/vbaProject.bin", b"x")
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("word/document.xml", b"<w:document/>")
    return out.getvalue()


DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def snapshot() -> dict:
    return {
        "entries": InteractionLogEntry.objects.count(),
        "notes": InteractionNote.objects.count(),
        "drafts": InteractionDraft.objects.count(),
    }


def test_log_interaction_takes_blank_values_from_the_template_and_defaults():
    """Description, cost, duration, flow, subject, group come from the template; the date
    is today and the salesperson the user's."""
    template = InteractionTemplateFactory(
        description="Phone call",
        unit_cost=Decimal("3.50"),
        unit_duration=Decimal("15"),
        information_flow="outbound",
        initiated_by="us",
        correspondence_type="",
    )
    InteractionTemplateLanguageFactory(template=template, language="en", subject="Our call")
    user = UserFactory()
    own = SalespersonFactory(user=user)
    contact = ContactFactory(salesperson=SalespersonFactory())

    entry = services.log_interaction(contact, template=template, user=user)

    entry.refresh_from_db()
    assert entry.logged_segment is None
    assert entry.segment_no == ""
    assert entry.contact == contact
    assert entry.contact_name == contact.name
    assert entry.description == "Phone call"
    assert entry.subject == "Our call"
    assert entry.cost == Decimal("3.50")
    assert entry.duration == Decimal("15")
    assert entry.information_flow == "outbound"
    assert entry.initiated_by == "us"
    assert entry.group_id == template.group_id
    assert entry.template == template
    assert entry.language == "en"
    assert entry.date == datetime.date.today()
    assert entry.salesperson == own
    assert entry.created_by == user
    assert entry.canceled is False
    # No letter: nothing to render again, so no merge data is kept.
    assert entry.merge_data == {}


def test_log_interaction_uses_the_contacts_salesperson_when_the_user_has_none():
    """Salesperson: given, else the user's, else the contact's."""
    contact = ContactFactory(salesperson=SalespersonFactory())
    entry = services.log_interaction(
        contact, template=InteractionTemplateFactory(), user=UserFactory()
    )
    assert entry.salesperson == contact.salesperson


def test_given_values_win_over_the_template():
    template = InteractionTemplateFactory(description="Call", unit_cost=2)
    salesperson = SalespersonFactory()
    entry = services.log_interaction(
        ContactFactory(),
        template=template,
        user=UserFactory(),
        description="Called about the offer",
        date=datetime.date(2026, 11, 3),
        salesperson=salesperson,
        cost=Decimal("0"),
        duration=Decimal("42"),
        information_flow="inbound",
        initiated_by="them",
        evaluation=Evaluation.POSITIVE,
        attempt_failed=True,
        subject="Offer",
        correspondence_type=CorrespondenceType.HARD_COPY,
    )
    entry.refresh_from_db()
    assert (entry.description, entry.date, entry.salesperson) == (
        "Called about the offer",
        datetime.date(2026, 11, 3),
        salesperson,
    )
    assert entry.cost == Decimal("0")
    assert entry.duration == Decimal("42")
    assert (entry.information_flow, entry.initiated_by) == ("inbound", "them")
    assert (entry.evaluation, entry.attempt_failed) == ("positive", True)
    assert entry.subject == "Offer"
    assert entry.correspondence_type == "hard_copy"


def test_correspondence_type_follows_the_contact_unless_the_template_ignores_it():
    template = InteractionTemplateFactory(correspondence_type=CorrespondenceType.EMAIL)
    contact = ContactFactory(correspondence_type=CorrespondenceType.HARD_COPY)
    user = UserFactory()
    SalespersonFactory(user=user)
    assert services.log_interaction(contact, template=template, user=user).correspondence_type == (
        "hard_copy"
    )
    template.ignore_contact_correspondence_type = True
    template.save()
    assert services.log_interaction(contact, template=template, user=user).correspondence_type == (
        "email"
    )


def test_an_email_to_a_contact_without_address_is_logged_without_correspondence_type():
    """As for a segment line: without delivery the entry is kept, with no type."""
    user = UserFactory()
    SalespersonFactory(user=user)
    entry = services.log_interaction(
        ContactFactory(email=""),
        template=InteractionTemplateFactory(correspondence_type="email"),
        user=user,
    )
    assert entry.correspondence_type == ""


def test_every_refusal_is_reported_at_once_and_nothing_is_written():
    """No salesperson, an invalid evaluation, a negative cost, a campaign, a bad
    attachment, a missing address and letter for delivery: one error lists them all."""
    contact = ContactFactory(email="")
    before = snapshot()
    with pytest.raises(InteractionError) as raised:
        services.log_interaction(
            contact,
            template=InteractionTemplateFactory(correspondence_type="email"),
            user=UserFactory(),
            evaluation="splendid",
            cost=Decimal("-1"),
            campaign=object(),
            attachment=SimpleUploadedFile("virus.exe", b"MZ\x90\x00\x03binary\x00"),
            deliver=True,
        )
    codes = {problem.code for problem in raised.value.problems}
    assert codes == {
        "no_salesperson",
        "no_email",
        "no_letter",
        "invalid_evaluation",
        "negative_cost",
        "invalid_campaign",
        "attachment_type",
    }
    message = raised.value.messages[0]
    assert contact.no in message
    assert "its campaign is not a campaign" in message
    assert "virus.exe" in message
    assert snapshot() == before


def test_a_blocked_salesperson_is_refused():
    contact = ContactFactory(salesperson=SalespersonFactory(blocked=True))
    with pytest.raises(InteractionError) as raised:
        services.log_interaction(contact, template=InteractionTemplateFactory(), user=UserFactory())
    assert [problem.code for problem in raised.value.problems] == ["blocked_salesperson"]
    assert InteractionLogEntry.objects.count() == 0


def test_the_letter_is_merged_for_the_contact_and_its_merge_data_kept():
    """The template language's document is the entry's, with the contact's values."""
    template = InteractionTemplateFactory()
    InteractionTemplateLanguageFactory(
        template=template, language="nb", subject="Tilbud", document="letters/nb.docx"
    )
    formula = SalutationFormulaFactory(language="nb", formal="Kjære {first_name} {surname}")
    contact = ContactFactory(
        language="nb", salutation=formula.salutation, first_name="Ingrid", surname="Aune"
    )
    user = UserFactory()
    SalespersonFactory(user=user, name="Kari Nordmann")

    entry = services.log_interaction(
        contact,
        template=template,
        user=user,
        date=datetime.date(2026, 11, 28),
        personal_note="Som avtalt",
    )

    entry.refresh_from_db()
    assert entry.language == "nb"
    assert entry.subject == "Tilbud"
    assert entry.document.name == "letters/nb.docx"
    assert entry.merge_data["FormalSalutation"] == "Kjære Ingrid Aune"
    assert entry.merge_data["DocumentDate"] == "28. november 2026"
    assert entry.merge_data["PersonalNote"] == "Som avtalt"
    assert entry.merge_data["SalespersonName"] == "Kari Nordmann"
    assert entry.merge_data["SegmentNo"] == ""
    assert entry.merge_data["Subject"] == "Tilbud"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("brochure.pdf", PDF),
        ("scan.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20),
        ("scan.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20),
        ("scan.tif", b"II*\x00" + b"\x00" * 20),
        ("scan.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 "),
        ("note.txt", "Hilsen fra Ålesund\n".encode()),
        ("offer.docx", docx_bytes(DOCX_MAIN)),
    ],
)
def test_an_attachment_is_checked_by_content_and_kept_on_the_entry(name, content):
    user = UserFactory()
    SalespersonFactory(user=user)
    entry = services.log_interaction(
        ContactFactory(),
        template=InteractionTemplateFactory(),
        user=user,
        attachment=SimpleUploadedFile(name, content),
    )
    entry.refresh_from_db()
    assert entry.attachment.name.endswith(name.rsplit(".", 1)[1])
    with entry.attachment.open("rb") as stored:
        assert stored.read() == content


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00", "attachment_type"),
        ("macro.docx", docx_bytes(DOCX_MAIN, macros=True), "attachment_type"),
        ("broken.docx", b"PK\x03\x04 not really a zip", "attachment_type"),
        ("empty.txt", b"", "attachment_empty"),
    ],
)
def test_an_attachment_of_a_refused_type_changes_nothing(name, content, code):
    user = UserFactory()
    SalespersonFactory(user=user)
    with pytest.raises(InteractionError) as raised:
        services.log_interaction(
            ContactFactory(),
            template=InteractionTemplateFactory(),
            user=user,
            attachment=SimpleUploadedFile(name, content),
        )
    assert [problem.code for problem in raised.value.problems] == [code]
    assert InteractionLogEntry.objects.count() == 0


def test_an_attachment_above_the_configured_size_is_refused(settings):
    settings.INTERACTION_ATTACHMENT_MAX_BYTES = 100
    user = UserFactory()
    SalespersonFactory(user=user)
    with pytest.raises(InteractionError) as raised:
        services.log_interaction(
            ContactFactory(),
            template=InteractionTemplateFactory(),
            user=user,
            attachment=SimpleUploadedFile("big.pdf", PDF + b"x" * 200),
        )
    assert [problem.code for problem in raised.value.problems] == ["attachment_too_large"]
    assert "100" in raised.value.messages[0]


def test_deliver_sends_an_email_entry_with_its_merged_letter(django_capture_on_commit_callbacks):
    """With deliver, the email entry is pending at commit and then sent, as in 4.4."""
    template = InteractionTemplateFactory(correspondence_type="email")
    InteractionTemplateLanguageFactory(
        template=template,
        language="en",
        subject="Offer",
        document=ContentFile(
            letters.build_document(["Dear «ContactName»,", "«PersonalNote»"]), name="en.docx"
        ),
    )
    user = UserFactory()
    SalespersonFactory(user=user)
    contact = ContactFactory(name="Ingrid Aune", email="ingrid@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        entry = services.log_interaction(
            contact, template=template, user=user, personal_note="As agreed", deliver=True
        )
    assert entry.delivery_status == DeliveryStatus.PENDING
    entry.refresh_from_db()
    assert entry.delivery_status == DeliveryStatus.SENT
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ingrid@example.com"]
    assert mail.outbox[0].subject == "Offer"
    assert "Dear Ingrid Aune," in mail.outbox[0].body
    assert "As agreed" in mail.outbox[0].body


@pytest.mark.parametrize("deliver", [False, True])
def test_the_entry_keeps_only_the_merge_data_its_letter_and_email_use(deliver):
    """As a logged segment's entries (tests/segments/test_logging_snapshot.py): the fields
    of its document, and when its email is delivered the recipient and reply-to address."""
    template = InteractionTemplateFactory(correspondence_type="email")
    InteractionTemplateLanguageFactory(
        template=template,
        language="en",
        document=ContentFile(
            letters.build_document(["Dear «contactname», «EntryNo»", "«City»"]), name="en.docx"
        ),
    )
    user = UserFactory()
    SalespersonFactory(user=user, email="kari@example.com")
    contact = ContactFactory(name="Ingrid Aune", email="ingrid@example.com", city="Bergen")

    entry = services.log_interaction(contact, template=template, user=user, deliver=deliver)

    entry.refresh_from_db()
    expected = {"ContactName": "Ingrid Aune", "City": "Bergen"}
    if deliver:
        expected.update(Email="ingrid@example.com", SalespersonEmail="kari@example.com")
    assert entry.merge_data == expected
    letter = docx.Document(io.BytesIO(delivery.entry_letter(entry)))
    assert [p.text for p in letter.paragraphs] == [f"Dear Ingrid Aune, {entry.pk}", "Bergen"]


def test_a_draft_needs_only_contact_template_and_creator_and_logs_into_one_entry():
    user = UserFactory()
    SalespersonFactory(user=user)
    contact = ContactFactory()
    template = InteractionTemplateFactory(description="Meeting")
    draft = services.save_interaction_draft(
        contact, template=template, user=user, description="Lunch meeting"
    )
    assert InteractionDraft.objects.get().description == "Lunch meeting"
    assert InteractionLogEntry.objects.count() == 0

    entry = services.log_interaction_draft(draft, user=user, evaluation=Evaluation.POSITIVE)

    assert not InteractionDraft.objects.exists()
    entry.refresh_from_db()
    assert (entry.description, entry.evaluation) == ("Lunch meeting", "positive")
    assert entry.contact == contact


def test_a_draft_that_cannot_be_logged_stays():
    user = UserFactory()
    draft = InteractionDraft.objects.create(
        contact=ContactFactory(), template=InteractionTemplateFactory(), created_by=user
    )
    with pytest.raises(InteractionError):
        services.log_interaction_draft(draft, user=user)  # nobody's salesperson
    assert InteractionDraft.objects.filter(pk=draft.pk).exists()
    assert InteractionLogEntry.objects.count() == 0


def logged_entry(**kwargs) -> InteractionLogEntry:
    user = UserFactory()
    SalespersonFactory(user=user)
    return services.log_interaction(
        kwargs.pop("contact", None) or ContactFactory(),
        template=kwargs.pop("template", None) or InteractionTemplateFactory(),
        user=user,
        **kwargs,
    )


def test_a_note_sets_the_entrys_evaluation_and_attempt_failed():
    entry = logged_entry(attempt_failed=True)
    user = UserFactory()
    note = services.add_interaction_note(
        entry,
        user=user,
        comment="Called back",
        evaluation=Evaluation.POSITIVE,
        attempt_failed=False,
    )
    entry.refresh_from_db()
    assert (entry.evaluation, entry.attempt_failed) == ("positive", False)
    assert (note.comment, note.evaluation, note.attempt_failed) == (
        "Called back",
        "positive",
        False,
    )
    assert note.created_by == user

    services.add_interaction_note(entry, user=user, comment="Just a comment")
    entry.refresh_from_db()
    assert (entry.evaluation, entry.attempt_failed) == ("positive", False)
    assert entry.notes.count() == 2


def test_a_canceled_entry_takes_no_note():
    entry = logged_entry()
    services.set_entries_canceled([entry], canceled=True, user=UserFactory())
    with pytest.raises(InteractionError) as raised:
        services.add_interaction_note(
            entry, user=UserFactory(), comment="x", evaluation=Evaluation.NEGATIVE
        )
    assert "canceled" in raised.value.messages[0]
    entry.refresh_from_db()
    assert entry.evaluation == ""
    assert InteractionNote.objects.count() == 0


def test_an_invalid_or_empty_note_is_refused():
    entry = logged_entry()
    with pytest.raises(InteractionError):
        services.add_interaction_note(entry, user=UserFactory(), evaluation="great")
    with pytest.raises(InteractionError):
        services.add_interaction_note(entry, user=UserFactory(), comment="  ")
    assert InteractionNote.objects.count() == 0


def test_notes_are_append_only():
    note = services.add_interaction_note(logged_entry(), user=UserFactory(), comment="A")
    note.comment = "B"
    with pytest.raises(ReadOnlyRecordError):
        note.save()
    with pytest.raises(ReadOnlyRecordError):
        note.delete()
    with pytest.raises(ReadOnlyRecordError):
        InteractionNote.objects.update(comment="C")
    with pytest.raises(ReadOnlyRecordError):
        InteractionNote.objects.all().delete()
    assert InteractionNote.objects.get().comment == "A"


def test_statistics_exclude_canceled_entries_and_a_company_includes_its_persons():
    company = CompanyFactory()
    person = ContactFactory(company=company)
    calls = InteractionGroupFactory(code="CALLS")
    letters = InteractionGroupFactory(code="LETTERS")
    call = InteractionTemplateFactory(group=calls, unit_cost=2, unit_duration=10)
    letter = InteractionTemplateFactory(group=letters, unit_cost=5, unit_duration=0)
    logged_entry(contact=company, template=letter, date=datetime.date(2026, 10, 1))
    logged_entry(contact=person, template=call, date=datetime.date(2026, 11, 2))
    logged_entry(
        contact=person, template=call, date=datetime.date(2026, 11, 5), attempt_failed=True
    )
    canceled = logged_entry(contact=person, template=call, date=datetime.date(2026, 11, 9))
    services.set_entries_canceled([canceled], canceled=True, user=UserFactory())
    ContactFactory()  # someone else's entries never count
    logged_entry(template=call)

    figures = contact_statistics(company)
    assert figures["interactions"] == 3
    assert figures["cost"] == Decimal("9")
    assert figures["duration"] == Decimal("20")
    assert figures["last_date"] == datetime.date(2026, 11, 5)
    assert figures["failed_attempts"] == 1
    assert figures["by_group"] == [
        {"group": calls, "interactions": 2, "cost": Decimal("4"), "duration": Decimal("20")},
        {"group": letters, "interactions": 1, "cost": Decimal("5"), "duration": Decimal("0")},
    ]

    person_figures = contact_statistics(person)
    assert person_figures["interactions"] == 2

    november = contact_statistics(
        company, date_from=datetime.date(2026, 11, 1), date_to=datetime.date(2026, 11, 3)
    )
    assert (november["interactions"], november["failed_attempts"]) == (1, 0)
    assert november["last_date"] == datetime.date(2026, 11, 2)


def test_statistics_of_a_contact_without_entries_are_zero():
    figures = contact_statistics(ContactFactory())
    assert figures == {
        "interactions": 0,
        "cost": Decimal("0"),
        "duration": Decimal("0"),
        "last_date": None,
        "failed_attempts": 0,
        "by_group": [],
    }


def test_delivery_status_is_pending_for_a_delivered_email_and_blank_otherwise():
    entry = logged_entry(correspondence_type=CorrespondenceType.HARD_COPY)
    assert entry.delivery_status == ""
    assert DeliveryStatus.PENDING == "pending"


def test_a_drafts_attachment_is_kept_on_the_entry():
    user = UserFactory()
    SalespersonFactory(user=user)
    draft = services.save_interaction_draft(
        ContactFactory(),
        template=InteractionTemplateFactory(),
        user=user,
        attachment=SimpleUploadedFile("scan.pdf", PDF),
    )
    entry = services.log_interaction_draft(draft, user=user)
    entry.refresh_from_db()
    with entry.attachment.open("rb") as stored:
        assert stored.read() == PDF


def test_a_draft_refuses_a_bad_attachment():
    with pytest.raises(InteractionError):
        services.save_interaction_draft(
            ContactFactory(),
            template=InteractionTemplateFactory(),
            user=UserFactory(),
            attachment=SimpleUploadedFile("x.exe", b"MZ\x00\x00"),
        )
    assert InteractionDraft.objects.count() == 0


def test_no_template_is_reported_with_the_other_problems():
    with pytest.raises(InteractionError) as raised:
        services.log_interaction(ContactFactory(), template=None, user=UserFactory())
    assert {problem.code for problem in raised.value.problems} == {
        "no_template",
        "no_salesperson",
    }
