"""Logging a segment into the ledger (SPEC 4.4 steps 1-3 and 5)."""

import datetime
import threading
from decimal import Decimal
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext

from crm.choices import CorrespondenceType
from interactions import letters
from interactions.models import InteractionLogEntry, LoggedSegment
from segments import services
from segments.exceptions import LoggingError
from segments.models import (
    CriteriaAction,
    CriteriaActionType,
    RemovedLine,
    Segment,
    SegmentLanguage,
    SegmentLine,
)
from tests.factories import (
    ContactFactory,
    InteractionTemplateFactory,
    InteractionTemplateLanguageFactory,
    SalespersonFactory,
    UserFactory,
)

from .builders import add_line, loggable_segment

pytestmark = pytest.mark.django_db


def state(segment) -> dict:
    """Everything logging may touch, to compare before and after a refused log."""
    return {
        "segment": list(Segment.objects.filter(pk=segment.pk).values()),
        "lines": list(SegmentLine.objects.filter(segment=segment).order_by("line_no").values()),
        "actions": list(CriteriaAction.objects.filter(segment=segment).values()),
        "removed": list(RemovedLine.objects.filter(segment=segment).values()),
        "languages": list(SegmentLanguage.objects.filter(segment=segment).values()),
        "logged": LoggedSegment.objects.count(),
        "entries": InteractionLogEntry.objects.count(),
    }


def with_letter(template, language: str = "en", document: str = "letters/en.docx"):
    """A version of ``template`` in ``language``; a stored letter unless ``document`` is ""."""
    return InteractionTemplateLanguageFactory(
        template=template, language=language, document=document
    )


def add_history(segment):
    """A criteria action, a removed line and a segment language, as building leaves them."""
    action = CriteriaAction.objects.create(
        segment=segment,
        seq=1,
        action=CriteriaActionType.ADD,
        criteria={"contact": {"city": ["Oslo"]}},
        description="Add contacts: city is Oslo",
        added=3,
        created_by=segment.created_by,
    )
    RemovedLine.objects.create(
        segment=segment, removed_by=action, line_no=990000, contact=ContactFactory()
    )
    SegmentLanguage.objects.create(segment=segment, language="en", subject="Hello")
    return action


def test_one_entry_per_line_with_the_effective_values():
    template = InteractionTemplateFactory(
        description="Offer", unit_cost=Decimal("2.50"), unit_duration=Decimal("5")
    )
    segment = loggable_segment(2, interaction_template=template, description="Campaign")
    other_sp = SalespersonFactory()
    overriding = add_line(
        segment,
        description="Special",
        cost=Decimal("9.00"),
        salesperson=other_sp,
        date=datetime.date(2026, 12, 24),
        evaluation="positive",
        correspondence_type=CorrespondenceType.HARD_COPY,
    )
    user = UserFactory()

    logged = services.log_segment(segment, user=user)

    entries = list(logged.entries.order_by("entry_no"))
    assert len(entries) == 3
    assert entries[-1].contact_id == overriding.contact_id
    first, last = entries[0], entries[-1]
    assert (first.description, first.cost, first.duration) == (
        "Campaign",
        Decimal("2.50"),
        Decimal("5.00"),
    )
    assert first.salesperson_id == segment.salesperson_id
    assert first.date == datetime.date(2026, 11, 28)
    assert first.template_id == template.pk and first.group_id == template.group_id
    assert first.segment_no == segment.no and first.created_by == user
    assert first.contact_name == first.contact.name
    assert (last.description, last.cost, last.salesperson_id, last.date) == (
        "Special",
        Decimal("9.00"),
        other_sp.pk,
        datetime.date(2026, 12, 24),
    )
    assert (last.evaluation, last.correspondence_type) == ("positive", "hard_copy")
    assert not any(entry.canceled for entry in entries)
    assert (logged.segment_no, logged.description, logged.created_by) == (
        segment.no,
        "Campaign",
        user,
    )


