"""Demo interactions with one contact for ``seed_demo``: calls, a letter received, notes
and a draft, so the contact card, the entry page and the log-interaction pages show
something real from the first ``make run``.

Written through the services a user's clicks call (``log_interaction``,
``add_interaction_note``, ``save_interaction_draft``). ``seed_demo`` finds this module
through the app registry and calls :func:`seed_reference` (the interaction groups and
letter templates the demo segments use) and :func:`seed`.
"""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.choices import CorrespondenceType
from crm.models import Contact

from . import services
from .choices import Evaluation, InformationFlow, InitiatedBy
from .letters import build_document
from .models import (
    InteractionGroup,
    InteractionLogEntry,
    InteractionTemplate,
    InteractionTemplateLanguage,
)

#: The demo user who records the calls.
USER = "marketing"
#: Fewer contacts than this and there is nothing worth showing.
MINIMUM_CONTACTS = 20
#: code: (group code, group description, description, flow, initiated by, cost, minutes)
TEMPLATES = {
    "CALL": ("PHONE", "Phone calls", "Phone call", InformationFlow.OUTBOUND, InitiatedBy.US, 5, 10),
    "LETTERIN": (
        "LETTER",
        "Letters",
        "Letter received",
        InformationFlow.INBOUND,
        InitiatedBy.THEM,
        0,
        5,
    ),
}
CALL_NOTES = [
    ("Wants the offer by post", Evaluation.POSITIVE, False),
    ("No answer, try again next week", "", True),
    ("Very interested in the customer day", Evaluation.VERY_POSITIVE, False),
    ("Not interested this year", Evaluation.NEGATIVE, False),
]
#: The letter templates of the demo segments, with their Word letters in two languages.
LETTER_HEAD = ["«OurName»\n«OurAddress»\n«OurPostCode» «OurCity»", "«MailingAddress»"]
LETTERS = {
    # code: (group, description, correspondence type, cost, minutes, {language: (subject, body)})
    "NEWSL": (
        "EMAIL",
        "Newsletter",
        CorrespondenceType.EMAIL,
        "0.10",
        "1",
        {
            "en": (
                "News from «OurName»",
                [
                    "«InformalSalutation»,",
                    "Here is what is new at «OurName» this month for «CompanyName».",
                    "«PersonalNote»",
                    "Best wishes,\n«SalespersonName»",
                ],
            ),
            "nb": (
                "Nytt fra «OurName»",
                [
                    "«InformalSalutation»,",
                    "Her er månedens nyheter fra «OurName» til «CompanyName».",
                    "«PersonalNote»",
                    "Vennlig hilsen\n«SalespersonName»",
                ],
            ),
        },
    ),
    "OFFER": (
        "LETTER",
        "Product offer",
        CorrespondenceType.HARD_COPY,
        "1.50",
        "5",
        {
            "en": (
                "Our offer for «CompanyName»",
                [
                    *LETTER_HEAD,
                    "«DocumentDate»",
                    "«FormalSalutation»,",
                    "Thank you for your interest. Please find our offer below.",
                    "«PersonalNote»",
                    "Yours sincerely,\n«SalespersonName»\n«SalespersonJobTitle»\n"
                    "«SalespersonEmail»",
                ],
            ),
            "nb": (
                "Vårt tilbud til «CompanyName»",
                [
                    *LETTER_HEAD,
                    "«DocumentDate»",
                    "«FormalSalutation»",
                    "Takk for interessen. Her er vårt tilbud.",
                    "«PersonalNote»",
                    "Med vennlig hilsen\n«SalespersonName»\n«SalespersonJobTitle»\n"
                    "«SalespersonEmail»",
                ],
            ),
        },
    ),
    "INVITE": (
        "EVENT",
        "Event invitation",
        CorrespondenceType.EMAIL,
        "0.50",
        "2",
        {
            "en": (
                "You are invited",
                [
                    "«FormalSalutation»,",
                    "«OurName» invites you to our customer day. Reply to «SalespersonEmail».",
                    "«PersonalNote»",
                    "Kind regards,\n«SalespersonName»",
                ],
            ),
            "nb": (
                "Du er invitert",
                [
                    "«FormalSalutation»",
                    "«OurName» inviterer deg til kundedag. Svar til «SalespersonEmail».",
                    "«PersonalNote»",
                    "Vennlig hilsen\n«SalespersonName»",
                ],
            ),
        },
    ),
    "THANKS": (
        "LETTER",
        "Thank-you letter",
        CorrespondenceType.HARD_COPY,
        "1.20",
        "3",
        {
            "en": (
                "Thank you",
                [
                    *LETTER_HEAD,
                    "«DocumentDate»",
                    "«FormalSalutation»,",
                    "Thank you for choosing «OurName». Your contact no. is «ContactNo».",
                    "Yours sincerely,\n«SalespersonName»",
                ],
            ),
            "nb": (
                "Takk",
                [
                    *LETTER_HEAD,
                    "«DocumentDate»",
                    "«FormalSalutation»",
                    "Takk for at du valgte «OurName». Ditt kontaktnummer er «ContactNo».",
                    "Med vennlig hilsen\n«SalespersonName»",
                ],
            ),
        },
    ),
}
INTERACTION_GROUPS = {"EMAIL": "Emails", "LETTER": "Letters", "EVENT": "Events"}

