"""seed_demo: realistic data, tops up without duplicates, starts over, refuses bad values."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import F
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm.models import (
    BusinessRelation,
    CompanyInformation,
    Contact,
    IndustryGroup,
    JobResponsibility,
    MailingGroup,
    Salesperson,
    SalutationFormula,
    Territory,
    next_code,
)
from interactions.choices import Evaluation
from interactions.letters import fields
from interactions.models import (
    InteractionLogEntry,
    InteractionTemplate,
    InteractionTemplateLanguage,
    LoggedSegment,
)
from interactions.services import group_statistics, logged_segment_counts, template_statistics
from segments.models import SavedCriteria, Segment
from tests.ledger_data import log_entry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def seed(**options) -> str:
    """seed_demo's output; without the history unless asked (it is tested on its own)."""
    options.setdefault("history", False)
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def test_seeds_companies_persons_and_every_reference_table():
    output = seed(contacts=120)
    assert Contact.objects.count() == 120
    companies = Contact.objects.companies()
    persons = Contact.objects.persons()
    assert companies.exists() and persons.count() > companies.count()
    # Every company is its own company; every person works for one.
    assert not companies.exclude(company=F("pk")).exists()
    assert not persons.filter(company__isnull=True).exists()
    assert set(Contact.objects.values_list("country", flat=True)) <= {"NO", "GB", "US"}
    assert set(Contact.objects.values_list("language", flat=True)) == {"en", "nb"}
    assert Contact.objects.filter(country="NO").exclude(language="nb").count() == 0
    for model in (Territory, MailingGroup, IndustryGroup, JobResponsibility, BusinessRelation):
        assert model.objects.exists(), model
    assert Contact.mailing_groups.through.objects.exists()
    assert Contact.industry_groups.through.objects.filter(contact__type="company").exists()
    assert Contact.job_responsibilities.through.objects.filter(contact__type="person").exists()
    assert set(SalutationFormula.objects.values_list("language", flat=True)) == {"en", "nb"}
    assert SalutationFormula.objects.exclude(formal="").exclude(informal="").count() >= 6
    assert Salesperson.objects.count() >= 5
    assert CompanyInformation.load().name
    assert "marketing / marketing" in output
    assert "manager / manager" in output
    assert "admin / admin" in output


def test_templates_have_english_and_norwegian_letters_with_merge_fields():
    seed(contacts=0)
    assert InteractionTemplate.objects.count() >= 3
    for template in InteractionTemplate.objects.all():
        versions = {v.language: v for v in template.languages.all()}
        assert set(versions) == {"en", "nb"}, template
        for version in versions.values():
            with version.document.open("rb") as document:
                used = fields(document.read())
            assert "FormalSalutation" in used or "InformalSalutation" in used
            assert "SalespersonName" in used
    assert InteractionTemplateLanguage.objects.exclude(subject="").count() >= 6


def test_one_demo_user_per_role_can_log_in():
    seed(contacts=0)
    User = get_user_model()
    assert User.objects.get(username="marketing").groups.filter(name="Marketing staff").exists()
    assert User.objects.get(username="manager").groups.filter(name="Marketing manager").exists()
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="marketing").check_password("marketing")
    assert Salesperson.objects.filter(user__username="marketing").exists()


def test_running_twice_does_not_duplicate_and_tops_up():
    seed(contacts=50)
    numbers = set(Contact.objects.values_list("no", flat=True))
    counts = [m.objects.count() for m in (MailingGroup, InteractionTemplateLanguage, Salesperson)]
    seed(contacts=50)
    assert set(Contact.objects.values_list("no", flat=True)) == numbers
    assert [
        m.objects.count() for m in (MailingGroup, InteractionTemplateLanguage, Salesperson)
    ] == counts
    assert get_user_model().objects.filter(username="marketing").count() == 1
    seed(contacts=80)
    assert Contact.objects.count() == 80
    assert Contact.objects.filter(no="CT000080").exists()
    assert next_code("CONTACT", Contact) == "CT000081"


def test_if_empty_seeds_only_an_empty_database():
    output = seed(contacts=20, if_empty=True)
    assert Contact.objects.count() == 20
    output = seed(contacts=40, if_empty=True)
    assert Contact.objects.count() == 20
    assert "nothing seeded" in output
    assert "marketing / marketing" in output


