"""Effective line values (SPEC 4.2): each field's chain, computed in SQL."""

import datetime
from decimal import Decimal

import pytest

from crm.choices import CorrespondenceType
from interactions.choices import InformationFlow, InitiatedBy
from segments.models import SegmentLanguage, SegmentLine
from tests.factories import (
    ContactFactory,
    InteractionGroupFactory,
    InteractionTemplateFactory,
    InteractionTemplateLanguageFactory,
    SalespersonFactory,
    SegmentFactory,
)

from .builders import add_line

pytestmark = pytest.mark.django_db


def effective(line: SegmentLine) -> SegmentLine:
    return SegmentLine.objects.with_effective_values().get(pk=line.pk)


@pytest.fixture
def template():
    return InteractionTemplateFactory(
        description="Template letter",
        unit_cost=Decimal("3.00"),
        unit_duration=Decimal("10.00"),
        information_flow=InformationFlow.OUTBOUND,
        initiated_by=InitiatedBy.US,
        correspondence_type=CorrespondenceType.HARD_COPY,
        default_language="en",
    )


@pytest.fixture
def segment(template):
    return SegmentFactory(description="", interaction_template=template)


def test_template_is_the_lines_else_the_segments_and_gives_the_group(segment, template):
    own = InteractionTemplateFactory(group=InteractionGroupFactory(code="CALLS"))
    inheriting = add_line(segment)
    overriding = add_line(segment, interaction_template=own)
    assert effective(inheriting).effective_template == template.pk
    assert effective(inheriting).effective_group == template.group_id
    assert effective(overriding).effective_template == own.pk
    assert effective(overriding).effective_group == own.group_id


def test_description_chain_line_then_line_template_then_segment_then_segment_template(
    segment, template
):
    line = add_line(segment)
    assert effective(line).effective_description == "Template letter"
    segment.description = "Spring campaign"
    segment.save()
    assert effective(line).effective_description == "Spring campaign"
    overriding = add_line(
        segment, interaction_template=InteractionTemplateFactory(description="Phone call")
    )
    assert effective(overriding).effective_description == "Phone call"
    line.description = "Personal visit"
    line.save()
    assert effective(line).effective_description == "Personal visit"


@pytest.mark.parametrize(
    ("line_field", "segment_field", "template_field", "values"),
    [
        ("cost", "unit_cost", "unit_cost", [Decimal("3"), Decimal("7"), Decimal("9"), 1]),
        ("duration", "unit_duration", "unit_duration", [Decimal("10"), Decimal("15"), 20, 2]),
        ("information_flow", "information_flow", "information_flow", ["outbound", "inbound"]),
        ("initiated_by", "initiated_by", "initiated_by", ["us", "them"]),
    ],
)
def test_value_chain_line_then_line_template_then_segment_then_segment_template(
    segment, line_field, segment_field, template_field, values
):
    name = f"effective_{line_field}"
    line = add_line(segment)
    assert getattr(effective(line), name) == values[0]  # the segment template's
    setattr(segment, segment_field, values[1])
    segment.save()
    assert getattr(effective(line), name) == values[1]  # the segment's beats its template
    if len(values) > 2:
        own = InteractionTemplateFactory(**{template_field: values[2]})
        line.interaction_template = own
        line.save()
        assert getattr(effective(line), name) == values[2]  # the line's own template
        setattr(line, line_field, values[3])
        line.save()
        assert getattr(effective(line), name) == values[3]  # the line itself
    else:
        setattr(line, line_field, values[0])
        line.save()
        assert getattr(effective(line), name) == values[0]


def test_date_is_the_lines_else_the_segments(segment):
    segment.date = datetime.date(2026, 11, 28)
    segment.save()
    line = add_line(segment)
    dated = add_line(segment, date=datetime.date(2026, 12, 1))
    assert effective(line).effective_date == datetime.date(2026, 11, 28)
    assert effective(dated).effective_date == datetime.date(2026, 12, 1)


