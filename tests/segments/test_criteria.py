"""Criteria sources (SPEC section 3): what each filter matches and how bad input is refused."""

import datetime

import pytest
from django.http import QueryDict

from crm.filters import ContactFilter
from crm.models import Contact
from interactions.models import InteractionLogEntry, LoggedSegment
from segments.criteria import SOURCES, criteria_contacts, describe, parse_criteria
from segments.exceptions import SegmentError
from tests.factories import (
    BusinessRelationFactory,
    CompanyFactory,
    ContactFactory,
    IndustryGroupFactory,
    InteractionTemplateFactory,
    JobResponsibilityFactory,
    MailingGroupFactory,
    SalespersonFactory,
    TerritoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def matching(criteria) -> set[str]:
    return set(
        Contact.objects.filter(pk__in=criteria_contacts(criteria)).values_list("no", flat=True)
    )


def entry(contact, user, **values):
    values.setdefault("date", datetime.date(2025, 3, 1))
    return InteractionLogEntry.objects.create(
        contact=contact, contact_name=contact.name, created_by=user, **values
    )


def test_sources_registry_has_the_six_sources_of_the_spec():
    assert list(SOURCES) == [
        "contact",
        "mailing_group",
        "job_responsibility",
        "industry_group",
        "business_relation",
        "interaction",
    ]
    assert SOURCES["contact"] is ContactFilter
    assert list(ContactFilter.base_filters) == [
        "no",
        "name",
        "type",
        "company",
        "city",
        "post_code",
        "country",
        "territory",
        "salesperson",
        "language",
        "correspondence_type",
        "has_email",
        "job_title",
    ]
    assert list(SOURCES["interaction"].base_filters) == [
        "template",
        "group",
        "date_from",
        "date_to",
        "logged_segment",
        "salesperson",
        "evaluation",
        "canceled",
        "attempt_failed",
        "campaign",
        "campaign_target",
        "campaign_response",
        "min_count",
        "within_days",
    ]


def test_criteria_contacts_is_a_subquery_not_a_list():
    ContactFactory(no="A1")
    ids = criteria_contacts({"contact": {"no": "A1"}})
    assert hasattr(ids, "query")
    assert "SELECT" in str(ids.query)


def test_contact_filters_each_match_the_contact():
    north = TerritoryFactory(code="NORTH")
    seller = SalespersonFactory(code="ANN")
    acme = CompanyFactory(no="CO1", name="Acme")
    ContactFactory(
        no="P1",
        name="Kari Nordmann",
        company=acme,
        city="Bergen",
        post_code="5003",
        country="NO",
        territory=north,
        salesperson=seller,
        language="nb",
        correspondence_type="email",
        job_title="Chief buyer",
    )
    ContactFactory(
        no="P2", name="Sven Svensson", city="Malmö", post_code="2110", country="SE", email=""
    )
    assert matching({"contact": {"no": ["p1"]}}) == {"P1"}
    assert matching({"contact": {"name": "nordm"}}) == {"P1"}
    assert matching({"contact": {"type": "company"}}) == {"CO1"}
    assert matching({"contact": {"company": "CO1"}}) == {"CO1", "P1"}
    assert matching({"contact": {"city": "bergen"}}) == {"P1"}
    assert matching({"contact": {"post_code": "50"}}) == {"P1"}
    assert matching({"contact": {"country": "se"}}) == {"P2"}
    assert matching({"contact": {"territory": "north"}}) == {"P1"}
    assert matching({"contact": {"salesperson": ["ANN"]}}) == {"P1"}
    assert matching({"contact": {"language": "nb"}}) == {"P1"}
    assert matching({"contact": {"correspondence_type": "email"}}) == {"P1"}
    assert matching({"contact": {"has_email": False}}) == {"P2", "CO1"}
    assert matching({"contact": {"has_email": "yes"}}) == {"P1"}
    assert matching({"contact": {"job_title": "BUYER"}}) == {"P1"}


def test_a_list_means_any_of_and_all_filters_must_hold():
    ContactFactory(no="A", name="Ada", city="Oslo", country="NO")
    ContactFactory(no="B", name="Bo", city="Bergen", country="NO")
    ContactFactory(no="C", name="Cy", city="Oslo", country="SE")
    assert matching({"contact": {"city": ["Oslo", "Bergen"]}}) == {"A", "B", "C"}
    assert matching({"contact": {"country": "NO, SE", "city": "Oslo"}}) == {"A", "C"}
    assert matching({"contact": {"name": ["zzz", "y"]}}) == {"C"}
    assert matching({"contact": {"name": ["zzz", "q"]}}) == set()


def test_mailing_group_and_job_responsibility_match_the_contact_itself():
    news, promo = MailingGroupFactory(code="NEWS"), MailingGroupFactory(code="PROMO")
    buyer = JobResponsibilityFactory(code="BUYER")
    company = CompanyFactory(no="CO1")
    company.mailing_groups.add(news)
    reader = ContactFactory(no="P1", company=company)
    reader.mailing_groups.add(news)
    reader.job_responsibilities.add(buyer)
    ContactFactory(no="P2", company=company).mailing_groups.add(promo)
    assert matching({"mailing_group": {"mailing_group": "NEWS"}}) == {"CO1", "P1"}
    assert matching({"mailing_group": {"mailing_group": ["news", "promo"]}}) == {
        "CO1",
        "P1",
        "P2",
    }
    assert matching({"job_responsibility": {"job_responsibility": "BUYER"}}) == {"P1"}


def test_industry_group_and_business_relation_match_on_the_contacts_company():
    retail = IndustryGroupFactory(code="RETAIL")
    partner = BusinessRelationFactory(code="PARTNER")
    shop = CompanyFactory(no="CO1")
    shop.industry_groups.add(retail)
    shop.business_relations.add(partner)
    ContactFactory(no="P1", company=shop)
    other = CompanyFactory(no="CO2")
    loner = ContactFactory(no="P2", company=other)
    # A person's own groups do not count: the source matches on the company.
    loner.industry_groups.add(retail)
    loner.business_relations.add(partner)
    assert matching({"industry_group": {"industry_group": "RETAIL"}}) == {"CO1", "P1"}
    assert matching({"business_relation": {"business_relation": "PARTNER"}}) == {"CO1", "P1"}


def test_interaction_filters_must_hold_on_the_same_entry():
    user = UserFactory()
    letter, call = (
        InteractionTemplateFactory(code="LETTER"),
        InteractionTemplateFactory(code="CALL"),
    )
    logged = LoggedSegment.objects.create(segment_no="SEG00042", created_by=user)
    one, two, three = ContactFactory(no="A"), ContactFactory(no="B"), ContactFactory(no="C")
    entry(one, user, template=letter, group=letter.group, date=datetime.date(2025, 1, 10))
    # B has a LETTER entry and a recent entry, but never both on one entry.
    entry(two, user, template=letter, date=datetime.date(2024, 1, 10))
    entry(two, user, template=call, date=datetime.date(2025, 6, 1), evaluation="positive")
    entry(three, user, template=call, logged_segment=logged, canceled=True)
    assert matching({"interaction": {"template": "LETTER", "date_from": "2025-01-01"}}) == {"A"}
    assert matching({"interaction": {"date_to": "2024-12-31"}}) == {"B"}
    assert matching({"interaction": {"group": letter.group.code}}) == {"A"}
    assert matching({"interaction": {"evaluation": "positive"}}) == {"B"}
    assert matching({"interaction": {"logged_segment": "SEG00042"}}) == {"C"}
    assert matching({"interaction": {"canceled": True}}) == {"C"}
    assert matching({"interaction": {"canceled": False}}) == {"A", "B"}


def test_attempt_failed_finds_everyone_whose_call_failed_last_week():
    """SPEC 7: "everyone whose call failed last week" is a segment."""
    user = UserFactory()
    call = InteractionTemplateFactory(code="CALL")
    failed, reached, earlier = (
        ContactFactory(no="F"),
        ContactFactory(no="R"),
        ContactFactory(no="E"),
    )
    entry(failed, user, template=call, date=datetime.date(2026, 11, 24), attempt_failed=True)
    entry(reached, user, template=call, date=datetime.date(2026, 11, 25))
    entry(earlier, user, template=call, date=datetime.date(2026, 11, 2), attempt_failed=True)
    last_week = {"template": "CALL", "date_from": "2026-11-23", "date_to": "2026-11-29"}
    assert matching({"interaction": {**last_week, "attempt_failed": True}}) == {"F"}
    assert matching({"interaction": {**last_week, "attempt_failed": False}}) == {"R"}
    assert matching({"interaction": {"attempt_failed": True}}) == {"E", "F"}


def test_sources_combine_with_and():
    news = MailingGroupFactory(code="NEWS")
    a = ContactFactory(no="A", country="NO")
    b = ContactFactory(no="B", country="SE")
    a.mailing_groups.add(news)
    b.mailing_groups.add(news)
    criteria = {"contact": {"country": "NO"}, "mailing_group": {"mailing_group": "NEWS"}}
    assert matching(criteria) == {"A"}


def test_empty_criteria_match_every_contact():
    ContactFactory(no="A")
    ContactFactory(no="B")
    assert matching({}) == {"A", "B"}
    assert matching({"contact": {"name": []}}) == {"A", "B"}


def test_parse_normalises_criteria_for_storage_and_replay():
    TerritoryFactory(code="NORTH")
    parsed = parse_criteria(
        {
            "contact": {"country": "no, se", "territory": "north", "has_email": True, "city": []},
            "mailing_group": {},
        }
    )
    assert parsed.data == {
        "contact": {"country": ["NO", "SE"], "territory": ["NORTH"], "has_email": ["true"]}
    }
    assert parse_criteria(parsed.data).data == parsed.data


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({"contacts": {"city": "Oslo"}}, 'Unknown criteria source "contacts"'),
        ({"contact": {"town": "Oslo"}}, 'Criteria source "contact" has no filter "town"'),
        (
            {"contact": {"has_email": "maybe"}},
            'Criteria source "contact", filter "has_email": value "maybe" is not valid. '
            "Enter yes or no",
        ),
        (
            {"contact": {"country": "Narnia"}},
            'Criteria source "contact", filter "country": value "Narnia" is not valid. '
            '"Narnia" is not a country. Choose one from the list, or give its two-letter '
            "ISO code (NO for Norway).",
        ),
        (
            {"contact": {"territory": "SOUTH"}},
            'Criteria source "contact", filter "territory": value "SOUTH" is not valid. '
            "Territory SOUTH does not exist.",
        ),
        (
            {"contact": {"company": "CO404"}},
            'filter "company": value "CO404" is not valid. Company CO404 does not exist.',
        ),
        (
            {"mailing_group": {"mailing_group": ["NEWS", "GONE"]}},
            'Criteria source "mailing_group", filter "mailing_group": value "NEWS", "GONE" '
            "is not valid. Mailing group GONE does not exist.",
        ),
        (
            {"interaction": {"date_from": "yesterday"}},
            'Criteria source "interaction", filter "date_from": value "yesterday" is not '
            "valid. Enter a valid date.",
        ),
        (
            {"contact": {"type": "robot"}},
            'filter "type": value "robot" is not valid. robot is not one of the available',
        ),
        ({"contact": {"city": {"in": "Oslo"}}}, 'filter "city": value'),
        ({"contact": "Oslo"}, 'Criteria source "contact" must map filters to values'),
        (["Oslo"], "Criteria must map each source to its filters"),
    ],
)
def test_bad_criteria_are_refused_naming_source_filter_and_value(criteria, expected):
    MailingGroupFactory(code="NEWS")
    with pytest.raises(SegmentError) as error:
        parse_criteria(criteria)
    assert expected in " ".join(error.value.messages)


