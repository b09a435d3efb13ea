"""Benchmark: the contact card of a contact with many interaction log entries (SPEC 7).

Seeds N entries (default 10,000) for one person, in SQL, with a note on every tenth,
then times the card through Django's test client (middleware, view, template: figures
with a date range, by-group table, the latest 50 entries with their notes, drafts)
against the baseline: the hand-written aggregate and page queries the card needs, with
no rendering at all. Each is the best of five runs. Target: the card under 200 ms.

    .venv/bin/python bench/contact_card.py [--entries N]
    scripts/with-postgres.sh .venv/bin/python bench/contact_card.py
"""

import sys
from pathlib import Path

# Run as a script, sys.path[0] is bench/ itself, where bench/segments.py would hide the
# project's segments app: the project root takes its place.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse  # noqa: E402
import time  # noqa: E402

from bench.harness import report, result, setup_django  # noqa: E402

RUNS = 5
GROUPS = 4


def seed(entries: int):
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.utils import timezone

    from crm.models import Contact, Salesperson
    from interactions.models import InteractionGroup, InteractionTemplate
    from tests.factories import UserFactory

    user = UserFactory(username="bench-staff")
    user.groups.add(Group.objects.get(name="Marketing staff"))
    salesperson = Salesperson.objects.create(code="SP01", name="Ola Nordmann", user=user)
    templates = []
    for n in range(GROUPS):
        group = InteractionGroup.objects.create(code=f"G{n}", description=f"Group {n}")
        templates.append(InteractionTemplate.objects.create(code=f"T{n}", group=group, unit_cost=2))
    company = Contact.objects.create(no="CO000001", name="Aune AS", type="company")
    person = Contact.objects.create(
        no="CT000001", name="Ingrid Aune", company=company, company_name="Aune AS"
    )
    now = timezone.now()
    first = templates[0]
    recursive = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %s)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"{recursive} INSERT INTO interactions_interactionlogentry "
            "(contact_id, contact_company_id, contact_name, segment_no, date, description, "
            "subject, template_id, group_id, language, correspondence_type, cost, duration, "
            "information_flow, initiated_by, salesperson_id, evaluation, attempt_failed, "
            "canceled, delivery_status, delivery_error, merge_data, document, attachment, "
            "created_by_id, created_at) "
            "SELECT %s, %s, 'Ingrid Aune', '', DATE(%s, '-' || (i %% 700) || ' days'), "
            "'Call ' || i, '', %s + i %% 4, (SELECT group_id FROM "
            "interactions_interactiontemplate WHERE id = %s + i %% 4), 'en', '', 2, 5, '', '', "
            "%s, '', i %% 7 = 0, i %% 13 = 0, '', '', '{}', '', '', %s, %s FROM n"
            if connection.vendor == "sqlite"
            else f"{recursive} INSERT INTO interactions_interactionlogentry "
            "(contact_id, contact_company_id, contact_name, segment_no, date, description, "
            "subject, template_id, group_id, language, correspondence_type, cost, duration, "
            "information_flow, initiated_by, salesperson_id, evaluation, attempt_failed, "
            "canceled, delivery_status, delivery_error, merge_data, document, attachment, "
            "created_by_id, created_at) "
            "SELECT %s, %s, 'Ingrid Aune', '', %s::date - (i %% 700), "
            "'Call ' || i, '', %s + i %% 4, (SELECT group_id FROM "
            "interactions_interactiontemplate WHERE id = %s + i %% 4), 'en', '', 2, 5, '', '', "
            "%s, '', i %% 7 = 0, i %% 13 = 0, '', '', '{}', '', '', %s, %s FROM n",
            [
                entries,
                person.pk,
                company.pk,
                now.date().isoformat(),
                first.pk,
                first.pk,
                salesperson.pk,
                user.pk,
                now,
            ],
        )
        cursor.execute(
            "INSERT INTO interactions_interactionnote "
            "(entry_id, comment, evaluation, attempt_failed, created_by_id, created_at) "
            "SELECT entry_no, 'Called back', 'positive', NULL, %s, %s "
            "FROM interactions_interactionlogentry WHERE entry_no %% 10 = 0",
            [user.pk, now],
        )
        if connection.vendor == "postgresql":
            # A live database has statistics (autovacuum); a freshly seeded one not yet.
            cursor.execute("ANALYZE")
    return user, company, person


def best(function) -> float:
    times = []
    for _run in range(RUNS):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=10_000)
    arguments = parser.parse_args()
    vendor = setup_django("contact_card")

    from django.db import connection
    from django.test import Client

    user, company, person = seed(arguments.entries)
    client = Client()
    client.force_login(user)

    def card(contact):
        def get():
            response = client.get(contact.get_absolute_url(), {"stats-date_from": "2000-01-01"})
            assert response.status_code == 200, response.status_code
            assert b"figure-interactions" in response.content

        return get

    def baseline(contact_id: int):
        where = f"(e.contact_id = {contact_id} OR e.contact_company_id = {contact_id})"
        statements = [
            f"SELECT COUNT(*), SUM(cost), SUM(duration), MAX(date), "
            f"SUM(CASE WHEN attempt_failed THEN 1 ELSE 0 END) "
            f"FROM interactions_interactionlogentry e WHERE {where} AND NOT canceled "
            f"AND date >= '2000-01-01'",
            f"SELECT g.code, COUNT(*), SUM(cost), SUM(duration) "
            f"FROM interactions_interactionlogentry e "
            f"LEFT JOIN interactions_interactiongroup g ON g.id = e.group_id "
            f"WHERE {where} AND NOT canceled AND date >= '2000-01-01' GROUP BY g.code",
            f"SELECT COUNT(*) FROM interactions_interactionlogentry e WHERE {where}",
            f"SELECT e.*, t.code, s.name FROM interactions_interactionlogentry e "
            f"LEFT JOIN interactions_interactiontemplate t ON t.id = e.template_id "
            f"LEFT JOIN crm_salesperson s ON s.id = e.salesperson_id "
            f"WHERE {where} ORDER BY e.date DESC, e.entry_no DESC LIMIT 50",
            f"SELECT n.* FROM interactions_interactionnote n WHERE n.entry_id IN "
            f"(SELECT entry_no FROM interactions_interactionlogentry e WHERE {where} "
            f"ORDER BY e.date DESC, e.entry_no DESC LIMIT 50)",
        ]

        def run():
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
                    cursor.fetchall()

        return run

    results = []
    for name, contact in (("contact_card_person", person), ("contact_card_company", company)):
        ours = best(card(contact))
        row = result(name, vendor, ours, best(baseline(contact.pk)), entries=arguments.entries)
        row["under_200ms"] = ours < 0.2
        results.append(row)
    report(results)


if __name__ == "__main__":
    main()
