"""Segment building against hand-written SQL doing the same set work on the same data.

Seeds N contacts (default 1,000,000) with raw SQL, then on two identical segments runs
add_contacts (criteria matching about half), refine_contacts, reduce_contacts and
go_back: ours through the services on one segment, the baseline as hand-written
statements on the other. Prints each ratio (target <= 1.5) and the peak memory while
adding (target < 400 MB).

    .venv/bin/python bench/segments.py [--contacts N]
    scripts/with-postgres.sh .venv/bin/python bench/segments.py [--contacts N]
"""

import sys
from pathlib import Path

# Run as a script, sys.path[0] is bench/ itself, where bench/segments.py would hide the
# project's segments app: the project root takes its place.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse  # noqa: E402
import time  # noqa: E402

from bench.harness import peak_mb, report, result, setup_django  # noqa: E402

COMPANY_EVERY = 10  # one contact in ten is a company
LANGUAGES = ("en", "nb", "sv", "da", "de")  # refine keeps the first four (~80 %)

# Columns a new line gets besides its number, contact, segment and action: blank text.
BLANK_LINE_COLUMNS = (
    "description",
    "subject",
    "language",
    "correspondence_type",
    "information_flow",
    "initiated_by",
    "evaluation",
    "personal_note",
    "document",
)
# Every column a removed line keeps (the LineValues of SegmentLine).
LINE_COLUMNS = (
    "segment_id",
    "line_no",
    "contact_id",
    "added_by_id",
    "interaction_template_id",
    "description",
    "subject",
    "language",
    "correspondence_type",
    "salesperson_id",
    "date",
    "cost",
    "duration",
    "information_flow",
    "initiated_by",
    "evaluation",
    "personal_note",
    "document",
)


