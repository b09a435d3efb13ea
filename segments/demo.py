"""Demo history for ``seed_demo``: a year of logged segments and a few segments being built.

Everything is written through the services a user's clicks call (create, add / reduce /
refine, manual lines, log, cancel), so the demo shows what the application makes, and the
delivery outcome of emails through the ledger's one status door (``record_status``).
Criteria actions are set-based; only a handful of lines per segment are added by hand, so
the history costs a bounded number of queries per segment, whatever the contact count.

``seed_demo`` finds this module through the app registry and calls :func:`seed`.
"""

import datetime
import random
from collections.abc import Callable
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.choices import CorrespondenceType
from crm.models import Contact, Salesperson
from interactions import services as ledger
from interactions.choices import DeliveryStatus, Evaluation
from interactions.exceptions import InteractionError
from interactions.letters import build_document
from interactions.models import (
    Campaign,
    CampaignStatus,
    InteractionLogEntry,
    InteractionTemplate,
    LoggedSegment,
)

from . import services
from .models import Segment

#: The demo user who builds the segments being worked on, and the one who logs.
BUILDER, LOGGER = "marketing", "manager"
#: Fewer contacts than this and there is no history worth showing.
MINIMUM_CONTACTS = 20
#: Reasons a mail server gave for the demo's failed deliveries.
DELIVERY_ERRORS = [
    "550 5.1.1 Recipient address rejected: User unknown in virtual mailbox table",
    "552 5.2.2 Mailbox full: the recipient's mailbox is over its quota",
]
#: Answers to invitations and offers, recorded as the lines' evaluation; mostly positive.
EVALUATIONS = [
    Evaluation.VERY_POSITIVE,
    Evaluation.POSITIVE,
    Evaluation.POSITIVE,
    Evaluation.NEUTRAL,
    Evaluation.NEGATIVE,
    Evaluation.VERY_NEGATIVE,
]

NEWS = {"mailing_group": {"mailing_group": ["NEWS"]}}
EVENTS = {"mailing_group": {"mailing_group": ["EVENTS"]}}
NO_EMAIL = {"contact": {"has_email": ["false"]}}
#: "Reduce contacts: 3 or more interactions within 30 days" leaves out the over-contacted.
CONTACT_PRESSURE = {"interaction": {"min_count": ["3"], "within_days": ["30"]}}
PROSPECT_BUYERS = {
    "business_relation": {"business_relation": ["PROSP"]},
    "job_responsibility": {"job_responsibility": ["PURCHASE"]},
}
CUSTOMERS = {"business_relation": {"business_relation": ["CUST"]}, "contact": {"type": ["company"]}}
CUSTOMER_MANAGERS = {
    "business_relation": {"business_relation": ["CUST"]},
    "job_responsibility": {"job_responsibility": ["MGMT", "MARKETING"]},
}
DISLIKED_INVITATIONS = {
    "interaction": {"template": ["INVITE"], "evaluation": ["negative", "very_negative"]}
}

PERSONAL_LETTER = [
    "«OurName»\n«OurAddress»\n«OurPostCode» «OurCity»",
    "«MailingAddress»",
    "«DocumentDate»",
    "«FormalSalutation»,",
    "Thank you for a good meeting at the trade fair. As promised, here is an offer made "
    "for «CompanyName» alone: 15 % off the first order, valid until the end of the quarter.",
    "«PersonalNote»",
    "Yours sincerely,\n«SalespersonName»\n«SalespersonJobTitle»",
]


