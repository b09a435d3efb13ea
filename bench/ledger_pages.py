"""Benchmark: the ledger's pages as the ledger grows from 100,000 to 5,000,000 entries.

Seeds the ledger in SQL (logged segments of 100 entries, 8 interaction templates in 4
groups, 20,000 contacts, dates over two years, one logged segment in ten canceled, one in
ten in the campaign CP-BENCH, the ledger's summaries filled by the same set-based
statement logging runs), first to ``--small`` entries, then on to ``--entries``, and
times each page at both sizes through Django's test client (middleware, view, template),
best of three runs:

- the figures pages (issue 16): the statistics page (this year, the default, and the
  whole ledger), the campaign page of CP-BENCH (a tenth of the ledger, growing with it)
  and the contact card of one person and her company (1,000 entries of their own, the
  same at both sizes: a card reads its contact's entries through the ledger's contact
  indexes, so its time follows that contact's entries, not the ledger's size). For these
  the JSON row's ``baseline_s`` is the page at the small size, ``ours_s`` at the large
  one, and ``ratio`` the large figure over the small one: the target is <= 2.0 (flat);
- the list pages, as before, at the large size against the bare SQL they need
  (``baseline_s``), with the figure at the small size alongside.

    .venv/bin/python bench/ledger_pages.py [--small N] [--entries N]
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
CONTACTS = 20_000
CARD_ENTRIES = 1_000
TEMPLATES = 8
RUNS = 3
#: Entries per INSERT ... SELECT while seeding (and per summary fill): memory stays flat.
CHUNK = 500_000
#: Flat pages: the large figure within this factor of the small one (issue 16).
FLAT = 2.0


def numbers(vendor: str, first: str, last: str) -> str:
    """A row source ``n(i)`` counting from ``first`` to ``last`` (SQL expressions)."""
    if vendor == "postgresql":
        return f"(SELECT generate_series({first}, {last}) AS i) n"
    return (
        f"(WITH RECURSIVE n(i) AS (SELECT {first} UNION ALL SELECT i + 1 FROM n "
        f"WHERE i < {last}) SELECT i FROM n) n"
    )


def days_before(vendor: str, today: str, days: str) -> str:
    if vendor == "postgresql":
        return f"CAST({today} AS date) - CAST({days} AS integer)"
    return f"DATE({today}, '-' || ({days}) || ' days')"


class Ledger:
    """The bench's reference data, and the ledger grown to a given number of entries."""

    def __init__(self, vendor: str):
        from django.contrib.auth.models import Group
        from django.utils import timezone

        from crm.models import Contact, Salesperson
        from interactions.models import (
            Campaign,
            CampaignStatus,
            InteractionGroup,
            InteractionTemplate,
        )
        from tests.factories import UserFactory

        self.vendor = vendor
        self.user = UserFactory(username="bench-staff")
        self.user.groups.add(Group.objects.get(name="Marketing manager"))
        self.salesperson = Salesperson.objects.create(code="SP01", name="Ola Nordmann")
        self.templates = []
        for n in range(TEMPLATES):
            group, _created = InteractionGroup.objects.get_or_create(
                code=f"G{n % 4}", defaults={"description": f"Group {n % 4}"}
            )
            self.templates.append(
                InteractionTemplate.objects.create(code=f"T{n}", group=group, unit_cost=2)
            )
        self.campaign = Campaign.objects.create(
            no="CP-BENCH", description="Bench", status=CampaignStatus.ACTIVE, created_by=self.user
        )
        self.company = Contact.objects.create(no="CO-CARD", name="Aune AS", type="company")
        self.person = Contact.objects.create(
            no="CT-CARD", name="Ingrid Aune", company=self.company, company_name="Aune AS"
        )
        contacts = Contact.objects.bulk_create(
            Contact(no=f"CT{n:06d}", name=f"Person {n}", country="NO") for n in range(CONTACTS)
        )
        self.first_contact = min(contact.pk for contact in contacts)
        self.now = timezone.now()
        self.entries = 0
        self.segments = 0
        self.offset = None
        self._card()

    def _execute(self, sql: str, params) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    def _card(self) -> None:
        """The card's person: CARD_ENTRIES single interactions of her own (her company's
        card shows them too), a few canceled, over two years."""
        from interactions.models import InteractionLogEntry
        from interactions.services import summarize_entries

        self._execute(
            "INSERT INTO interactions_interactionlogentry "
            "(contact_id, contact_company_id, contact_name, segment_no, date, description, "
            "subject, template_id, group_id, language, correspondence_type, cost, duration, "
            "information_flow, initiated_by, salesperson_id, evaluation, attempt_failed, "
            "canceled, delivery_status, delivery_error, merge_data, document, attachment, "
            "campaign_target, campaign_response, created_by_id, created_at) "
            f"SELECT %s, %s, 'Ingrid Aune', '', {days_before(self.vendor, '%s', 'i %% 700')}, "
            "'Call', '', t.id, t.group_id, 'en', '', 2, 5, '', '', %s, '', i %% 7 = 0, "
            f"i %% 13 = 0, '', '', '{{}}', '', '', false, false, %s, %s "
            f"FROM {numbers(self.vendor, '1', str(CARD_ENTRIES))} "
            "JOIN interactions_interactiontemplate t ON t.id = %s + i %% 4",
            [
                self.person.pk,
                self.company.pk,
                self.now.date().isoformat(),
                self.salesperson.pk,
                self.user.pk,
                self.now,
                self.templates[0].pk,
            ],
        )
        summarize_entries(InteractionLogEntry.objects.filter(contact=self.person))

    def grow(self, entries: int) -> None:
        """Logged segments and their entries until the ledger holds ``entries`` (plus the
        card's), their figures added to the summaries: all set-based, in chunks of
        ``CHUNK`` entries (one ``INSERT ... SELECT`` and one summary fill each, in one
        transaction), with the ledger's secondary indexes built after the load."""
        from django.db import connection, transaction

        from interactions.models import InteractionLogEntry, LoggedSegment
        from interactions.services import summarize_entries

        segments = max(1, entries // PER_SEGMENT)
        start = self.segments + 1
        source = numbers(self.vendor, str(start), str(segments))
        self._execute(
            "INSERT INTO interactions_loggedsegment "
            "(segment_no, description, criteria, canceled, send_as_attachment, print_batch, "
            "created_by_id, created_at) "
            f"SELECT 'SEG' || i, 'Mailing ' || i, '[]', i %% 10 = 5, false, '', %s, %s "
            f"FROM {source}",
            [self.user.pk, self.now],
        )
        # Logged segment number k (1-based) has the key offset + k: one insert each time.
        if self.offset is None:
            first = LoggedSegment.objects.order_by("pk").values_list("pk", flat=True)[0]
            self.offset = first - 1
        offset = self.offset
        # The campaign's logged segments (one in ten) each get their campaign entry.
        self._execute(
            "INSERT INTO interactions_campaignentry "
            "(campaign_id, logged_segment_id, segment_no, description, date, canceled, "
            "created_by_id, created_at) "
            "SELECT %s, ls.entry_no, ls.segment_no, ls.description, %s, false, %s, %s "
            "FROM interactions_loggedsegment ls WHERE ls.entry_no - %s >= %s "
            "AND (ls.entry_no - %s) %% 10 = 0",
            [self.campaign.pk, self.now.date(), self.user.pk, self.now, offset, start, offset],
        )
        total = segments * PER_SEGMENT
        began = time.perf_counter()
        with IndexesAfterLoad(self.vendor, InteractionLogEntry._meta.db_table):
            for first in range(self.entries + 1, total + 1, CHUNK):
                last = min(first + CHUNK - 1, total)
                with transaction.atomic():
                    before = (
                        InteractionLogEntry.objects.order_by("-pk")
                        .values_list("pk", flat=True)
                        .first()
                    )
                    self._insert_entries(first, last)
                    summarize_entries(InteractionLogEntry.objects.filter(pk__gt=before))
                print(f"  entries {last:>9} at {time.perf_counter() - began:.1f}s", file=sys.stderr)
        self.segments = segments
        self.entries = total
        if connection.vendor == "postgresql":
            # A live database has statistics (autovacuum); a freshly seeded one not yet.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    def _insert_entries(self, first: int, last: int) -> None:
        """Entries number ``first`` to ``last`` of the bench's logged segments (1-based,
        ``PER_SEGMENT`` each): one ``INSERT ... SELECT``, rows generated by the database."""
        k = f"((n.i - 1) / {PER_SEGMENT} + 1)"  # the entry's logged segment, 1-based
        template = f"(SELECT MIN(id) FROM interactions_interactiontemplate) + n.i %% {TEMPLATES}"
        in_campaign = f"{k} %% 10 = 0"
        self._execute(
            "INSERT INTO interactions_interactionlogentry "
            "(contact_id, contact_name, logged_segment_id, segment_no, date, description, "
            "subject, template_id, group_id, language, correspondence_type, cost, duration, "
            "information_flow, initiated_by, salesperson_id, evaluation, attempt_failed, "
            "canceled, delivery_status, delivery_error, merge_data, document, attachment, "
            "campaign_id, campaign_target, campaign_response, created_by_id, created_at) "
            f"SELECT %s + n.i %% {CONTACTS}, 'Person', ls.entry_no, ls.segment_no, "
            f"{days_before(self.vendor, '%s', f'{k} %% 730')}, 'Offer', '', t.id, t.group_id, "
            "'en', 'email', 2, 5, '', '', %s, '', n.i %% 11 = 0, ls.canceled, '', '', '{}', "
            f"'', '', CASE WHEN {in_campaign} THEN CAST(%s AS bigint) END, {in_campaign}, "
            f"{in_campaign} AND n.i %% 7 = 0, %s, %s "
            f"FROM {numbers(self.vendor, str(first), str(last))} "
            f"JOIN interactions_loggedsegment ls ON ls.entry_no = {k} + %s "
            f"JOIN interactions_interactiontemplate t ON t.id = {template}",
            [
                self.first_contact,
                self.now.date().isoformat(),
                self.salesperson.pk,
                self.campaign.pk,
                self.user.pk,
                self.now,
                self.offset,
            ],
        )


class IndexesAfterLoad:
    """Drop ``table``'s secondary indexes (not those of its primary key or unique
    constraints) and, on PostgreSQL, its foreign keys for a bulk load, and build them
    again after it, as they were: the pages are timed on the real schema. Building an
    index once is far cheaper than inserting millions of rows into a dozen of them, and
    adding a foreign key back checks every row in one join, where PostgreSQL's deferred
    per-row checks of the load cost most of its time at commit. (SQLite checks its
    foreign keys per row, cheaply, and cannot drop them: they stay.)"""

    def __init__(self, vendor: str, table: str):
        self.vendor = vendor
        self.table = table

    def _indexes(self) -> list[tuple[str, str]]:
        from django.db import connection

        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute(
                    "SELECT c.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
                    "JOIN pg_class c ON c.oid = x.indexrelid "
                    "WHERE x.indrelid = CAST(%s AS regclass) AND NOT x.indisprimary "
                    "AND NOT EXISTS "
                    "(SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)",
                    [self.table],
                )
            else:
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                    "AND tbl_name = %s AND sql IS NOT NULL",
                    [self.table],
                )
            return sorted(cursor.fetchall())

    def _foreign_keys(self) -> list[tuple[str, str]]:
        from django.db import connection

        if self.vendor != "postgresql":
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = CAST(%s AS regclass) AND contype = 'f'",
                [self.table],
            )
            return sorted(cursor.fetchall())

    def __enter__(self):
        from django.db import connection

        self.indexes = self._indexes()
        self.foreign_keys = self._foreign_keys()
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for name, _definition in self.foreign_keys:
                cursor.execute(f"ALTER TABLE {quote(self.table)} DROP CONSTRAINT {quote(name)}")
            for name, _definition in self.indexes:
                cursor.execute(f"DROP INDEX {quote(name)}")
        return self

    def __exit__(self, exc_type, *exc_info):
        from django.db import connection

        if exc_type is not None:
            return
        started = time.perf_counter()
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute("SET maintenance_work_mem = '256MB'")
            for _name, definition in self.indexes:
                cursor.execute(definition)
            # Each one checks every row of the table against its target, set-based.
            for name, definition in self.foreign_keys:
                cursor.execute(
                    f"ALTER TABLE {quote(self.table)} ADD CONSTRAINT {quote(name)} {definition}"
                )
        assert self._indexes() == self.indexes, "the ledger's indexes were not rebuilt"
        assert self._foreign_keys() == self.foreign_keys, "the ledger's keys were not rebuilt"
        print(
            f"built {len(self.indexes)} indexes and {len(self.foreign_keys)} foreign keys "
            f"in {time.perf_counter() - started:.1f}s",
            file=sys.stderr,
        )