def seed(connection, contacts: int) -> None:
    """Insert ``contacts`` contacts, one in ten a company with persons, in a few statements."""
    companies = max(1, contacts // COMPANY_EVERY)
    persons = contacts - companies
    sqlite = connection.vendor == "sqlite"
    if sqlite:
        numbers = (
            "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < {n})"
        )

        def pad(expression, width):
            return f"printf('%0{width}d', {expression})"

    else:
        numbers = "WITH seq(i) AS (SELECT generate_series(1, {n}))"

        def pad(expression, width):
            return f"lpad(({expression})::text, {width}, '0')"

    blank = ", ".join(["''"] * 12)  # first_name ... home_page
    columns = (
        "no, type, name, company_name, city, post_code, country, language, "
        "correspondence_type, exclude_from_segment, privacy_blocked, created_at, updated_at, "
        "first_name, middle_name, surname, initials, job_title, address, address_2, county, "
        "phone, mobile_phone, email, home_page"
    )
    language = "CASE i % 5 " + " ".join(
        f"WHEN {n} THEN '{code}'" for n, code in enumerate(LANGUAGES)
    )
    language += " END"
    now = "CURRENT_TIMESTAMP"
    false = "0" if sqlite else "FALSE"
    with connection.cursor() as cursor:
        cursor.execute(
            numbers.format(n=companies) + f" INSERT INTO crm_contact ({columns}) "
            f"SELECT 'CO' || {pad('i', 7)}, 'company', 'Company ' || {pad('i', 7)}, "
            f"'Company ' || {pad('i', 7)}, 'City ' || (i % 50), {pad('i % 10000', 4)}, "
            f"CASE WHEN i % 2 = 0 THEN 'NO' ELSE 'SE' END, {language}, "
            f"CASE WHEN i % 4 = 0 THEN 'hard_copy' ELSE 'email' END, {false}, {false}, "
            f"{now}, {now}, {blank} FROM seq"
        )
        cursor.execute("UPDATE crm_contact SET company_id = id WHERE type = 'company'")
        cursor.execute("SELECT MIN(id) FROM crm_contact")
        first_company = cursor.fetchone()[0]
        # Every twentieth person has no company; the others spread over the companies.
        company = f"CASE WHEN i % 20 = 0 THEN NULL ELSE {first_company} + (i % {companies}) END"
        company_name = (
            f"CASE WHEN i % 20 = 0 THEN '' ELSE 'Company ' || {pad(f'i % {companies} + 1', 7)} END"
        )
        cursor.execute(
            numbers.format(n=persons) + f" INSERT INTO crm_contact ({columns}, company_id) "
            f"SELECT 'CT' || {pad('i', 7)}, 'person', 'Person ' || {pad('i', 7)}, "
            f"{company_name}, 'City ' || (i % 50), {pad('i % 10000', 4)}, "
            f"CASE WHEN i % 2 = 0 THEN 'NO' ELSE 'SE' END, {language}, "
            f"CASE WHEN i % 4 = 0 THEN 'hard_copy' ELSE 'email' END, "
            f"CASE WHEN i % 100 = 7 THEN {'1' if sqlite else 'TRUE'} ELSE {false} END, {false}, "
            f"{now}, {now}, {blank}, {company} FROM seq"
        )
        cursor.execute("ANALYZE")


def progress(*args, **kwargs) -> dict:
    """A harness result, also printed at once so a long run shows how it goes."""
    row = result(*args, **kwargs)
    print(
        f"{row['bench']}: ours {row['ours_s']}s, baseline {row['baseline_s']}s, "
        f"ratio {row['ratio']}",
        file=sys.stderr,
        flush=True,
    )
    return row


def settle() -> None:
    """Write out what earlier steps left in the log, so neither side pays for the other."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            cursor.execute("CHECKPOINT")


def timed(work) -> tuple[float, object]:
    settle()
    start = time.perf_counter()
    outcome = work()
    return time.perf_counter() - start, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    args = parser.parse_args()
    vendor = setup_django("segments")

    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from segments import services
    from segments.models import CriteriaAction, SegmentLine

    false = "0" if vendor == "sqlite" else "FALSE"

    start = time.perf_counter()
    seed(connection, args.contacts)
    seeded_s = time.perf_counter() - start
    print(f"seeded {args.contacts} contacts in {seeded_s:.1f}s", file=sys.stderr)

    user = get_user_model().objects.create(username="bench")
    ours = services.create_segment(user=user, description="ours")
    base = services.create_segment(user=user, description="baseline")

    def baseline_action(seq: int, action: str) -> int:
        return CriteriaAction.objects.create(
            segment=base, seq=seq, action=action, created_by=user
        ).pk

    def run(statements: list[tuple[str, list]]) -> int:
        rows = 0
        with transaction.atomic(), connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                rows += max(cursor.rowcount, 0)
        return rows

    with connection.cursor() as cursor:  # the same warm cache for both sides
        cursor.execute("SELECT COUNT(*), MAX(name) FROM crm_contact WHERE country = 'NO'")
        cursor.fetchone()

    results = []
    blank = ", ".join("''" for _ in BLANK_LINE_COLUMNS)
    line_cols = ", ".join(LINE_COLUMNS)

    # --- add: about half the contacts, numbered by ROW_NUMBER() ----------------------------
    action = baseline_action(1, "add")
    add_sql = (
        "INSERT INTO segments_segmentline (segment_id, line_no, contact_id, added_by_id, "
        f"{', '.join(BLANK_LINE_COLUMNS)}) "
        "SELECT %s, 0 + 10000 * ROW_NUMBER() OVER (ORDER BY c.company_name, co.no, c.type, "
        f"c.name, c.id), c.id, %s, {blank} "
        "FROM crm_contact c LEFT JOIN crm_contact co ON co.id = c.company_id "
        f"WHERE c.country = 'NO' AND c.exclude_from_segment = {false} AND NOT EXISTS ("
        "SELECT 1 FROM segments_segmentline l WHERE l.segment_id = %s AND l.contact_id = c.id)"
    )
    baseline_s, baseline_rows = timed(lambda: run([(add_sql, [base.pk, action, base.pk])]))
    ours_s, added = timed(
        lambda: services.add_contacts(ours, criteria={"contact": {"country": "NO"}}, user=user)
    )
    assert added.added == baseline_rows, (added.added, baseline_rows)
    results.append(
        progress(
            "segments.add_contacts",
            vendor,
            ours_s,
            baseline_s,
            contacts=args.contacts,
            lines=added.added,
            peak_mb_while_adding=peak_mb(),
        )
    )

    # --- refine: keep four languages of five (removes ~20 %) -------------------------------
    kept = ", ".join(f"'{code}'" for code in LANGUAGES[:4])
    action = baseline_action(2, "refine")
    # NOT EXISTS, not NOT IN: PostgreSQL plans it as an anti-join instead of rescanning.
    outside = (
        "NOT EXISTS (SELECT 1 FROM crm_contact c WHERE c.id = segments_segmentline.contact_id "
        f"AND c.language IN ({kept}))"
    )
    refine = [
        (
            f"INSERT INTO segments_removedline ({line_cols}, removed_by_id) "
            f"SELECT {line_cols}, %s FROM segments_segmentline "
            f"WHERE segment_id = %s AND {outside}",
            [action, base.pk],
        ),
        (f"DELETE FROM segments_segmentline WHERE segment_id = %s AND {outside}", [base.pk]),
    ]
    # The side that runs second works on bigger tables: alternate who goes first.
    ours_s, refined = timed(
        lambda: services.refine_contacts(
            ours, criteria={"contact": {"language": list(LANGUAGES[:4])}}, user=user
        )
    )
    baseline_s, baseline_rows = timed(lambda: run(refine))
    assert 2 * refined.removed == baseline_rows, (refined.removed, baseline_rows)
    results.append(
        progress(
            "segments.refine_contacts",
            vendor,
            ours_s,
            baseline_s,
            contacts=args.contacts,
            lines=refined.removed,
        )
    )

    # --- reduce: the hard-copy contacts (~25 % of what is left) ----------------------------
    action = baseline_action(3, "reduce")
    inside = "contact_id IN (SELECT id FROM crm_contact WHERE correspondence_type = 'hard_copy')"
    reduce = [
        (
            f"INSERT INTO segments_removedline ({line_cols}, removed_by_id) "
            f"SELECT {line_cols}, %s FROM segments_segmentline "
            f"WHERE segment_id = %s AND {inside}",
            [action, base.pk],
        ),
        (f"DELETE FROM segments_segmentline WHERE segment_id = %s AND {inside}", [base.pk]),
    ]
    baseline_s, baseline_rows = timed(lambda: run(reduce))
    ours_s, reduced = timed(
        lambda: services.reduce_contacts(
            ours, criteria={"contact": {"correspondence_type": "hard_copy"}}, user=user
        )
    )
    assert 2 * reduced.removed == baseline_rows, (reduced.removed, baseline_rows)
    results.append(
        progress(
            "segments.reduce_contacts",
            vendor,
            ours_s,
            baseline_s,
            contacts=args.contacts,
            lines=reduced.removed,
        )
    )

    # --- go back: undo the reduce, restoring every removed line exactly -------------------
    restore = [
        (
            f"INSERT INTO segments_segmentline ({line_cols}) "
            f"SELECT {line_cols} FROM segments_removedline WHERE removed_by_id = %s",
            [action],
        ),
        ("DELETE FROM segments_removedline WHERE removed_by_id = %s", [action]),
        ("DELETE FROM segments_criteriaaction WHERE id = %s", [action]),
    ]
    ours_s, _undone = timed(lambda: services.go_back(ours, user=user))
    baseline_s, baseline_rows = timed(lambda: run(restore))
    ours_lines = SegmentLine.objects.filter(segment=ours).count()
    base_lines = SegmentLine.objects.filter(segment=base).count()
    assert ours_lines == base_lines, (ours_lines, base_lines)
    results.append(
        progress(
            "segments.go_back",
            vendor,
            ours_s,
            baseline_s,
            contacts=args.contacts,
            lines=reduced.removed,
        )
    )
    report(results)


if __name__ == "__main__":
    main()