def test_reset_starts_over(user):
    seed(contacts=30)
    log_entry(Contact.objects.persons().first(), user)
    seed(contacts=10, reset=True)
    assert Contact.objects.count() == 10
    assert Contact.objects.order_by("no").first().no == "CT000001"
    assert InteractionTemplate.objects.count() == 4
    assert get_user_model().objects.filter(username="marketing").exists()


@pytest.mark.parametrize("value", ["-1", "abc", "2.5", 10**9])
def test_bad_contacts_value_is_refused_and_changes_nothing(value):
    with pytest.raises(CommandError, match="--contacts must be"):
        seed(contacts=value)
    assert not Contact.objects.exists()
    assert not MailingGroup.objects.exists()


def test_bad_contacts_value_from_the_command_line_exits_non_zero():
    from django.core.management import execute_from_command_line

    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["manage.py", "seed_demo", "--contacts", "lots"])
    assert exit_info.value.code == 1


def test_contacts_are_inserted_in_bulk():
    """Query count depends on batches, not on the number of contacts."""
    seed(contacts=0)
    with CaptureQueriesContext(connection) as small:
        seed(contacts=40)
    with CaptureQueriesContext(connection) as large:
        seed(contacts=440)
    assert len(large) <= len(small) + 2


# --- the demo history (segments/demo.py) -------------------------------------------------


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """A small demo with its year of history, seeded once for the module's tests.

    Seeded inside a transaction that is rolled back afterwards, so no other test sees it;
    each test runs in its own savepoint within it.
    """
    media = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            output = seed(contacts=150, history=True)
        yield {"output": output, "queries": len(queries), "media": media}
        transaction.set_rollback(True)


@pytest.fixture
def history(demo, settings):
    settings.MEDIA_ROOT = demo["media"]
    return demo["output"]


def test_history_fills_the_statistics_over_the_last_twelve_months(history, client):
    assert "Demo history:" in history
    logged = LoggedSegment.objects.all()
    assert logged.count() >= 15
    entries = InteractionLogEntry.objects.all()
    today = timezone.localdate()
    dates = set(entries.values_list("date", flat=True))
    assert min(dates) >= today - datetime.timedelta(days=366)
    assert max(dates) <= today
    # Spread over the year: entries in at least ten different months.
    assert len({(d.year, d.month) for d in dates}) >= 10
    by_template = {t.code: t.interactions for t in template_statistics()}
    # The segments' letters, and the calls and letters received of interactions/demo.py.
    assert set(by_template) == {"NEWSL", "INVITE", "OFFER", "THANKS", "CALL", "LETTERIN"}
    assert all(count > 0 for count in by_template.values()), by_template
    assert all(g.cost > 0 for g in group_statistics())
    # What the statistics page shows: not every figure 0.
    client.force_login(get_user_model().objects.get(username="manager"))
    page = client.get(reverse("interactions:statistics"))
    assert page.status_code == 200
    assert any(t.interactions for t in page.context["templates"])


def test_history_has_canceled_segments_and_entries(history):
    canceled = LoggedSegment.objects.filter(canceled=True)
    assert canceled.count() == 1
    assert not InteractionLogEntry.objects.filter(logged_segment__in=canceled, canceled=False)
    # Entries canceled one by one in a logged segment that stays active.
    assert InteractionLogEntry.objects.filter(canceled=True, logged_segment__canceled=False).count()
    counts = logged_segment_counts(canceled.get())
    assert counts["active"] == 0 and counts["canceled"] > 0


def test_history_has_evaluations_from_line_overrides(history):
    evaluated = InteractionLogEntry.objects.exclude(evaluation="").filter(
        logged_segment__isnull=False
    )
    assert evaluated.count() >= 5
    assert set(evaluated.values_list("template__code", flat=True)) <= {"INVITE", "OFFER"}
    assert set(evaluated.values_list("evaluation", flat=True)) <= set(Evaluation.values)


def test_history_has_sent_and_failed_deliveries_with_the_reason(history):
    emails = InteractionLogEntry.objects.filter(correspondence_type="email")
    assert emails.filter(delivery_status="sent").count() > 0
    failed = emails.filter(delivery_status="failed")
    assert failed.count() > 0
    assert not failed.filter(delivery_error="").exists()
    assert not InteractionLogEntry.objects.filter(correspondence_type="hard_copy").exclude(
        delivery_status=""
    )
    # Entries keep the letter they were merged from, so they can be downloaded again.
    # (The demo's calls and letters received have no letter: interactions/demo.py.)
    logged = InteractionLogEntry.objects.filter(logged_segment__isnull=False)
    assert not logged.filter(template__isnull=False, document="").exists()


