"""Deliver 10,000 emails to a local SMTP server: the delivery task against pre-built messages.

Run: ``.venv/bin/python bench/delivery.py [COUNT]`` (and through
``scripts/with-postgres.sh``).

*Ours* is the function the worker runs, ``interactions.tasks.deliver_logged_segment``, on
two logged segments of COUNT/2 pending email entries each: one sends the letter as the
body (converted to text and HTML), the other attaches the merged ``.docx``. It reads the
entries, merges every letter, builds and sends each message, and records the statuses.
The *baseline* is the transport limit: the same number of messages of the same kinds and
sizes, built before the clock starts, sent by Django's SMTP backend over one connection.
Both talk to an ``aiosmtpd`` server this script starts on loopback (RECIPES.md 7), which
counts what it receives. Each side runs twice, alternating, and keeps its best time (the
machine is shared).
"""

import os
import socket
import sys
import time
from pathlib import Path

# Run as a script, sys.path[0] is bench/ itself, where bench/segments.py would hide the
# project's segments app: the project root takes its place.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.harness import report, result, setup_django  # noqa: E402
from bench.letters import PARAGRAPHS  # noqa: E402


class Sink:
    """An SMTP handler that counts messages and bytes and keeps the last one of each run."""

    def __init__(self):
        self.count = 0
        self.bytes = 0
        self.last = b""

    def reset(self):
        self.count = self.bytes = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        self.bytes += len(envelope.content)
        self.last = envelope.content
        return "250 OK"


def free_port() -> int:
    # aiosmtpd's Controller connects to its own port when starting, so port 0 fails.
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def seed(count: int):
    """COUNT contacts, one template with its letter, two logged segments of pending emails."""
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile

    from crm.models import Contact, Salesperson
    from interactions import letters
    from interactions.models import (
        InteractionGroup,
        InteractionLogEntry,
        InteractionTemplate,
        InteractionTemplateLanguage,
    )
    from segments import services
    from segments.models import Segment, SegmentLine

    user = get_user_model().objects.create(username="bench")
    salesperson = Salesperson.objects.create(code="SP01", name="Kari Nordmann", email="k@x.no")
    group = InteractionGroup.objects.create(code="EMAIL", description="Emails")
    template = InteractionTemplate.objects.create(
        code="FAIR",
        group=group,
        description="Autumn fair",
        correspondence_type="email",
        default_language="en",
    )
    InteractionTemplateLanguage.objects.create(
        template=template,
        language="en",
        subject="Autumn fair",
        document=ContentFile(letters.build_document(PARAGRAPHS), name="fair.docx"),
    )
    contacts = Contact.objects.bulk_create(
        Contact(
            no=f"CT{n:07d}",
            first_name=f"Person{n}",
            surname="Hansen",
            name=f"Person {n} Hansen & Sønn",
            email=f"person{n}@example.com",
            address=f"Storgata {n}",
            post_code="0150",
            city="Oslo",
            country="NO",
            language="en",
        )
        for n in range(count)
    )
    logged = []
    for half, attach in enumerate([False, True]):
        segment = Segment.objects.create(
            no=f"BENCH{half}",
            description="Delivery bench",
            interaction_template=template,
            salesperson=salesperson,
            send_as_attachment=attach,
            created_by=user,
        )
        SegmentLine.objects.bulk_create(
            SegmentLine(
                segment=segment,
                line_no=(n + 1) * 10000,
                contact=contact,
                personal_note=f"Note for <{n}>" if n % 3 else "",
            )
            for n, contact in enumerate(contacts[half::2])
        )
        logged.append(services.log_segment(segment, user=user))
    InteractionLogEntry.objects.record_status(delivery_status="pending")
    return logged


def baseline_messages(logged) -> list:
    """Messages like ours, one per entry, built now: the body kind with the letter's text
    and HTML, the attachment kind with a merged letter (one ``bytes`` shared, to keep the
    memory of 5,000 letters out of the comparison; each is encoded when sent)."""
    from django.core.mail import EmailMultiAlternatives

    from interactions import delivery, letters
    from interactions.models import InteractionLogEntry

    messages = []
    for segment in logged:
        rows = (
            InteractionLogEntry.objects.filter(logged_segment=segment)
            .order_by("entry_no")
            .values("entry_no", "merge_data", "document", "subject")
        )
        documents = delivery.DocumentCache()
        letter = None
        for row in rows.iterator(chunk_size=2000):
            values = delivery.entry_values(row)
            document = documents.get(row["document"])
            if segment.send_as_attachment:
                letter = letter or letters.render(document, values)
                message = EmailMultiAlternatives(
                    row["subject"], values["PersonalNote"] or row["subject"], to=[values["Email"]]
                )
                message.attach("Autumn fair.docx", letter, "application/octet-stream")
            else:
                text, html = letters.email_body(document, values)
                message = EmailMultiAlternatives(row["subject"], text, to=[values["Email"]])
                message.attach_alternative(html, "text/html")
            messages.append(message)
    return messages


def main(count: int = 10_000) -> None:
    port = free_port()
    os.environ.update(
        DJANGO_SMTP_HOST="127.0.0.1", DJANGO_SMTP_PORT=str(port), DJANGO_SMTP_TLS="false"
    )
    db = setup_django("delivery")
    from aiosmtpd.controller import Controller
    from django.core.mail import mailers

    from interactions import letters, tasks
    from interactions.models import InteractionLogEntry

    logged = seed(count)
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        messages = baseline_messages(logged)

        def run_baseline() -> float:
            sink.reset()
            start = time.perf_counter()
            with mailers.default as mailer:
                sent = mailer.send_messages(messages)
            elapsed = time.perf_counter() - start
            assert sent == sink.count == count, (sent, sink.count)
            return elapsed

        def run_ours() -> float:
            InteractionLogEntry.objects.record_status(delivery_status="pending")
            letters.forget_prepared()  # ours pays for preparing and converting the letter
            sink.reset()
            start = time.perf_counter()
            for segment in logged:
                tasks.deliver_logged_segment.call(segment.pk)
            elapsed = time.perf_counter() - start
            assert sink.count == count, sink.count
            assert not InteractionLogEntry.objects.exclude(delivery_status="sent").exists()
            return elapsed

        baseline_s = ours_s = float("inf")
        for _round in range(2):
            baseline_s = min(baseline_s, run_baseline())
            ours_s = min(ours_s, run_ours())
        received_mb = round(sink.bytes / 2**20, 1)
    finally:
        controller.stop()

    report(
        result(
            "delivery_smtp",
            db,
            ours_s,
            baseline_s,
            emails=count,
            ours_emails_per_s=round(count / ours_s),
            baseline_emails_per_s=round(count / baseline_s),
            received_mb=received_mb,
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