#: A one-page PDF: the scanned letter kept with the inbound entry.
SCANNED_LETTER = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def seed_reference() -> None:
    """The interaction groups and templates with Word letters: reference data, always seeded."""
    groups = {
        code: InteractionGroup.objects.get_or_create(
            code=code, defaults={"description": description}
        )[0]
        for code, description in INTERACTION_GROUPS.items()
    }
    for code, (group, description, channel, cost, minutes, texts) in LETTERS.items():
        template, _created = InteractionTemplate.objects.get_or_create(
            code=code,
            defaults={
                "group": groups[group],
                "description": description,
                "correspondence_type": channel,
                "unit_cost": Decimal(cost),
                "unit_duration": Decimal(minutes),
                "information_flow": InformationFlow.OUTBOUND,
                "initiated_by": InitiatedBy.US,
                "default_language": "en",
            },
        )
        for language, (subject, paragraphs) in texts.items():
            version, _created = InteractionTemplateLanguage.objects.get_or_create(
                template=template,
                language=language,
                defaults={"description": description, "subject": subject},
            )
            if not version.document:
                version.document.save(
                    f"{code.lower()}-{language}.docx",
                    ContentFile(build_document(paragraphs)),
                    save=True,
                )


def templates() -> dict[str, InteractionTemplate]:
    """The single-interaction templates (no letter: a call, a letter received)."""
    made = {}
    for code, (
        group,
        group_name,
        description,
        flow,
        initiated_by,
        cost,
        minutes,
    ) in TEMPLATES.items():
        group, _created = InteractionGroup.objects.get_or_create(
            code=group, defaults={"description": group_name}
        )
        made[code], _created = InteractionTemplate.objects.get_or_create(
            code=code,
            defaults={
                "group": group,
                "description": description,
                "correspondence_type": "",
                "unit_cost": Decimal(cost),
                "unit_duration": Decimal(minutes),
                "information_flow": flow,
                "initiated_by": initiated_by,
                "default_language": "en",
            },
        )
    return made


def seed(*, seed: int) -> str | None:
    """Write the demo's single interactions once: only when there are none yet."""
    user = get_user_model().objects.filter(username=USER).first()
    if (
        user is None
        or Contact.objects.count() < MINIMUM_CONTACTS
        or InteractionLogEntry.objects.filter(logged_segment__isnull=True).exists()
    ):
        return None
    rng = random.Random(seed)
    today = timezone.localdate()
    persons = list(
        Contact.objects.filter(type="person", privacy_blocked=False)
        .exclude(company=None)
        .order_by("no")[:40]
    )
    if len(persons) < 8:
        return None
    with transaction.atomic():
        made = templates()
        entries = []
        for contact in rng.sample(persons, 8):
            comment, evaluation, failed = rng.choice(CALL_NOTES)
            entry = services.log_interaction(
                contact,
                template=made["CALL"],
                user=user,
                date=today - datetime.timedelta(days=rng.randint(1, 60)),
                description=_("Phone call"),
            )
            services.add_interaction_note(
                entry,
                user=user,
                comment=comment,
                evaluation=evaluation or None,
                attempt_failed=failed or None,
            )
            entries.append(entry)
        sender = persons[0]
        entries.append(
            services.log_interaction(
                sender,
                template=made["LETTERIN"],
                user=user,
                date=today - datetime.timedelta(days=3),
                description=_("Signed order form received"),
                attachment=ContentFile(SCANNED_LETTER, name="signed-order.pdf"),
            )
        )
        services.save_interaction_draft(
            persons[1],
            template=made["CALL"],
            user=user,
            description=_("Call back about the offer"),
        )
    return _("Demo single interactions: %(entries)s calls and letters with notes, one draft.") % {
        "entries": len(entries)
    }