def test_entries_follow_the_line_order_and_carry_merge_data(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    segment = loggable_segment(3)
    document = letters.build_document(["«ContactNo» «SegmentNo» «DocumentDate» «EntryNo»"])
    InteractionTemplateLanguageFactory(
        template=segment.interaction_template,
        language="en",
        document=ContentFile(document, name="en.docx"),
    )
    lines = list(segment.lines.order_by("line_no").select_related("contact"))
    logged = services.log_segment(segment, user=segment.created_by)
    entries = list(logged.entries.order_by("entry_no"))
    assert [entry.contact_id for entry in entries] == [line.contact_id for line in lines]
    assert [entry.merge_data["ContactNo"] for entry in entries] == [
        line.contact.no for line in lines
    ]
    assert entries[0].merge_data["SegmentNo"] == segment.no
    assert entries[0].merge_data["DocumentDate"] == "28 November 2026"
    # Only what the letter uses (tests/segments/test_logging_snapshot.py); the entry
    # number is filled in when the letter is rendered.
    assert set(entries[0].merge_data) == {"ContactNo", "SegmentNo", "DocumentDate"}


def test_the_segment_and_its_history_are_deleted_and_the_criteria_kept():
    segment = loggable_segment(3)
    add_history(segment)
    logged = services.log_segment(segment, user=segment.created_by)
    assert not Segment.objects.filter(pk=segment.pk).exists()
    assert not SegmentLine.objects.filter(segment_id=segment.pk).exists()
    assert not CriteriaAction.objects.filter(segment_id=segment.pk).exists()
    assert not RemovedLine.objects.filter(segment_id=segment.pk).exists()
    assert not SegmentLanguage.objects.filter(segment_id=segment.pk).exists()
    logged.refresh_from_db()
    assert logged.criteria[0] | {"created_at": None} == {
        "seq": 1,
        "action": "add",
        "criteria": {"contact": {"city": ["Oslo"]}},
        "description": "Add contacts: city is Oslo",
        "allow_existing": False,
        "expand_companies": False,
        "allow_related_companies": False,
        "ignore_exclusion": False,
        "leave_out_opted_out": False,
        "entire_companies": False,
        "added": 3,
        "removed": 0,
        "created_at": None,
    }


def test_a_personalised_line_document_moves_to_its_entry():
    segment = loggable_segment(1)
    line = add_line(segment, document="segments/1/lines/20000/letter.docx")
    logged = services.log_segment(segment, user=segment.created_by)
    entry = logged.entries.get(contact_id=line.contact_id)
    assert entry.document.name == "segments/1/lines/20000/letter.docx"


def test_three_invalid_lines_of_two_kinds_are_reported_in_one_error():
    segment = loggable_segment(2, interaction_template=None, salesperson=None)
    template = InteractionTemplateFactory()
    blocked = SalespersonFactory(blocked=True)
    SegmentLine.objects.filter(segment=segment).update(salesperson=SalespersonFactory())
    add_line(segment, interaction_template=template, salesperson=blocked)
    before = state(segment)

    with pytest.raises(LoggingError) as raised:
        services.log_segment(segment, user=segment.created_by)

    assert raised.value.messages == [
        f"Segment {segment.no} cannot be logged: 2 lines have no interaction template "
        "(lines 10000, 20000); 1 line has a blocked salesperson (line 30000)."
    ]
    assert [(p.code, p.line_nos) for p in raised.value.problems] == [
        ("no_template", (10000, 20000)),
        ("blocked_salesperson", (30000,)),
    ]
    assert state(segment) == before


def test_segment_level_problems_and_missing_salesperson():
    segment = loggable_segment(0, description="")
    with pytest.raises(LoggingError) as raised:
        services.log_segment(segment, user=segment.created_by)
    assert raised.value.messages == [
        f"Segment {segment.no} cannot be logged: its description is blank; it has no lines."
    ]
    segment = loggable_segment(1, salesperson=None)
    with pytest.raises(LoggingError, match=r"1 line has no salesperson \(line 10000\)"):
        services.log_segment(segment, user=segment.created_by)


def test_a_long_list_of_lines_is_shortened():
    segment = loggable_segment(12, interaction_template=None)
    with pytest.raises(LoggingError) as raised:
        services.log_segment(segment, user=segment.created_by)
    assert (
        "12 lines have no interaction template (lines 10000, 20000, " in (raised.value.messages[0])
    )
    assert "100000 and 2 more)" in raised.value.messages[0]
    assert raised.value.problems[0].count == 12


def test_a_contact_deleted_behind_the_orms_back_is_reported():
    segment = loggable_segment(2)
    gone = segment.lines.get(line_no=20000).contact_id
    with connection.cursor() as cursor:
        # Foreign keys are checked at commit; the test transaction never commits.
        cursor.execute("DELETE FROM crm_contact WHERE id = %s", [gone])
    before = state(segment)
    with pytest.raises(LoggingError, match=r"1 line has a contact that no longer exists"):
        services.log_segment(segment, user=segment.created_by)
    assert state(segment) == before
    SegmentLine.objects.filter(contact_id=gone).delete()  # the test database stays valid


def test_a_template_deleted_behind_the_orms_back_is_reported():
    segment = loggable_segment(1)
    template = InteractionTemplateFactory()
    add_line(segment, interaction_template=template)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM interactions_interactiontemplate WHERE id = %s", [template.pk])
    with pytest.raises(
        LoggingError, match=r"1 line has an interaction template that no longer exists"
    ):
        services.log_segment(segment, user=segment.created_by)
    SegmentLine.objects.filter(interaction_template_id=template.pk).delete()


class TestEmailWithoutAddress:
    @pytest.fixture
    def segment(self):
        template = InteractionTemplateFactory(correspondence_type=CorrespondenceType.EMAIL)
        with_letter(template)
        segment = loggable_segment(1, interaction_template=template)
        add_line(segment, ContactFactory(email="", correspondence_type=""))
        return segment

    def test_logged_with_no_correspondence_type_when_not_delivering(self, segment):
        logged = services.log_segment(segment, user=segment.created_by)
        types = list(logged.entries.order_by("entry_no").values_list("correspondence_type"))
        assert types == [("email",), ("",)]

    def test_an_error_when_delivering(self, segment):
        before = state(segment)
        with pytest.raises(LoggingError) as raised:
            services.log_segment(segment, user=segment.created_by, deliver=True)
        assert raised.value.messages == [
            f"Segment {segment.no} cannot be logged: 1 email line's contact has no email "
            "address (line 20000)."
        ]
        assert state(segment) == before


def test_deliver_enqueues_the_delivery_after_commit(django_capture_on_commit_callbacks):
    segment = loggable_segment(2)
    with_letter(segment.interaction_template)
    add_line(segment, correspondence_type=CorrespondenceType.HARD_COPY)
    with mock.patch("interactions.tasks.deliver_logged_segment") as task:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            logged = services.log_segment(segment, user=segment.created_by, deliver=True)
        task.enqueue.assert_not_called()
        for callback in callbacks:
            callback()
    task.enqueue.assert_called_once_with(logged.pk)
    statuses = logged.entries.order_by("entry_no").values_list("delivery_status", flat=True)
    assert list(statuses) == ["pending", "pending", ""]  # the hard copy goes to print


class TestDeliveringWithoutALetter:
    """Delivery merges each email and hard-copy line's letter: one without is a problem.

    The template's default language is nb, whose version has no document; en has one.
    A line has a letter when its effective document is set: its own personalised letter,
    else the segment's copy for its language, else the template's for its language, else
    the template's default language's.
    """

    @pytest.fixture
    def segment(self):
        template = InteractionTemplateFactory(
            correspondence_type=CorrespondenceType.EMAIL, default_language="nb"
        )
        with_letter(template, "en")
        with_letter(template, "nb", document="")
        with_letter(template, "sv", document="")
        segment = loggable_segment(0, interaction_template=template)
        add_line(segment, ContactFactory(language="en"))  # 10000: the template's en letter
        add_line(segment, ContactFactory(language="nb"))  # 20000: none
        add_line(segment, ContactFactory(language="nb"), document="letters/own.docx")  # 30000
        add_line(segment, ContactFactory(language="sv"))  # 40000: the segment's sv copy
        SegmentLanguage.objects.create(segment=segment, language="sv", document="sv.docx")
        add_line(  # 50000: a hard copy goes into the print batch: none
            segment, ContactFactory(language="nb"), correspondence_type="hard_copy"
        )
        add_line(segment, ContactFactory(language="de"))  # 60000: default nb: none
        return segment

    def test_nothing_is_logged_and_the_lines_are_named(self, segment):
        before = state(segment)
        with pytest.raises(LoggingError) as raised:
            services.log_segment(segment, user=segment.created_by, deliver=True)
        assert raised.value.messages == [
            f"Segment {segment.no} cannot be logged: 3 lines to deliver have no letter: no "
            "document for their language on the line, the segment or the interaction "
            "template (lines 20000, 50000, 60000)."
        ]
        assert [(p.code, p.line_nos) for p in raised.value.problems] == [
            ("no_letter", (20000, 50000, 60000))
        ]
        assert state(segment) == before

    def test_reported_with_every_other_problem_at_once(self, segment):
        add_line(segment, ContactFactory(language="nb", email=""))  # 70000
        with pytest.raises(LoggingError) as raised:
            services.log_segment(segment, user=segment.created_by, deliver=True)
        assert [(p.code, p.line_nos) for p in raised.value.problems] == [
            ("no_email", (70000,)),
            ("no_letter", (20000, 50000, 60000, 70000)),
        ]

    def test_lines_without_a_letter_are_logged_when_not_delivering(self, segment):
        logged = services.log_segment(segment, user=segment.created_by)
        documents = dict(logged.entries.values_list("contact__language", "document"))
        assert documents["en"] == "letters/en.docx"
        assert documents["sv"] == "sv.docx"
        assert logged.entries.filter(document="").count() == 3

    def test_a_line_that_is_not_delivered_needs_no_letter(self, segment):
        # With no correspondence type a line is logged, neither sent nor printed.
        InteractionTemplate = type(segment.interaction_template)
        InteractionTemplate.objects.filter(pk=segment.interaction_template_id).update(
            correspondence_type=""
        )
        segment.lines.update(correspondence_type="")
        logged = services.log_segment(segment, user=segment.created_by, deliver=True)
        assert logged.entries.count() == 6
        assert set(logged.entries.values_list("correspondence_type", flat=True)) == {""}


def test_logging_twice_fails_cleanly():
    segment = loggable_segment(2)
    services.log_segment(segment, user=segment.created_by)
    with pytest.raises(LoggingError) as raised:
        services.log_segment(segment, user=segment.created_by)
    assert raised.value.messages == [f"Segment {segment.no} has already been logged."]
    assert raised.value.code == "already_logged"
    assert LoggedSegment.objects.count() == 1
    assert InteractionLogEntry.objects.count() == 2


def test_a_segment_number_already_in_the_ledger_cannot_be_logged_again():
    first = loggable_segment(1, no="SEG00777")
    services.log_segment(first, user=first.created_by)
    second = loggable_segment(1, no="SEG00777")
    before = state(second)
    with pytest.raises(LoggingError, match="SEG00777 has already been logged"):
        services.log_segment(second, user=second.created_by)
    assert state(second) == before


def test_an_error_after_half_of_the_work_leaves_the_database_as_before():
    segment = loggable_segment(5)
    add_history(segment)
    before = state(segment)
    with (
        mock.patch(
            "segments.services.posting.create_follow_up_segment",
            side_effect=RuntimeError("injected fault"),
        ),
        pytest.raises(RuntimeError, match="injected fault"),
    ):
        services.log_segment(segment, user=segment.created_by, create_follow_up=True)
    assert state(segment) == before


def test_query_count_is_the_same_for_10_and_1000_lines():
    counts = []
    for size in (10, 1000):
        segment = loggable_segment(size)
        add_history(segment)
        with CaptureQueriesContext(connection) as queries:
            logged = services.log_segment(segment, user=segment.created_by)
        assert logged.entries.count() == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_create_follow_up_makes_a_segment_with_the_same_contacts():
    segment = loggable_segment(3)
    contacts = set(segment.lines.values_list("contact_id", flat=True))
    logged = services.log_segment(segment, user=segment.created_by, create_follow_up=True)
    follow_up = Segment.objects.get(follow_up_of=logged)
    assert follow_up.description == f"Follow-up on segment {segment.no}"
    assert set(follow_up.lines.values_list("contact_id", flat=True)) == contacts


def test_create_follow_up_segment_can_skip_canceled_entries():
    from interactions import services as ledger

    segment = loggable_segment(3)
    logged = services.log_segment(segment, user=segment.created_by)
    canceled = logged.entries.order_by("entry_no").first()
    ledger.set_entries_canceled([canceled], canceled=True, user=segment.created_by)
    follow_up = services.create_follow_up_segment(
        logged, user=segment.created_by, skip_canceled=True
    )
    assert follow_up.follow_up_of == logged
    contacts = set(follow_up.lines.values_list("contact_id", flat=True))
    assert contacts == set(logged.entries.filter(canceled=False).values_list("contact", flat=True))
    assert canceled.contact_id not in contacts


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_threads_logging_the_same_segment_at_once():
    segment = loggable_segment(200)
    barrier = threading.Barrier(2)
    outcomes = []

    def log():
        try:
            barrier.wait()
            outcomes.append(services.log_segment(segment, user=segment.created_by))
        except LoggingError as error:
            outcomes.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=log) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    logged = [outcome for outcome in outcomes if isinstance(outcome, LoggedSegment)]
    errors = [outcome for outcome in outcomes if isinstance(outcome, LoggingError)]
    assert len(logged) == 1 and len(errors) == 1
    assert errors[0].messages == [f"Segment {segment.no} has already been logged."]
    assert LoggedSegment.objects.count() == 1
    assert InteractionLogEntry.objects.filter(logged_segment=logged[0]).count() == 200
    assert not Segment.objects.filter(pk=segment.pk).exists()