def test_history_has_follow_ups_and_contact_cards_with_interactions(history):
    followed = LoggedSegment.objects.filter(description__startswith="Thank you for coming")
    assert followed.count() == 1
    being_built = Segment.objects.filter(follow_up_of__isnull=False).get()
    assert being_built.lines.count() == being_built.follow_up_of.entries.count() > 0
    contact = InteractionLogEntry.objects.values_list("contact", flat=True).first()
    assert InteractionLogEntry.objects.filter(contact=contact).exists()


def test_segments_being_built_with_the_demo_templates(history):
    segments = {s.description: s for s in Segment.objects.select_related("interaction_template")}
    large = segments["Customer day 2027: invitations"]
    assert large.interaction_template.code == "INVITE"
    steps = list(large.actions.order_by("seq").values_list("action", flat=True))
    assert steps == ["add", "add", "reduce", "reduce"]
    assert large.lines.count() > 10
    assert SavedCriteria.objects.get(code="CUSTDAY").actions.count() == 4
    pressure = SavedCriteria.objects.get(description="Contacted 3 or more times in 30 days")
    assert list(pressure.actions.values_list("action", "criteria")) == [
        ("reduce", {"interaction": {"min_count": [3], "within_days": [30]}})
    ]
    assert not segments["Newsletter, next month"].actions.exists()

    offers = segments["Offer to prospects: spring campaign"]
    lines = offers.lines.all()
    assert lines.exclude(description="").exists()
    assert lines.filter(cost__isnull=False).exists()
    assert lines.exclude(subject="").filter(correspondence_type="email").exists()
    assert lines.exclude(personal_note="").count() == 2
    personal = lines.exclude(document="").get()
    with personal.document.open("rb") as document:
        assert "PersonalNote" in fields(document.read())

    empty = segments["Newsletter, next month"]
    assert empty.interaction_template.code == "NEWSL"
    assert not empty.lines.exists()


def test_history_is_written_once_and_again_after_reset(history, demo):
    counts = [m.objects.count() for m in (LoggedSegment, InteractionLogEntry, Segment)]
    output = seed(contacts=150, history=True)
    assert "Demo history:" not in output
    assert [m.objects.count() for m in (LoggedSegment, InteractionLogEntry, Segment)] == counts
    seed(contacts=150, if_empty=True, history=True)
    assert [m.objects.count() for m in (LoggedSegment, InteractionLogEntry, Segment)] == counts
    with CaptureQueriesContext(connection) as queries:
        output = seed(contacts=600, reset=True, history=True)
    assert "Demo history:" in output
    # Set-based: four times the contacts, about the same number of queries (the ledger
    # summaries add an upsert per single interaction of the demo history: a few per cent).
    assert len(queries) <= demo["queries"] * 1.2
    assert LoggedSegment.objects.count() == counts[0]
    assert InteractionLogEntry.objects.count() > 2 * counts[1]
    assert LoggedSegment.objects.order_by("entry_no").first().segment_no == "SEG00001"


def test_single_interactions_with_notes_an_attachment_and_a_draft(history):
    """interactions/demo.py: calls with notes, a letter received with its scan, a draft,
    so the contact card and the entry pages show single interactions from the start."""
    from interactions.models import InteractionDraft, InteractionNote

    assert "Demo single interactions:" in history
    single = InteractionLogEntry.objects.filter(logged_segment=None)
    calls = single.filter(template__code="CALL")
    assert calls.count() == 8
    assert InteractionNote.objects.filter(entry__in=calls).count() == 8
    assert calls.exclude(evaluation="").exists() or calls.filter(attempt_failed=True).exists()
    # Campaign responses are inbound letters too; the scanned one carries its attachment.
    letter = single.filter(template__code="LETTERIN").exclude(attachment="").get()
    with letter.attachment.open("rb") as scan:
        assert scan.read().startswith(b"%PDF-")
    draft = InteractionDraft.objects.get()
    assert draft.template.code == "CALL"
