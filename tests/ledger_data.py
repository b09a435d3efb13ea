"""One row of every model, ledger included, for tests that walk the admin or the ledger."""

import datetime

from crm import services as crm_services
from crm.models import CompanyInformation, ErasureRecord, NumberSeries
from crm.services.time_zones import set_time_zone
from interactions.models import (
    Campaign,
    CampaignContactSummary,
    CampaignEntry,
    CampaignSegmentSummary,
    InteractionDaySummary,
    InteractionDraft,
    InteractionLogEntry,
    InteractionNote,
    LoggedSegment,
)
from jobs.models import Job
from segments.models import (
    CriteriaAction,
    RemovedLine,
    SavedCriteria,
    SavedCriteriaAction,
    SegmentLanguage,
    SegmentLine,
)
from tests.factories import (
    BusinessRelationFactory,
    CompanyFactory,
    ContactFactory,
    IndustryGroupFactory,
    InteractionTemplateLanguageFactory,
    JobResponsibilityFactory,
    MailingGroupFactory,
    SalespersonFactory,
    SalutationFormulaFactory,
    SegmentFactory,
    TerritoryFactory,
    UserFactory,
)


def logged_segment(user, **kwargs) -> LoggedSegment:
    values = {"segment_no": "SEG90001", "description": "Spring mailing", "created_by": user}
    return LoggedSegment.objects.create(**{**values, **kwargs})


def log_entry(contact, user, **kwargs) -> InteractionLogEntry:
    values = {
        "contact": contact,
        "contact_company": contact.company,
        "contact_name": contact.name,
        "date": datetime.date(2026, 3, 1),
        "description": "Spring offer",
        "cost": 2,
        "duration": 5,
        "created_by": user,
    }
    return InteractionLogEntry.objects.create(**{**values, **kwargs})


def one_of_everything(user) -> dict:
    """A saved row of every model of the three apps, keyed by model class."""
    company = CompanyFactory(name="Fabrikam")
    person = ContactFactory(company=company)
    formula = SalutationFormulaFactory()
    version = InteractionTemplateLanguageFactory()
    segment = SegmentFactory(created_by=user, interaction_template=version.template)
    action = CriteriaAction.objects.create(
        segment=segment,
        seq=1,
        action="add",
        criteria={"contact": {"city": ["Oslo"]}},
        created_by=user,
    )
    line = SegmentLine.objects.create(
        segment=segment, line_no=10000, contact=person, added_by=action
    )
    reduce = CriteriaAction.objects.create(segment=segment, seq=2, action="reduce", created_by=user)
    removed = RemovedLine.objects.create(
        segment=segment, line_no=20000, contact=company, removed_by=reduce
    )
    saved = SavedCriteria.objects.create(code="OSLO", description="Oslo", created_by=user)
    saved_action = SavedCriteriaAction.objects.create(saved=saved, seq=1, action="add")
    logged = logged_segment(user)
    entry = log_entry(person, user, logged_segment=logged, template=version.template)
    objects = [
        company,
        formula.salutation,
        formula,
        SalespersonFactory(),
        TerritoryFactory(),
        MailingGroupFactory(),
        IndustryGroupFactory(),
        JobResponsibilityFactory(),
        BusinessRelationFactory(),
        CompanyInformation.objects.create(name="CRONUS"),
        NumberSeries.objects.create(code="CONTACT", prefix="CT", width=6),
        version.template.group,
        version.template,
        version,
        segment,
        SegmentLanguage.objects.create(segment=segment, language="nb", subject="Tilbud"),
        line,
        action,
        removed,
        saved,
        saved_action,
        logged,
        entry,
        Job.objects.create(
            kind="log_segment", description="Log segment", target=segment.no, created_by=user
        ),
        UserFactory(username="someone"),
        InteractionDraft.objects.create(
            contact=person, template=version.template, created_by=user, description="Call"
        ),
        InteractionNote.objects.create(entry=entry, comment="Called back", created_by=user),
        ErasureRecord.objects.create(contact_no="CT999999", reason="Request", created_by=user),
        crm_services.set_consent(
            person, channel="letter", granted=False, source="staff", user=user, note="No paper"
        ),
    ]
    campaign = Campaign.objects.create(description="Spring fair", created_by=user)
    objects += [
        campaign,
        CampaignEntry.objects.create(
            campaign=campaign, date=datetime.date(2026, 3, 1), created_by=user
        ),
    ]
    # The ledger's summaries (issue 16): a row each once an entry of the campaign exists.
    log_entry(company, user, campaign=campaign, segment_no="SEG90002")
    objects += [
        InteractionDaySummary.objects.first(),
        CampaignContactSummary.objects.first(),
        CampaignSegmentSummary.objects.first(),
        set_time_zone(user, time_zone="Europe/Oslo"),
    ]
    return {type(obj): obj for obj in objects}