def test_salesperson_is_the_lines_else_the_segments_else_the_contacts(segment):
    contact_sp, segment_sp, line_sp = SalespersonFactory.create_batch(3)
    line = add_line(segment, ContactFactory(salesperson=contact_sp))
    assert effective(line).effective_salesperson == contact_sp.pk
    segment.salesperson = segment_sp
    segment.save()
    assert effective(line).effective_salesperson == segment_sp.pk
    line.salesperson = line_sp
    line.save()
    assert effective(line).effective_salesperson == line_sp.pk
    orphan = add_line(SegmentFactory(), ContactFactory(salesperson=None))
    assert effective(orphan).effective_salesperson is None


class TestCorrespondenceType:
    def test_the_lines_own_value_wins(self, segment):
        line = add_line(segment, correspondence_type=CorrespondenceType.EMAIL)
        assert effective(line).effective_correspondence_type == "email"

    def test_the_segments_when_it_ignores_the_contacts_type_and_has_one(self, segment):
        segment.correspondence_type = CorrespondenceType.EMAIL
        segment.ignore_contact_correspondence_type = True
        segment.save()
        line = add_line(segment, ContactFactory(correspondence_type="hard_copy"))
        assert effective(line).effective_correspondence_type == "email"

    def test_a_segment_that_ignores_but_has_none_falls_through(self, segment):
        segment.ignore_contact_correspondence_type = True
        segment.save()
        line = add_line(segment, ContactFactory(correspondence_type="email"))
        assert effective(line).effective_correspondence_type == "email"  # the contact's

    def test_a_segment_type_that_does_not_ignore_the_contacts_is_not_used(self, segment):
        segment.correspondence_type = CorrespondenceType.HARD_COPY
        segment.save()
        line = add_line(segment, ContactFactory(correspondence_type="email"))
        assert effective(line).effective_correspondence_type == "email"

    def test_a_blank_ignore_on_the_segment_takes_the_templates(self, segment, template):
        """Blank means "from the template": a segment whose template ignores the contact's
        type ignores it too, so the segment's own type is used."""
        template.ignore_contact_correspondence_type = True
        template.correspondence_type = CorrespondenceType.EMAIL
        template.save()
        segment.correspondence_type = CorrespondenceType.HARD_COPY
        segment.save()
        assert segment.ignore_contact_correspondence_type is None
        line = add_line(segment, ContactFactory(correspondence_type="email"))
        assert effective(line).effective_correspondence_type == "hard_copy"
        segment.ignore_contact_correspondence_type = False
        segment.save()
        # The segment does not ignore it; the template still does (SPEC 4.2, third case).
        assert effective(line).effective_correspondence_type == "email"

    def test_the_templates_when_the_template_ignores_the_contacts_type(self, segment, template):
        template.ignore_contact_correspondence_type = True
        template.save()
        line = add_line(segment, ContactFactory(correspondence_type="email"))
        assert effective(line).effective_correspondence_type == "hard_copy"

    def test_the_templates_when_the_contact_has_none(self, segment):
        line = add_line(segment, ContactFactory(correspondence_type=""))
        assert effective(line).effective_correspondence_type == "hard_copy"

    def test_else_the_contacts(self, segment):
        line = add_line(segment, ContactFactory(correspondence_type="email"))
        assert effective(line).effective_correspondence_type == "email"

    def test_the_lines_own_template_decides(self, segment):
        own = InteractionTemplateFactory(
            correspondence_type="email", ignore_contact_correspondence_type=True
        )
        line = add_line(
            segment, ContactFactory(correspondence_type="hard_copy"), interaction_template=own
        )
        assert effective(line).effective_correspondence_type == "email"


