"""A single interaction and a one-line segment with the same inputs give the same entry:
both go through interactions.posting (checks, entry columns) and interactions.merge."""

import datetime
from decimal import Decimal

import pytest

from interactions import services
from interactions.models import InteractionLogEntry
from segments import services as segment_services
from tests.factories import (
    ContactFactory,
    InteractionTemplateFactory,
    InteractionTemplateLanguageFactory,
    SalespersonFactory,
    SalutationFormulaFactory,
    SegmentFactory,
    UserFactory,
)
from tests.segments.builders import add_line

pytestmark = pytest.mark.django_db

#: What differs by construction: the key, where it was logged from, when.
OWN = {"entry_no", "logged_segment", "segment_no", "created_at"}


def comparable(entry: InteractionLogEntry) -> dict:
    values = InteractionLogEntry.objects.filter(pk=entry.pk).values().get()
    values = {key: value for key, value in values.items() if key.removesuffix("_id") not in OWN}
    values["merge_data"] = {k: v for k, v in values["merge_data"].items() if k != "SegmentNo"}
    return values


def template_with_letters():
    template = InteractionTemplateFactory(
        description="Offer letter",
        unit_cost=Decimal("1.25"),
        unit_duration=3,
        information_flow="outbound",
        initiated_by="us",
        correspondence_type="hard_copy",
        default_language="en",
    )
    InteractionTemplateLanguageFactory(
        template=template, language="en", subject="Offer", document="letters/en.docx"
    )
    InteractionTemplateLanguageFactory(
        template=template, language="nb", subject="Tilbud", document="letters/nb.docx"
    )
    return template


def log_one_line_segment(contact, template, user, **line):
    segment = SegmentFactory(
        description="One line", date=line.pop("segment_date"), salesperson=None, created_by=user
    )
    add_line(segment, contact, interaction_template=template, **line)
    logged = segment_services.log_segment(segment, user=user)
    return logged.entries.get()


@pytest.mark.parametrize("language", ["nb", "en", "de"])
def test_defaults_give_the_same_entry_as_a_one_line_segment(language):
    template = template_with_letters()
    formula = SalutationFormulaFactory(language=language, formal="Dear {first_name}")
    contact = ContactFactory(
        language=language, salutation=formula.salutation, salesperson=SalespersonFactory()
    )
    user = UserFactory()
    day = datetime.date(2026, 11, 28)

    from_segment = log_one_line_segment(contact, template, user, segment_date=day)
    single = services.log_interaction(contact, template=template, user=user, date=day)

    assert comparable(single) == comparable(from_segment)
    assert single.merge_data["SegmentNo"] == ""


def test_overrides_give_the_same_entry_as_a_one_line_segment():
    template = template_with_letters()
    contact = ContactFactory(language="nb", email="", correspondence_type="email")
    user = UserFactory()
    salesperson = SalespersonFactory()
    given = {
        "description": "Called about the offer",
        "subject": "Re: offer",
        "language": "en",
        "correspondence_type": "email",
        "salesperson": salesperson,
        "cost": Decimal("7.50"),
        "duration": Decimal("20"),
        "information_flow": "inbound",
        "initiated_by": "them",
        "evaluation": "positive",
        "personal_note": "Wants it by post",
    }
    day = datetime.date(2026, 12, 1)

    from_segment = log_one_line_segment(
        contact, template, user, segment_date=datetime.date(2026, 1, 1), date=day, **given
    )
    single = services.log_interaction(contact, template=template, user=user, date=day, **given)

    assert comparable(single) == comparable(from_segment)
    assert single.correspondence_type == ""  # an email to a contact without an address
    assert single.merge_data["PersonalNote"] == "Wants it by post"