def test_every_problem_is_reported_at_once():
    with pytest.raises(SegmentError) as error:
        parse_criteria({"nope": {}, "contact": {"country": "XYZ", "town": "Oslo"}})
    messages = " ".join(error.value.messages)
    assert 'Unknown criteria source "nope"' in messages
    assert 'has no filter "town"' in messages


def test_contact_filter_reads_a_query_string_with_repeated_and_comma_separated_values():
    ContactFactory(no="A", country="NO")
    ContactFactory(no="B", country="SE")
    ContactFactory(no="C", country="DK")
    query = QueryDict("country=NO,SE&country=DK")
    filterset = ContactFilter(query, queryset=Contact.objects.all())
    assert filterset.is_valid()
    assert set(filterset.qs.values_list("no", flat=True)) == {"A", "B", "C"}
    assert filterset.form.helper.form_tag is False


def test_describe_reads_like_the_user_chose():
    assert (
        describe(
            "add",
            {"contact": {"country": ["NO"]}, "mailing_group": {"mailing_group": ["NEWS"]}},
            {"expand_companies": True, "allow_existing": False},
        )
        == "Add contacts: country is NO, mailing group is NEWS; expand companies"
    )
    assert (
        describe("reduce", {"contact": {"name": ["a", "b"], "has_email": ["false"]}}, {})
        == "Reduce contacts: name contains a or b, has email is no"
    )
    assert (
        describe("refine", {}, {"entire_companies": True})
        == "Refine contacts: all contacts; entire companies"
    )
