"""SPEC 4.2 is written once (issue 13): the effective values of a single interaction and of
segment lines come from the same builders in interactions.effective. A rule changed there
changes both paths; a second implementation (the former ``_single_values``) would not."""

import datetime

import pytest
from django.db.models import Value

from interactions import effective, services
from segments.models import SegmentLine
from tests.factories import (
    ContactFactory,
    InteractionTemplateFactory,
    InteractionTemplateLanguageFactory,
    SalespersonFactory,
    SegmentFactory,
    UserFactory,
)
from tests.segments.builders import add_line

pytestmark = pytest.mark.django_db


@pytest.fixture
def template():
    template = InteractionTemplateFactory(
        description="Offer", correspondence_type="hard_copy", default_language="en"
    )
    InteractionTemplateLanguageFactory(
        template=template, language="en", subject="Offer", document="letters/en.docx"
    )
    return template


def test_a_changed_rule_reaches_a_single_interaction_and_segment_lines(monkeypatch, template):
    """Replace three rules of the shared module: both paths follow, field by field."""
    texts = {"description": "shared text", "information_flow": "inbound", "initiated_by": "them"}
    monkeypatch.setattr(
        effective, "_inherited_text", lambda sources, field, *rest: Value(texts[field])
    )
    monkeypatch.setattr(effective, "_language", lambda sources: Value("de"))
    monkeypatch.setattr(effective, "effective_correspondence_type", lambda sources: Value("email"))
    contact = ContactFactory(
        language="en", email="ingrid@example.com", salesperson=SalespersonFactory()
    )
    user = UserFactory()
    segment = SegmentFactory(date=datetime.date(2026, 12, 1), created_by=user)
    add_line(segment, contact, interaction_template=template)

    line = SegmentLine.objects.filter(segment=segment).with_effective_values().values().get()
    entry = services.log_interaction(contact, template=template, user=user, description="given")

    for values in (line, {f"effective_{k}": v for k, v in vars(entry).items()}):
        assert values["effective_description"] == "shared text"
        assert values["effective_information_flow"] == "inbound"
        assert values["effective_initiated_by"] == "them"
        assert values["effective_language"] == "de"
        assert values["effective_correspondence_type"] == "email"


def test_log_interaction_and_its_preview_build_their_values_with_the_shared_builder(
    monkeypatch, template
):
    calls = []
    builder = effective.annotate_effective_values

    def spy(queryset, sources):
        calls.append(sources)
        return builder(queryset, sources)

    monkeypatch.setattr(effective, "annotate_effective_values", spy)
    contact = ContactFactory(language="en", salesperson=SalespersonFactory())
    user = UserFactory()

    # A template without a letter: the preview finds no document (in SQL) and renders none.
    assert (
        services.preview_interaction_letter(
            contact, template=InteractionTemplateFactory(), user=user
        )
        is None
    )
    entry = services.log_interaction(contact, template=template, user=user)

    # One row each, read from the contact itself (no segment header).
    assert [sources.contact for sources in calls] == ["", ""]
    assert entry.description == "Offer"
    assert entry.language == "en"
    assert entry.subject == "Offer"
    assert entry.document == "letters/en.docx"
    assert not hasattr(services, "_single_values")