class History:
    """Writes the demo history with one random generator, so every run makes the same."""

    def __init__(self, *, seed: int, builder, logger):
        self.rng = random.Random(seed)
        self.builder = builder
        self.logger = logger
        self.today = timezone.localdate()
        self.templates = {t.code: t for t in InteractionTemplate.objects.all()}
        self.campaigns: dict[str, Campaign] = {}

    # --- helpers ---------------------------------------------------------------------

    def day(self, days_ago: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days_ago + self.rng.randint(0, 3))

    def segment(self, template: str, description: str, *, user, **header) -> Segment:
        return services.create_segment(
            user=user,
            description=description,
            interaction_template=self.templates[template],
            **header,
        )

    def build(self, segment: Segment, *steps: tuple[Callable, dict, dict]) -> None:
        for service, criteria, options in steps:
            service(segment, criteria=criteria, user=segment.created_by, **options)

    def by_hand(self, segment: Segment, count: int, **overrides) -> list:
        """Add ``count`` persons with an email address who are not on the segment yet."""
        candidates = list(
            Contact.objects.persons()
            .filter(exclude_from_segment=False, privacy_blocked=False)
            .exclude(email="")
            .exclude(segment_lines__segment=segment)
            .order_by("pk")
            .values_list("pk", flat=True)[:200]
        )
        chosen = self.rng.sample(candidates, min(count, len(candidates)))
        contacts = Contact.objects.in_bulk(chosen)
        return [
            services.add_line(
                segment,
                contact=contacts[pk],
                user=segment.created_by,
                **{
                    name: value(self.rng) if callable(value) else value
                    for name, value in overrides.items()
                },
            )
            for pk in chosen
        ]

    def log(self, segment: Segment, **options) -> LoggedSegment | None:
        if not segment.lines.exists():
            # Criteria that matched nobody in a small demo: a few contacts by hand.
            self.by_hand(segment, 3)
        if not segment.lines.exists():
            segment.delete()
            return None
        return services.log_segment(segment, user=self.logger, **options)

    def delivered(self, logged: LoggedSegment | None) -> None:
        """Record the emails as sent, and a few as failed with the mail server's reason."""
        if logged is None:
            return
        emails = InteractionLogEntry.objects.filter(
            logged_segment=logged, correspondence_type=CorrespondenceType.EMAIL
        )
        emails.record_status(delivery_status=DeliveryStatus.SENT, delivery_error="")
        entry_nos = list(emails.order_by("entry_no").values_list("pk", flat=True))
        failed = self.rng.sample(entry_nos, min(len(entry_nos), max(1, len(entry_nos) // 25)))
        for n, error in enumerate(DELIVERY_ERRORS):
            some = failed[n :: len(DELIVERY_ERRORS)]
            InteractionLogEntry.objects.filter(pk__in=some).record_status(
                delivery_status=DeliveryStatus.FAILED, delivery_error=error
            )

    def campaign(self, key: str, description: str, status: str, days: tuple[int, int]):
        """A campaign of the demo (SPEC 8), made through the service the pages call."""
        self.campaigns[key] = ledger.create_campaign(
            user=self.builder,
            description=description,
            status=status,
            starting_date=self.today - datetime.timedelta(days=days[0]),
            ending_date=self.today - datetime.timedelta(days=days[1]),
        )
        return self.campaigns[key]

    def responses(self, logged: LoggedSegment | None, key: str, share: int) -> None:
        """Replies to a campaign's mailing: one contact in ``share`` answers, logged as a
        single inbound interaction with "campaign response" on, as Business Central does."""
        template = self.templates.get("LETTERIN") or self.templates.get("CALL")
        if logged is None or template is None:
            return
        contacts = list(logged.entries.order_by("entry_no").values_list("contact", flat=True))
        answered = Contact.objects.in_bulk(self.rng.sample(contacts, len(contacts) // share))
        for contact in answered.values():
            try:
                ledger.log_interaction(
                    contact,
                    template=template,
                    user=self.builder,
                    description="Registration received",
                    date=min(self.today, logged.created_at.date() + datetime.timedelta(days=5)),
                    campaign=self.campaigns[key],
                    campaign_response=True,
                )
            except InteractionError:
                continue  # e.g. a contact without a salesperson: no answer recorded

    def evaluation(self, rng: random.Random) -> str:
        return rng.choice(EVALUATIONS)

    # --- the year --------------------------------------------------------------------

    def logged_history(self) -> list[LoggedSegment]:
        """About twenty logged segments over the last twelve months, oldest first."""
        logged = []
        add, reduce, refine = (
            services.add_contacts,
            services.reduce_contacts,
            services.refine_contacts,
        )

        def newsletter(days_ago: int) -> LoggedSegment | None:
            date = self.day(days_ago)
            segment = self.segment("NEWSL", f"Newsletter {date:%B %Y}", user=self.logger, date=date)
            self.build(segment, (add, NEWS, {}), (reduce, NO_EMAIL, {}))
            done = self.log(segment)
            self.delivered(done)
            return done

        def invitation(days_ago: int, description: str, language: str, campaign=None, **options):
            date = self.day(days_ago)
            header = {"campaign": campaign, "campaign_target": True} if campaign else {}
            segment = self.segment("INVITE", description, user=self.logger, date=date, **header)
            self.build(
                segment,
                (add, EVENTS, {}),
                (refine, {"contact": {"language": [language]}}, {}),
            )
            # The answers that came back, recorded on the lines before logging.
            self.by_hand(segment, 4, evaluation=self.evaluation)
            done = self.log(segment, **options)
            self.delivered(done)
            return done

        def offer(days_ago: int, description: str, campaign=None) -> LoggedSegment | None:
            date = self.day(days_ago)
            header = {"campaign": campaign, "campaign_target": True} if campaign else {}
            segment = self.segment("OFFER", description, user=self.logger, date=date, **header)
            self.build(segment, (add, PROSPECT_BUYERS, {}))
            self.by_hand(segment, 3, evaluation=self.evaluation)
            return self.log(segment)

        spring = self.campaign(
            "spring", "Spring customer day", CampaignStatus.COMPLETED, (330, 300)
        )
        autumn = self.campaign("autumn", "Autumn campaign", CampaignStatus.COMPLETED, (150, 60))
        christmas = self.campaign(
            "christmas", "Christmas reception", CampaignStatus.ACTIVE, (15, -20)
        )
        self.campaign("fair", "Spring fair", CampaignStatus.PLANNED, (-60, -90))
        for days_ago in (350, 320, 290, 260, 230, 200, 170, 140, 110, 80, 50, 20):
            logged.append(newsletter(days_ago))
            if days_ago == 320:
                logged.append(
                    invitation(315, "Spring customer day: invitation", "nb", campaign=spring)
                )
                self.responses(logged[-1], "spring", 3)
            if days_ago == 260:
                logged.append(offer(255, "Offer to prospects: purchasing"))
            if days_ago == 200:
                thanks = self.segment(
                    "THANKS", "Thank you to our customers", user=self.logger, date=self.day(195)
                )
                self.build(thanks, (add, CUSTOMERS, {}))
                logged.append(self.log(thanks))
                # Sent to the wrong list and canceled the same day.
                webinar = self.segment(
                    "INVITE",
                    "Webinar invitation (wrong list)",
                    user=self.logger,
                    date=self.day(190),
                )
                self.build(webinar, (add, NEWS, {}), (reduce, NO_EMAIL, {}))
                canceled = self.log(webinar)
                if canceled is not None:
                    ledger.set_logged_segment_canceled(canceled, canceled=True, user=self.logger)
                logged.append(canceled)
            if days_ago == 140:
                event = invitation(130, "Autumn customer day: invitation", "en", campaign=autumn)
                logged.append(event)
                self.responses(event, "autumn", 4)
                if event is not None:
                    logged.append(self.thank_attendees(event))
            if days_ago == 80:
                logged.append(offer(75, "Offer to prospects: autumn campaign", campaign=autumn))
                self.responses(logged[-1], "autumn", 5)
        # The latest newsletter: a few entries canceled one by one (sent twice by mistake).
        latest = next((done for done in reversed(logged) if done is not None), None)
        if latest is not None:
            entries = list(latest.entries.order_by("entry_no").values_list("pk", flat=True)[:3])
            ledger.set_entries_canceled(entries, canceled=True, user=self.logger)
        # Invitations to the next event went out last week; a follow-up is being built.
        logged.append(
            invitation(
                8,
                "Christmas reception: invitation",
                "nb",
                campaign=christmas,
                create_follow_up=True,
            )
        )
        self.responses(logged[-1], "christmas", 5)
        return [done for done in logged if done is not None]

    def thank_attendees(self, event: LoggedSegment) -> LoggedSegment | None:
        """A follow-up of an event: a thank-you letter to everyone it invited."""
        segment = self.segment(
            "THANKS",
            f"Thank you for coming (follow-up on {event.segment_no})",
            user=self.logger,
            date=self.day(120),
            follow_up_of=event,
        )
        services.reuse_logged_segment(segment, logged=event, skip_canceled=True, user=self.logger)
        return self.log(segment)

    def segments_being_built(self) -> list[Segment]:
        """Work in progress: a large segment, one with overrides and letters, an empty one."""
        add, reduce = services.add_contacts, services.reduce_contacts
        large = self.segment(
            "INVITE", "Customer day 2027: invitations", user=self.builder, date=self.day(-30)
        )
        self.build(
            large,
            (add, EVENTS, {}),
            (add, CUSTOMER_MANAGERS, {}),
            (reduce, NO_EMAIL, {}),
            (reduce, DISLIKED_INVITATIONS, {}),
        )
        if large.actions.exists():
            services.save_criteria(
                large,
                code="CUSTDAY",
                description="Customer day invitations",
                user=self.builder,
            )

        offers = self.segment(
            "OFFER",
            "Offer to prospects: spring campaign",
            user=self.builder,
            date=self.day(-10),
            campaign=self.campaigns.get("fair"),
            campaign_target=True,
        )
        self.build(offers, (add, PROSPECT_BUYERS, {}))
        other = Salesperson.objects.filter(blocked=False).exclude(user=self.builder).first()
        self.by_hand(
            offers,
            1,
            description="Offer with volume discount",
            cost=Decimal("2.50"),
            **({"salesperson": other} if other else {}),
        )
        self.by_hand(
            offers,
            1,
            correspondence_type=CorrespondenceType.EMAIL,
            subject="Your offer, by email as agreed",
        )
        self.by_hand(
            offers,
            1,
            personal_note="Good to meet you at the trade fair in Lillestrøm. "
            "The samples you asked for are on their way.",
        )
        self.by_hand(
            offers,
            1,
            personal_note="As agreed on the phone, the offer includes installation.",
            document=ContentFile(build_document(PERSONAL_LETTER), name="personal-offer.docx"),
        )

        empty = self.segment("NEWSL", "Newsletter, next month", user=self.builder)
        self.contact_pressure(empty)
        return [large, offers, empty]

    def contact_pressure(self, segment: Segment) -> None:
        """Saved criteria that leave out the over-contacted (SPEC 9), replayable anywhere.

        Recorded on ``segment`` as a step, saved, and undone again: the segment stays as
        it was.
        """
        services.reduce_contacts(segment, criteria=CONTACT_PRESSURE, user=self.builder)
        services.save_criteria(
            segment,
            code="PRESSURE",
            description="Contacted 3 or more times in 30 days",
            user=self.builder,
        )
        services.go_back(segment, user=self.builder)


def seed(*, seed: int) -> str | None:
    """Write the demo history once: only on a database with contacts and no segment yet.

    Returns a line for the command's output, or None when there was nothing to do.
    """
    users = {u.username: u for u in get_user_model().objects.filter(username__in=[BUILDER, LOGGER])}
    templates = InteractionTemplate.objects.filter(code__in=["NEWSL", "INVITE", "OFFER", "THANKS"])
    if (
        len(users) < 2
        or templates.count() < 4
        or Contact.objects.count() < MINIMUM_CONTACTS
        or Segment.objects.exists()
        or LoggedSegment.objects.exists()
        or Campaign.objects.exists()
    ):
        return None
    with transaction.atomic():
        history = History(seed=seed, builder=users[BUILDER], logger=users[LOGGER])
        logged = history.logged_history()
        history.segments_being_built()
    entries = InteractionLogEntry.objects.filter(logged_segment__in=logged).count()
    return _(
        "Demo history: %(logged)s logged segments with %(entries)s interaction log entries, "
        "%(segments)s segments being built, %(campaigns)s campaigns."
    ) % {
        "campaigns": Campaign.objects.count(),
        "logged": len(logged),
        "entries": f"{entries:,}",
        "segments": Segment.objects.count(),
    }