class TestLanguageAndSubject:
    def test_contact_language_when_the_template_has_a_version_in_it(self, segment, template):
        InteractionTemplateLanguageFactory(template=template, language="nb", subject="Hei")
        line = add_line(segment, ContactFactory(language="nb"))
        assert effective(line).effective_language == "nb"
        assert effective(line).effective_subject == "Hei"

    def test_segment_language_when_the_template_has_no_version_in_the_contacts(
        self, segment, template
    ):
        segment.language = "de"
        segment.save()
        InteractionTemplateLanguageFactory(template=template, language="en")
        line = add_line(segment, ContactFactory(language="nb"))
        assert effective(line).effective_language == "de"

    def test_template_default_language_last(self, segment, template):
        line = add_line(segment, ContactFactory(language="sv"))
        assert effective(line).effective_language == "en"

    def test_the_lines_language_wins(self, segment, template):
        InteractionTemplateLanguageFactory(template=template, language="nb")
        line = add_line(segment, ContactFactory(language="nb"), language="en")
        assert effective(line).effective_language == "en"

    def test_subject_chain(self, segment, template):
        line = add_line(segment, ContactFactory(language="en"))
        assert effective(line).effective_subject == "Template letter"  # the description
        InteractionTemplateLanguageFactory(template=template, language="en", subject="Offer")
        assert effective(line).effective_subject == "Offer"
        SegmentLanguage.objects.create(segment=segment, language="en", subject="Our offer")
        assert effective(line).effective_subject == "Our offer"
        line.subject = "Your offer"
        line.save()
        assert effective(line).effective_subject == "Your offer"

    def test_the_segment_headers_subject_is_its_subject_in_the_segments_language(
        self, segment, template
    ):
        """The header's subject is the segment's subject in its language (or, with no
        language on the header, the template's default language); a version for that
        language on the segment still comes first."""
        InteractionTemplateLanguageFactory(template=template, language="en", subject="Offer")
        InteractionTemplateLanguageFactory(template=template, language="nb", subject="Tilbud")
        english = add_line(segment, ContactFactory(language="en"))
        norwegian = add_line(segment, ContactFactory(language="nb"))
        segment.subject = "Spring offer"
        segment.save()
        assert effective(english).effective_subject == "Spring offer"
        assert effective(norwegian).effective_subject == "Tilbud"
        segment.language = "nb"
        segment.save()
        assert effective(english).effective_subject == "Offer"
        assert effective(norwegian).effective_subject == "Spring offer"
        SegmentLanguage.objects.create(segment=segment, language="nb", subject="Vårtilbud")
        assert effective(norwegian).effective_subject == "Vårtilbud"

    def test_document_chain(self, segment, template):
        InteractionTemplateLanguageFactory(
            template=template, language="en", document="templates/t/en/letter.docx"
        )
        line = add_line(segment, ContactFactory(language="en"))
        assert effective(line).effective_document == "templates/t/en/letter.docx"
        SegmentLanguage.objects.create(
            segment=segment, language="en", document="segments/s/en/edited.docx"
        )
        assert effective(line).effective_document == "segments/s/en/edited.docx"
        line.document = "segments/s/lines/10000/mine.docx"
        line.save()
        assert effective(line).effective_document == "segments/s/lines/10000/mine.docx"


def test_header_change_reaches_only_lines_that_do_not_override_it(segment):
    inheriting = add_line(segment)
    overriding = add_line(segment, description="Kept", cost=Decimal("1.50"))
    before = {line.pk: (line.description, line.cost) for line in SegmentLine.objects.all()}
    segment.description = "Autumn campaign"
    segment.unit_cost = Decimal("4.00")
    segment.save()
    assert effective(inheriting).effective_description == "Autumn campaign"
    assert effective(inheriting).effective_cost == Decimal("4.00")
    assert effective(overriding).effective_description == "Kept"
    assert effective(overriding).effective_cost == Decimal("1.50")
    # Nothing was copied into the lines.
    assert {line.pk: (line.description, line.cost) for line in SegmentLine.objects.all()} == (
        before
    )


def test_clearing_an_override_returns_the_line_to_inheriting(segment):
    line = add_line(segment, description="Mine", cost=Decimal("8"), information_flow="inbound")
    line.description, line.cost, line.information_flow = "", None, ""
    line.save()
    values = effective(line)
    assert values.effective_description == "Template letter"
    assert values.effective_cost == Decimal("3.00")
    assert values.effective_information_flow == "outbound"


def test_effective_values_are_one_query_for_many_lines(segment, django_assert_num_queries):
    for _ in range(5):
        add_line(segment)
    with django_assert_num_queries(1):
        rows = list(SegmentLine.objects.with_effective_values().values("effective_description"))
    assert len(rows) == 5
