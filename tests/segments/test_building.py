"""Building a segment (SPEC 4.1): each service's behaviour, history and refusals."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from crm.models import Contact
from interactions.models import InteractionLogEntry, LoggedSegment
from segments import services
from segments.exceptions import SegmentError
from segments.models import CriteriaAction, RemovedLine, SavedCriteria, Segment, SegmentLine
from tests.factories import (
    BusinessRelationFactory,
    CompanyFactory,
    ContactFactory,
    IndustryGroupFactory,
    InteractionTemplateFactory,
    MailingGroupFactory,
    SalespersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    # No password: hashing one costs more than the whole test.
    return UserFactory(password=None)


@pytest.fixture
def segment(user):
    return services.create_segment(user=user, description="Spring campaign")


def lines(segment) -> list[tuple[int, str]]:
    return list(
        SegmentLine.objects.filter(segment=segment)
        .order_by("line_no")
        .values_list("line_no", "contact__no")
    )


def contact_nos(segment) -> list[str]:
    return [no for _line_no, no in lines(segment)]


def state(segment) -> tuple:
    """Everything building can change, to assert that a refusal changed nothing."""
    return (
        list(
            SegmentLine.objects.filter(segment=segment)
            .order_by("line_no")
            .values_list("line_no", "contact_id", "added_by_id", "description", "cost")
        ),
        list(
            CriteriaAction.objects.filter(segment=segment)
            .order_by("seq")
            .values_list("seq", "action", "criteria", "added", "removed")
        ),
        RemovedLine.objects.filter(segment=segment).count(),
        SavedCriteria.objects.count(),
    )


def add_country(segment, user, country="NO", **options):
    return services.add_contacts(
        segment, criteria={"contact": {"country": country}}, user=user, **options
    )


# --- create_segment ----------------------------------------------------------------------


def test_create_segment_takes_the_next_number_today_and_the_users_salesperson(user):
    seller = SalespersonFactory(user=user)
    first = services.create_segment(user=user, description="A")
    second = services.create_segment(user=user)
    assert first.no == "SEG00001"
    assert second.no == "SEG00002"
    assert first.date == timezone.localdate()
    assert first.salesperson == seller
    assert first.created_by == user


def test_create_segment_keeps_a_given_salesperson_and_refuses_unknown_fields(user):
    SalespersonFactory(user=user)
    other = SalespersonFactory()
    assert services.create_segment(user=user, salesperson=other).salesperson == other
    with pytest.raises(SegmentError, match="A segment has no field colour"):
        services.create_segment(user=user, colour="red")
    assert Segment.objects.count() == 1


# --- add_contacts ------------------------------------------------------------------------


def test_add_numbers_lines_by_company_name_company_no_companies_first_then_name(segment, user):
    beta = CompanyFactory(no="CO2", name="Beta")
    alpha2 = CompanyFactory(no="CO9", name="Alpha")
    alpha1 = CompanyFactory(no="CO5", name="Alpha")
    ContactFactory(no="P1", name="Zed", company=alpha1)
    ContactFactory(no="P2", name="Amy", company=alpha1)
    ContactFactory(no="P3", name="Bob", company=beta)
    ContactFactory(no="P4", name="Cid", company=alpha2)
    ContactFactory(no="P5", name="Ola")  # no company: company name is blank, sorts first
    action = add_country(segment, user)
    assert lines(segment) == [
        (10000, "P5"),
        (20000, "CO5"),
        (30000, "P2"),
        (40000, "P1"),
        (50000, "CO9"),
        (60000, "P4"),
        (70000, "CO2"),
        (80000, "P3"),
    ]
    assert set(SegmentLine.objects.values_list("added_by", flat=True)) == {action.pk}


def test_add_appends_after_the_current_last_line(segment, user):
    ContactFactory(no="N1", country="NO")
    ContactFactory(no="S1", country="SE")
    add_country(segment, user, "NO")
    add_country(segment, user, "SE")
    assert lines(segment) == [(10000, "N1"), (20000, "S1")]


def test_add_records_criteria_options_description_and_counts(segment, user):
    ContactFactory(no="P1", country="NO")
    ContactFactory(no="P2", country="NO")
    action = services.add_contacts(
        segment,
        criteria={"contact": {"country": "no"}},
        expand_companies=True,
        user=user,
    )
    action.refresh_from_db()
    assert action.seq == 1
    assert action.action == "add"
    assert action.criteria == {"contact": {"country": ["NO"]}}
    assert action.expand_companies is True
    assert action.allow_existing is False
    assert action.description == "Add contacts: country is NO; expand companies"
    assert (action.added, action.removed) == (2, 0)
    assert action.created_by == user


def test_expand_companies_from_a_person_brings_the_company_and_all_colleagues(segment, user):
    acme = CompanyFactory(no="CO1", name="Acme")
    ContactFactory(no="P1", company=acme, city="Bergen")
    ContactFactory(no="P2", company=acme, city="Oslo")
    ContactFactory(no="P3", company=CompanyFactory(no="CO2"), city="Oslo")
    ContactFactory(no="P4", city="Bergen")  # no company: stays itself
    action = services.add_contacts(
        segment, criteria={"contact": {"city": "Bergen"}}, expand_companies=True, user=user
    )
    assert set(contact_nos(segment)) == {"CO1", "P1", "P2", "P4"}
    assert action.added == 4


def test_allow_related_companies_adds_a_persons_company_only(segment, user):
    acme = CompanyFactory(no="CO1", name="Acme", city="Oslo")
    ContactFactory(no="P1", company=acme, city="Bergen")
    ContactFactory(no="P2", company=acme, city="Oslo")
    services.add_contacts(
        segment, criteria={"contact": {"city": "Bergen"}}, allow_related_companies=True, user=user
    )
    assert contact_nos(segment) == ["CO1", "P1"]


def test_excluded_contacts_are_skipped_unless_ignore_exclusion(segment, user):
    ContactFactory(no="P1")
    ContactFactory(no="P2", exclude_from_segment=True)
    assert add_country(segment, user).added == 1
    assert contact_nos(segment) == ["P1"]
    assert add_country(segment, user, ignore_exclusion=True).added == 1
    assert sorted(contact_nos(segment)) == ["P1", "P2"]


def test_existing_contacts_are_skipped_unless_allow_existing_which_adds_a_second_line(
    segment, user
):
    ContactFactory(no="P1")
    add_country(segment, user)
    assert add_country(segment, user).added == 0
    assert add_country(segment, user, allow_existing=True).added == 1
    assert lines(segment) == [(10000, "P1"), (20000, "P1")]


def test_industry_group_and_business_relation_add_the_company_and_its_persons(segment, user):
    retail = IndustryGroupFactory(code="RETAIL")
    partner = BusinessRelationFactory(code="PARTNER")
    shop = CompanyFactory(no="CO1", name="Shop")
    shop.industry_groups.add(retail)
    ContactFactory(no="P1", company=shop)
    supplier = CompanyFactory(no="CO2", name="Supplier")
    supplier.business_relations.add(partner)
    ContactFactory(no="P2", company=supplier)
    services.add_contacts(
        segment, criteria={"industry_group": {"industry_group": "RETAIL"}}, user=user
    )
    assert contact_nos(segment) == ["CO1", "P1"]
    services.add_contacts(
        segment, criteria={"business_relation": {"business_relation": "PARTNER"}}, user=user
    )
    assert contact_nos(segment) == ["CO1", "P1", "CO2", "P2"]


# --- reduce and refine ---------------------------------------------------------------------


def test_reduce_removes_every_matching_line_duplicates_too(segment, user):
    ContactFactory(no="P1", city="Bergen")
    ContactFactory(no="P2", city="Oslo")
    add_country(segment, user)
    add_country(segment, user, allow_existing=True)
    assert len(lines(segment)) == 4
    action = services.reduce_contacts(segment, criteria={"contact": {"city": "Bergen"}}, user=user)
    assert contact_nos(segment) == ["P2", "P2"]
    assert action.removed == 2
    assert action.description == "Reduce contacts: city is Bergen"
    assert RemovedLine.objects.filter(removed_by=action).count() == 2


def test_refine_keeps_only_matching_lines(segment, user):
    ContactFactory(no="P1", name="A", city="Bergen")
    ContactFactory(no="P2", name="B", city="Oslo")
    ContactFactory(no="P3", name="C", city="Bergen")
    add_country(segment, user)
    action = services.refine_contacts(segment, criteria={"contact": {"city": "Bergen"}}, user=user)
    assert contact_nos(segment) == ["P1", "P3"]
    assert (action.added, action.removed) == (0, 1)


def test_entire_companies_widens_reduce_to_the_whole_company(segment, user):
    acme = CompanyFactory(no="CO1", name="Acme")
    ContactFactory(no="P1", name="A", company=acme, city="Bergen")
    ContactFactory(no="P2", name="B", company=acme, city="Oslo")
    ContactFactory(no="P3", name="C", city="Oslo")
    add_country(segment, user)
    services.reduce_contacts(
        segment, criteria={"contact": {"city": "Bergen"}}, entire_companies=True, user=user
    )
    assert contact_nos(segment) == ["P3"]


def test_entire_companies_widens_refine_to_keep_the_whole_company(segment, user):
    acme = CompanyFactory(no="CO1", name="Acme")
    ContactFactory(no="P1", name="A", company=acme, city="Bergen")
    ContactFactory(no="P2", name="B", company=acme, city="Oslo")
    ContactFactory(no="P3", name="C", city="Oslo")
    add_country(segment, user)
    services.refine_contacts(
        segment, criteria={"contact": {"city": "Bergen"}}, entire_companies=True, user=user
    )
    assert contact_nos(segment) == ["CO1", "P1", "P2"]


# --- go back -------------------------------------------------------------------------------


def test_go_back_after_reduce_restores_lines_with_overrides_line_numbers_and_added_by(
    segment, user
):
    template = InteractionTemplateFactory()
    seller = SalespersonFactory()
    ContactFactory(no="P1", name="A", city="Bergen")
    ContactFactory(no="P2", name="B", city="Oslo")
    added = add_country(segment, user)
    line = SegmentLine.objects.get(segment=segment, contact__no="P1")
    SegmentLine.objects.filter(pk=line.pk).update(
        description="Personal offer",
        cost=Decimal("12.50"),
        date=datetime.date(2026, 1, 2),
        interaction_template=template,
        salesperson=seller,
        personal_note="Met at the fair",
        evaluation="positive",
    )
    before = state(segment)
    services.reduce_contacts(segment, criteria={"contact": {"city": "Bergen"}}, user=user)
    assert contact_nos(segment) == ["P2"]
    undone = services.go_back(segment, user=user)
    assert undone.action == "reduce"
    assert state(segment) == before
    restored = SegmentLine.objects.get(segment=segment, contact__no="P1")
    assert restored.line_no == line.line_no
    assert restored.added_by_id == added.pk
    assert restored.interaction_template == template
    assert restored.salesperson == seller
    assert restored.personal_note == "Met at the fair"
    assert restored.evaluation == "positive"
    assert restored.date == datetime.date(2026, 1, 2)
    assert not RemovedLine.objects.filter(segment=segment).exists()


def test_go_back_is_repeatable_down_to_the_first_action_then_refuses(segment, user):
    ContactFactory(no="P1", name="A", city="Bergen")
    ContactFactory(no="P2", name="B", city="Oslo")
    ContactFactory(no="S1", name="C", city="Lund", country="SE")
    add_country(segment, user)
    after_first = state(segment)
    add_country(segment, user, "SE")
    after_second = state(segment)
    services.refine_contacts(segment, criteria={"contact": {"city": "Oslo"}}, user=user)
    assert contact_nos(segment) == ["P2"]
    services.go_back(segment, user=user)
    assert state(segment) == after_second
    services.go_back(segment, user=user)
    assert state(segment) == after_first
    services.go_back(segment, user=user)
    assert lines(segment) == []
    assert not segment.actions.exists()
    with pytest.raises(SegmentError, match=f"Segment {segment.no} has no action to go back"):
        services.go_back(segment, user=user)


def test_a_manual_add_is_an_action_that_go_back_undoes(segment, user):
    ContactFactory(no="P1")
    add_country(segment, user)
    before = state(segment)
    excluded = ContactFactory(no="X1", exclude_from_segment=True)
    line = services.add_line(segment, contact=excluded, user=user, description="By hand")
    assert (line.line_no, line.description) == (20000, "By hand")
    action = segment.actions.get(seq=2)
    assert line.added_by == action
    assert (action.action, action.added) == ("add", 1)
    assert action.criteria == {"contact": {"no": ["X1"]}}
    services.go_back(segment, user=user)
    assert state(segment) == before


def test_a_manual_add_of_a_contact_already_on_the_segment_adds_a_second_line(segment, user):
    """SPEC 4.1: the manual add itself adds the line, whatever the contact; only its
    recorded action (every option off) keeps a replay from duplicating it."""
    ContactFactory(no="P1")
    add_country(segment, user)
    line = services.add_line(segment, contact="p1", user=user)
    assert line.line_no == 20000
    assert list(segment.lines.order_by("line_no").values_list("contact__no", "line_no")) == [
        ("P1", 10000),
        ("P1", 20000),
    ]


def test_line_values_are_set_and_reset_under_the_segment_lock(segment, user):
    from jobs.models import Job

    ContactFactory(no="P1")
    add_country(segment, user)
    line = segment.lines.get()
    services.set_line_values(line, user=user, description="Own", cost=Decimal("2"))
    line.refresh_from_db()
    assert (line.description, line.cost) == ("Own", Decimal("2.00"))
    services.reset_line_value(line, field="cost", user=user)
    line.refresh_from_db()
    assert (line.description, line.cost) == ("Own", None)
    with pytest.raises(SegmentError, match="A segment line has no field colour"):
        services.set_line_values(line, user=user, colour="red")
    # A background job holds the segment: edits of its lines wait for it, as steps do.
    Job.objects.create(kind="segments.log", description="Log", target=segment.no, state="running")
    with pytest.raises(SegmentError, match=f"Segment {segment.no} is locked") as caught:
        services.set_line_values(line, user=user, description="Late")
    assert caught.value.code == "segment_busy"
    line.refresh_from_db()
    assert line.description == "Own"


def test_a_manual_removal_is_an_action_that_go_back_undoes(segment, user):
    ContactFactory(no="P1", name="A")
    ContactFactory(no="P2", name="B")
    add_country(segment, user)
    add_country(segment, user, allow_existing=True)
    before = state(segment)
    line = SegmentLine.objects.get(segment=segment, line_no=30000)
    action = services.remove_line(line, user=user)
    # Only that line goes, not the contact's other line.
    assert lines(segment) == [(10000, "P1"), (20000, "P2"), (40000, "P2")]
    assert (action.action, action.removed) == ("reduce", 1)
    services.go_back(segment, user=user)
    assert state(segment) == before


def test_add_line_refuses_unknown_fields_and_invalid_values_changing_nothing(segment, user):
    contact = ContactFactory(no="P1")
    before = state(segment)
    with pytest.raises(SegmentError, match="A segment line has no field colour"):
        services.add_line(segment, contact=contact, user=user, colour="red")
    with pytest.raises(SegmentError, match="Line for contact P1: Cost cannot be negative."):
        services.add_line(segment, contact=contact, user=user, cost=Decimal("-1"))
    with pytest.raises(SegmentError, match="Contact NOPE does not exist"):
        services.add_line(segment, contact="NOPE", user=user)
    assert state(segment) == before


# --- preview -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "criteria", "options"),
    [
        ("add", {"contact": {"city": "Bergen"}}, {"expand_companies": True}),
        ("add", {"contact": {"country": "NO"}}, {"allow_existing": True}),
        ("reduce", {"contact": {"city": "Oslo"}}, {}),
        ("refine", {"contact": {"city": "Bergen"}}, {"entire_companies": True}),
    ],
)
def test_preview_changes_nothing_and_predicts_exactly_what_the_action_does(
    segment, user, action, criteria, options
):
    acme = CompanyFactory(no="CO1", name="Acme", city="Oslo")
    ContactFactory(no="P1", name="A", company=acme, city="Bergen")
    ContactFactory(no="P2", name="B", company=acme, city="Oslo")
    ContactFactory(no="P3", name="C", city="Oslo")
    services.add_contacts(segment, criteria={"contact": {"no": ["P1", "P3"]}}, user=user)
    before = state(segment)
    before_nos = contact_nos(segment)
    shown = services.preview(segment, action=action, criteria=criteria, **options)
    assert state(segment) == before
    service = {
        "add": services.add_contacts,
        "reduce": services.reduce_contacts,
        "refine": services.refine_contacts,
    }[action]
    done = service(segment, criteria=criteria, user=user, **options)
    after_nos = contact_nos(segment)
    assert (shown.added, shown.removed) == (done.added, done.removed)
    assert shown.description == done.description
    if action == "add":
        assert [c.no for c in shown.sample] == after_nos[len(before_nos) :]
    else:
        gone = list(before_nos)
        for no in after_nos:
            gone.remove(no)
        assert sorted(c.no for c in shown.sample) == sorted(set(gone))


def test_preview_samples_at_most_twenty_contacts(segment, user):
    ContactFactory.create_batch(25)
    shown = services.preview(segment, action="add", criteria={"contact": {"country": "NO"}})
    assert shown.added == 25
    assert len(shown.sample) == 20
    assert isinstance(shown.sample[0], Contact)


def test_preview_refuses_unknown_actions_and_options(segment):
    with pytest.raises(SegmentError, match='Unknown action "merge"'):
        services.preview(segment, action="merge", criteria={})
    with pytest.raises(SegmentError, match="has no option entire_companies"):
        services.preview(segment, action="add", criteria={}, entire_companies=True)


# --- bad criteria change nothing -----------------------------------------------------------


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        ({"planet": {"name": "Mars"}}, 'Unknown criteria source "planet"'),
        ({"contact": {"shoe_size": 42}}, 'Criteria source "contact" has no filter "shoe_size"'),
        (
            {"contact": {"has_email": "perhaps"}},
            'Criteria source "contact", filter "has_email": value "perhaps" is not valid',
        ),
        (
            {"mailing_group": {"mailing_group": "NOSUCH"}},
            'filter "mailing_group": value "NOSUCH" is not valid. '
            "Mailing group NOSUCH does not exist.",
        ),
    ],
)
@pytest.mark.parametrize("operation", ["add", "reduce", "refine", "preview"])
def test_bad_criteria_raise_a_segment_error_and_change_nothing(
    segment, user, criteria, message, operation
):
    ContactFactory(no="P1")
    add_country(segment, user)
    before = state(segment)
    with pytest.raises(SegmentError) as error:
        if operation == "preview":
            services.preview(segment, action="add", criteria=criteria)
        else:
            service = getattr(services, f"{operation}_contacts")
            service(segment, criteria=criteria, user=user)
    assert message in " ".join(error.value.messages)
    assert state(segment) == before


# --- saved criteria ------------------------------------------------------------------------


def test_save_criteria_copies_every_action_with_its_options(segment, user):
    ContactFactory(no="P1", city="Bergen")
    add_country(segment, user, expand_companies=True)
    services.refine_contacts(
        segment, criteria={"contact": {"city": "Bergen"}}, entire_companies=True, user=user
    )
    saved = services.save_criteria(segment, code="norway", description="Norway", user=user)
    assert saved.code == "NORWAY"
    steps = list(saved.actions.order_by("seq").values())
    assert [(s["seq"], s["action"]) for s in steps] == [(1, "add"), (2, "refine")]
    assert steps[0]["expand_companies"] is True
    assert steps[1]["entire_companies"] is True
    assert steps[1]["criteria"] == {"contact": {"city": ["Bergen"]}}


def test_save_criteria_refuses_a_segment_without_actions_and_a_code_in_use(segment, user):
    with pytest.raises(SegmentError, match=f"Segment {segment.no} has no criteria actions"):
        services.save_criteria(segment, code="EMPTY", description="", user=user)
    assert SavedCriteria.objects.count() == 0
    ContactFactory(no="P1")
    add_country(segment, user)
    services.save_criteria(segment, code="NORWAY", description="", user=user)
    before = state(segment)
    with pytest.raises(SegmentError, match="Saved criteria NORWAY already exist"):
        services.save_criteria(segment, code="norway", description="again", user=user)
    with pytest.raises(SegmentError, match='Saved criteria code "BAD CODE!" is not valid'):
        services.save_criteria(segment, code="bad code!", description="", user=user)
    assert state(segment) == before
    assert SavedCriteria.objects.get().description == ""


def test_reuse_criteria_replays_refine_with_entire_companies(segment, user):
    acme = CompanyFactory(no="CO1", name="Acme")
    ContactFactory(no="P1", name="A", company=acme, city="Bergen")
    ContactFactory(no="P2", name="B", company=acme, city="Oslo")
    ContactFactory(no="P3", name="C", city="Oslo")
    add_country(segment, user)
    services.refine_contacts(
        segment, criteria={"contact": {"city": "Bergen"}}, entire_companies=True, user=user
    )
    services.save_criteria(segment, code="ACME", description="", user=user)
    other = services.create_segment(user=user)
    replayed = services.reuse_criteria(other, saved="ACME", user=user)
    assert contact_nos(other) == contact_nos(segment) == ["CO1", "P1", "P2"]
    assert [(a.seq, a.action, a.entire_companies) for a in replayed] == [
        (1, "add", False),
        (2, "refine", True),
    ]
    assert replayed[1].removed == 1


def test_reuse_criteria_of_a_missing_code_is_refused_changing_nothing(segment, user):
    before = state(segment)
    with pytest.raises(SegmentError, match="Saved criteria NOPE do not exist"):
        services.reuse_criteria(segment, saved="NOPE", user=user)
    assert state(segment) == before


def test_reuse_criteria_rolls_back_every_step_when_a_later_step_fails(segment, user):
    news = MailingGroupFactory(code="NEWS")
    ContactFactory(no="P1").mailing_groups.add(news)
    add_country(segment, user)
    services.reduce_contacts(
        segment, criteria={"mailing_group": {"mailing_group": "NEWS"}}, user=user
    )
    services.save_criteria(segment, code="NEWS", description="", user=user)
    news.delete()
    other = services.create_segment(user=user)
    with pytest.raises(SegmentError, match="Mailing group NEWS does not exist"):
        services.reuse_criteria(other, saved="NEWS", user=user)
    assert state(other) == ([], [], 0, 1)


# --- reuse logged segment ------------------------------------------------------------------


def logged_segment(user, contacts, canceled=()):
    logged = LoggedSegment.objects.create(segment_no="SEG09999", created_by=user)
    for contact in contacts:
        InteractionLogEntry.objects.create(
            contact=contact,
            contact_name=contact.name,
            logged_segment=logged,
            segment_no=logged.segment_no,
            date=datetime.date(2025, 5, 1),
            canceled=contact in canceled,
            created_by=user,
        )
    return logged


def test_reuse_logged_segment_adds_a_line_per_entry_in_one_action(segment, user):
    a = ContactFactory(no="P1", name="A")
    b = ContactFactory(no="P2", name="B", exclude_from_segment=True)
    logged = logged_segment(user, [b, a])
    action = services.reuse_logged_segment(segment, logged=logged, user=user)
    assert lines(segment) == [(10000, "P1"), (20000, "P2")]
    assert (action.action, action.added) == ("add", 2)
    assert action.criteria == {"interaction": {"logged_segment": ["SEG09999"]}}
    assert segment.actions.count() == 1


def test_reuse_logged_segment_can_skip_canceled_entries(segment, user):
    a = ContactFactory(no="P1", name="A")
    b = ContactFactory(no="P2", name="B")
    logged = logged_segment(user, [a, b], canceled=[b])
    action = services.reuse_logged_segment(segment, logged=logged, skip_canceled=True, user=user)
    assert contact_nos(segment) == ["P1"]
    assert action.added == 1
    services.go_back(segment, user=user)
    assert lines(segment) == []


# --- mailing groups ------------------------------------------------------------------------


def test_apply_mailing_group_adds_every_lines_contact(segment, user):
    news = MailingGroupFactory(code="NEWS")
    ContactFactory(no="P1")
    already = ContactFactory(no="P2")
    outsider = ContactFactory(no="S1", country="SE")
    already.mailing_groups.add(news)
    outsider.mailing_groups.add(news)
    add_country(segment, user)
    assert services.mailing_group_assignment_count(news) == 2
    added = services.apply_mailing_group(segment, mailing_group="news", user=user)
    assert added == 1
    assert set(news.contacts.values_list("no", flat=True)) == {"P1", "P2", "S1"}


def test_apply_mailing_group_with_delete_old_assignments_empties_the_group_first(segment, user):
    news = MailingGroupFactory(code="NEWS")
    ContactFactory(no="P1").mailing_groups.add(news)
    ContactFactory(no="P2")
    ContactFactory(no="S1", country="SE").mailing_groups.add(news)
    add_country(segment, user)
    assert services.mailing_group_assignment_count("NEWS") == 2
    services.apply_mailing_group(
        segment, mailing_group=news, delete_old_assignments=True, user=user
    )
    assert set(news.contacts.values_list("no", flat=True)) == {"P1", "P2"}


def test_apply_mailing_group_refuses_an_unknown_group(segment, user):
    with pytest.raises(SegmentError, match="Mailing group GONE does not exist"):
        services.apply_mailing_group(segment, mailing_group="GONE", user=user)


# --- export --------------------------------------------------------------------------------


def test_export_contacts_writes_formula_like_text_as_text(segment, user):
    """A name such as "=HYPERLINK(...)" must not run as a formula in a spreadsheet."""
    ContactFactory(no="P1", name='=HYPERLINK("http://x")', city="Bergen")
    services.add_contacts(segment, criteria={"contact": {"city": ["Bergen"]}}, user=user)
    stream = io.StringIO()
    services.export_contacts(segment, stream)
    rows = list(csv.reader(io.StringIO(stream.getvalue())))
    assert rows[1][3] == '\'=HYPERLINK("http://x")'


def test_export_contacts_writes_one_csv_row_per_line(segment, user):
    acme = CompanyFactory(no="CO1", name="Acme")
    ContactFactory(no="P1", name="Kari, Nordmann", company=acme, email="kari@example.com")
    add_country(segment, user)
    add_country(segment, user, allow_existing=True)
    stream = io.StringIO()
    assert services.export_contacts(segment, stream) == 4
    rows = list(csv.reader(io.StringIO(stream.getvalue())))
    assert rows[0][:4] == ["Line no.", "No.", "Type", "Name"]
    assert [row[:2] for row in rows[1:]] == [
        ["10000", "CO1"],
        ["20000", "P1"],
        ["30000", "CO1"],
        ["40000", "P1"],
    ]
    assert rows[2][3] == "Kari, Nordmann"
    assert rows[2][4] == "CO1"
    assert "kari@example.com" in rows[2]