def best(function) -> float:
    times = []
    for _run in range(RUNS):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=5_000_000)
    arguments = parser.parse_args()
    vendor = setup_django("ledger_pages")

    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from interactions.models import InteractionLogEntry, LoggedSegment

    ledger = Ledger(vendor)
    client = Client()
    client.force_login(ledger.user)

    def page(url, params=None, expect: bytes = b""):
        def get():
            response = client.get(url, params or {})
            assert response.status_code == 200, (url, response.status_code)
            assert expect in response.content, (url, expect)

        return get

    def sql(*statements):
        def run():
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
                    cursor.fetchall()

        return run

    card = {"stats-date_from": "2000-01-01"}
    flat_pages = {
        "ledger_statistics_this_year": page(reverse("interactions:statistics")),
        "ledger_statistics_all": page(
            reverse("interactions:statistics"), {"date_from": "", "date_to": ""}
        ),
        "ledger_campaign_page": page(ledger.campaign.get_absolute_url(), expect=b"CP-BENCH"),
        "ledger_contact_card_person": page(
            ledger.person.get_absolute_url(), card, b"figure-interactions"
        ),
        "ledger_contact_card_company": page(
            ledger.company.get_absolute_url(), card, b"figure-interactions"
        ),
    }
    first_logged = "SELECT MIN(entry_no) FROM interactions_loggedsegment"
    list_pages = [
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
            # What the page did before the summaries: the whole ledger, grouped.
            sql(
                "SELECT template_id, COUNT(*), SUM(cost), SUM(duration) "
                "FROM interactions_interactionlogentry WHERE NOT canceled GROUP BY template_id",
                "SELECT group_id, COUNT(*), SUM(cost), SUM(duration) "
                "FROM interactions_interactionlogentry WHERE NOT canceled GROUP BY group_id",
            ),
        ),
    ]

    figures = {}
    for size in (arguments.small, arguments.entries):
        started = time.perf_counter()
        ledger.grow(size)
        total = InteractionLogEntry.objects.count()
        print(f"seeded {total} entries in {time.perf_counter() - started:.1f}s", file=sys.stderr)
        detail = LoggedSegment.objects.order_by("entry_no").first().get_absolute_url()
        for name, function in flat_pages.items():
            figures[name, size] = best(function)
        for name, url, baseline in list_pages:
            figures[name, size] = (best(page(url or detail)), best(baseline))

    small, large = arguments.small, arguments.entries
    results = []
    for name in flat_pages:
        row = result(name, vendor, figures[name, large], figures[name, small])
        row.update(
            entries=large,
            small_entries=small,
            ours_small_s=round(figures[name, small], 4),
            ours_large_s=round(figures[name, large], 4),
            flat=row["ratio"] is not None and row["ratio"] <= FLAT,
        )
        results.append(row)
    for name, _url, _baseline in list_pages:
        (ours, baseline), (ours_small, _small_baseline) = figures[name, large], figures[name, small]
        row = result(name, vendor, ours, baseline, entries=large)
        row.update(ours_small_s=round(ours_small, 4), small_entries=small)
        results.append(row)
    report(results)


if __name__ == "__main__":
    main()
