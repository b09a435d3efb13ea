"""Benchmark: the ledger's list pages on a large ledger, against the bare SQL they need.

Seeds N interaction log entries (default 500,000) spread over logged segments of 100
entries, all in SQL, then times the first page of each list page through Django's test
client (middleware, view, template) against the baseline: the same rows fetched by
hand-written SQL (the page's rows plus its count), with no rendering at all. Each is
the best of three runs.

    .venv/bin/python bench/ledger_pages.py [--entries N]
    scripts/with-postgres.sh .venv/bin/python bench/ledger_pages.py
"""

import sys
from pathlib import Path

# Run as a script, sys.path[0] is bench/ itself, where bench/segments.py would hide the
# project's segments app: the project root takes its place.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse  # noqa: E402
import time  # noqa: E402

from bench.harness import report, result, setup_django  # noqa: E402

PER_SEGMENT = 100
RUNS = 3


def seed(entries: int):
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.utils import timezone

    from crm.models import Contact, Salesperson
    from interactions.models import InteractionGroup, InteractionTemplate
    from tests.factories import UserFactory

    user = UserFactory(username="bench-staff")
    user.groups.add(Group.objects.get(name="Marketing manager"))
    salesperson = Salesperson.objects.create(code="SP01", name="Ola Nordmann")
    group = InteractionGroup.objects.create(code="LETTERS", description="Letters")
    template = InteractionTemplate.objects.create(code="OFFER", group=group, unit_cost=2)
    contact = Contact.objects.create(no="CT000001", name="Anne Hansen", country="NO")
    segments = max(1, entries // PER_SEGMENT)
    now = timezone.now()
    recursive = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %s)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"{recursive} INSERT INTO interactions_loggedsegment "
            "(segment_no, description, criteria, canceled, send_as_attachment, print_batch, "
            "created_by_id, created_at) "
            "SELECT 'SEG' || i, 'Mailing ' || i, '[]', i %% 10 = 0, false, '', %s, %s FROM n",
            [segments, user.pk, now],
        )
        cursor.execute(
            f"{recursive} INSERT INTO interactions_interactionlogentry "
            "(contact_id, contact_name, logged_segment_id, segment_no, date, description, "
            "subject, template_id, group_id, language, correspondence_type, cost, duration, "
            "information_flow, initiated_by, salesperson_id, evaluation, attempt_failed, "
            "canceled, delivery_status, delivery_error, merge_data, document, created_by_id, "
            "created_at) "
            "SELECT %s, 'Anne Hansen', ls.entry_no, ls.segment_no, %s, 'Offer', '', %s, %s, "
            "'en', 'email', 2, 5, '', '', %s, '', false, ls.canceled, '', '', '{}', '', %s, %s "
            "FROM n JOIN interactions_loggedsegment ls "
            "ON ls.entry_no = (n.i - 1) / %s + (SELECT MIN(entry_no) FROM "
            "interactions_loggedsegment)",
            [
                entries,
                contact.pk,
                now.date(),
                template.pk,
                group.pk,
                salesperson.pk,
                user.pk,
                now,
                PER_SEGMENT,
            ],
        )
    return user


def best(function) -> float:
    times = []
    for _run in range(RUNS):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=500_000)
    arguments = parser.parse_args()
    vendor = setup_django("ledger_pages")

    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    user = seed(arguments.entries)
    client = Client()
    client.force_login(user)

    def page(url):
        def get():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return get

    def sql(*statements):
        def run():
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
                    cursor.fetchall()

        return run

    first_logged = "SELECT MIN(entry_no) FROM interactions_loggedsegment"
    cases = [
        (
            "ledger_logged_segment_list",
            reverse("interactions:logged-segment-list"),
            sql(
                "SELECT COUNT(*) FROM interactions_loggedsegment",
                "SELECT ls.*, (SELECT COUNT(*) FROM interactions_interactionlogentry e "
                "WHERE e.logged_segment_id = ls.entry_no AND NOT e.canceled), "
                "(SELECT COUNT(*) FROM interactions_interactionlogentry e "
                "WHERE e.logged_segment_id = ls.entry_no AND e.canceled) "
                "FROM interactions_loggedsegment ls ORDER BY ls.entry_no DESC LIMIT 50",
            ),
        ),
        (
            "ledger_entry_list",
            reverse("interactions:entry-list"),
            sql(
                "SELECT COUNT(*) FROM interactions_interactionlogentry",
                "SELECT e.*, c.no, t.code, s.name FROM interactions_interactionlogentry e "
                "JOIN crm_contact c ON c.id = e.contact_id "
                "LEFT JOIN interactions_interactiontemplate t ON t.id = e.template_id "
                "LEFT JOIN crm_salesperson s ON s.id = e.salesperson_id "
                "ORDER BY e.entry_no DESC LIMIT 50",
            ),
        ),
        (
            "ledger_logged_segment_page",
            None,
            sql(
                f"SELECT COUNT(*) FROM interactions_interactionlogentry "
                f"WHERE logged_segment_id = ({first_logged})",
                f"SELECT e.* FROM interactions_interactionlogentry e "
                f"WHERE e.logged_segment_id = ({first_logged}) ORDER BY e.entry_no LIMIT 50",
            ),
        ),
        (
            "ledger_statistics",
            reverse("interactions:statistics"),
            sql(
                "SELECT template_id, COUNT(*), SUM(cost), SUM(duration) "
                "FROM interactions_interactionlogentry WHERE NOT canceled GROUP BY template_id",
                "SELECT group_id, COUNT(*), SUM(cost), SUM(duration) "
                "FROM interactions_interactionlogentry WHERE NOT canceled GROUP BY group_id",
            ),
        ),
    ]
    from interactions.models import LoggedSegment

    detail = LoggedSegment.objects.order_by("entry_no").first().get_absolute_url()
    results = []
    for name, url, baseline in cases:
        ours = best(page(url or detail))
        results.append(result(name, vendor, ours, best(baseline), entries=arguments.entries))
    report(results)


if __name__ == "__main__":
    main()
