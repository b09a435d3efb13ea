"""Segment building and the criteria preview against hand-written SQL on the same data.

Seeds N contacts (default 1,000,000; set-based, in chunks, so 10,000,000 runs in flat
memory) with raw SQL, then on two identical segments runs add_contacts (criteria matching
about half), refine_contacts, reduce_contacts and go_back: ours through the services on
one segment, the baseline as hand-written statements on the other. Prints each ratio
(target <= 1.5) and the peak memory while adding (target < 400 MB).

Two more comparisons against the true limit, in the same run:
- adding against the plain statement, lines numbered in contact-id order instead of the
  product's order (``segments.add_contacts.id_order``, target <= 2.0);
- the dialog's preview of add, reduce and refine on the ~500,000-line segment (at 1M
  contacts) against one hand-written count query each giving the same numbers, left-out
  counts included (``segments.preview.*``, target <= 1.5).

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
from functools import partial  # noqa: E402

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


#: Contacts per seeding statement: memory (ours and the database's) stays flat whatever
#: --contacts says, 10,000,000 included.
SEED_CHUNK = 500_000


def sort_key_sql(vendor: str, *parts: str) -> str:
    """``crm.models.segment_sort_key`` of four SQL text expressions, in SQL."""
    char = "chr" if vendor == "postgresql" else "char"
    mark, escaped, end = f"{char}(1)", f"{char}(1) || {char}(2)", f"{char}(1) || {char}(1)"
    return " || ".join(f"replace({part}, {mark}, {escaped}) || {end}" for part in parts)


def seed(connection, contacts: int, chunk: int = SEED_CHUNK) -> None:
    """Insert ``contacts`` contacts, one in ten a company with persons, set-based in chunks
    of ``chunk`` rows, each with its segment sort key as ``Contact.save`` would write it."""
    companies = max(1, contacts // COMPANY_EVERY)
    persons = contacts - companies
    vendor = connection.vendor
    sqlite = vendor == "sqlite"
    if sqlite:
        numbers = (
            "WITH RECURSIVE seq(i) AS (SELECT {lo} UNION ALL SELECT i + 1 FROM seq WHERE i < {hi})"
        )

        def pad(expression, width):
            return f"printf('%0{width}d', {expression})"

    else:
        numbers = "WITH seq(i) AS (SELECT generate_series({lo}, {hi}))"

        def pad(expression, width):
            return f"lpad(({expression})::text, {width}, '0')"

    def chunks(total):
        for lo in range(1, total + 1, chunk):
            yield numbers.format(lo=lo, hi=min(total, lo + chunk - 1))

    blank = ", ".join(["''"] * 12)  # first_name ... home_page
    columns = (
        "no, type, name, company_name, city, post_code, country, language, "
        "correspondence_type, exclude_from_segment, privacy_blocked, created_at, updated_at, "
        "first_name, middle_name, surname, initials, job_title, address, address_2, county, "
        "phone, mobile_phone, email, home_page, segment_sort_key"
    )
    language = "CASE i % 5 " + " ".join(
        f"WHEN {n} THEN '{code}'" for n, code in enumerate(LANGUAGES)
    )
    language += " END"
    now = "CURRENT_TIMESTAMP"
    false = "0" if sqlite else "FALSE"
    true = "1" if sqlite else "TRUE"
    company_name = f"'Company ' || {pad('i', 7)}"
    company_no = f"'CO' || {pad('i', 7)}"
    company_key = sort_key_sql(vendor, company_name, company_no, "'company'", company_name)
    with connection.cursor() as cursor:
        for seq in chunks(companies):
            cursor.execute(
                seq + f" INSERT INTO crm_contact ({columns}) "
                f"SELECT {company_no}, 'company', {company_name}, "
                f"{company_name}, 'City ' || (i % 50), {pad('i % 10000', 4)}, "
                f"CASE WHEN i % 2 = 0 THEN 'NO' ELSE 'SE' END, {language}, "
                f"CASE WHEN i % 4 = 0 THEN 'hard_copy' ELSE 'email' END, {false}, {false}, "
                f"{now}, {now}, {blank}, {company_key} FROM seq"
            )
        cursor.execute("UPDATE crm_contact SET company_id = id WHERE type = 'company'")
        cursor.execute("SELECT MIN(id) FROM crm_contact")
        first_company = cursor.fetchone()[0]
        # Every twentieth person has no company; the others spread over the companies.
        company = f"CASE WHEN i % 20 = 0 THEN NULL ELSE {first_company} + (i % {companies}) END"
        company_name = (
            f"CASE WHEN i % 20 = 0 THEN '' ELSE 'Company ' || {pad(f'i % {companies} + 1', 7)} END"
        )
        company_no = (
            f"CASE WHEN i % 20 = 0 THEN '' ELSE 'CO' || {pad(f'i % {companies} + 1', 7)} END"
        )
        name = f"'Person ' || {pad('i', 7)}"
        person_key = sort_key_sql(vendor, company_name, company_no, "'person'", name)
        for seq in chunks(persons):
            cursor.execute(
                seq + f" INSERT INTO crm_contact ({columns}, company_id) "
                f"SELECT 'CT' || {pad('i', 7)}, 'person', {name}, "
                f"{company_name}, 'City ' || (i % 50), {pad('i % 10000', 4)}, "
                f"CASE WHEN i % 2 = 0 THEN 'NO' ELSE 'SE' END, {language}, "
                f"CASE WHEN i % 4 = 0 THEN 'hard_copy' ELSE 'email' END, "
                f"CASE WHEN i % 100 = 7 THEN {true} ELSE {false} END, "
                f"CASE WHEN i % 100 = 13 THEN {true} ELSE {false} END, "
                f"{now}, {now}, {blank}, {person_key}, {company} FROM seq"
            )
        cursor.execute("ANALYZE")
    check_sort_keys(connection)


def check_sort_keys(connection) -> None:
    """The seeded keys are the ones the product writes (a sample of about 1,000 rows)."""
    from crm.models import segment_sort_key

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM crm_contact")
        every = max(1, cursor.fetchone()[0] // 1000)
        cursor.execute(
            "SELECT c.segment_sort_key, c.company_name, co.no, c.type, c.name "
            "FROM crm_contact c LEFT JOIN crm_contact co ON co.id = c.company_id "
            f"WHERE c.id % {every} = 0"
        )
        for key, *values in cursor.fetchall():
            assert key == segment_sort_key(*values), (key, values)


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


#: What each preview asks: add three languages of five (many already on the segment,
#: some excluded or privacy blocked), reduce the hard-copy contacts, refine to four
#: languages.
PREVIEW_LANGUAGES = LANGUAGES[1:4]
PREVIEW_RUNS = 3


def best_of(work, runs: int = PREVIEW_RUNS) -> tuple[float, object]:
    """The fastest of ``runs`` timed calls (after one untimed): reads, so no settling."""
    outcome = work()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        outcome = work()
        times.append(time.perf_counter() - start)
    return min(times), outcome


def preview_counts(sql: str, params: list) -> tuple:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return tuple(int(value or 0) for value in cursor.fetchone())


def preview_results(vendor: str, segment, contacts: int) -> list[dict]:
    """The criteria preview of add, reduce and refine against the hand-written counts.

    Ours is the dialog's preview (``selectors.preview``: its counts, the left-out counts
    per reason and the sample of 20 contacts); the baseline is one hand-written query per
    action giving the same numbers.
    """
    from segments.selectors import preview

    lines = segment.lines.count()
    languages = ", ".join(f"'{code}'" for code in PREVIEW_LANGUAGES)
    kept = ", ".join(f"'{code}'" for code in LANGUAGES[:4])
    true = "1" if vendor == "sqlite" else "TRUE"
    false = "0" if vendor == "sqlite" else "FALSE"

    def when(condition):
        return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"

    pool = (
        "SELECT c.privacy_blocked AS blocked, c.exclude_from_segment AS excluded, "
        "EXISTS (SELECT 1 FROM segments_segmentline l WHERE l.segment_id = %s "
        f"AND l.contact_id = c.id) AS on_segment FROM crm_contact c "
        f"WHERE c.language IN ({languages})"
    )
    add_sql = (
        f"SELECT {when(f'NOT blocked AND excluded = {false} AND on_segment = {false}')}, "
        f"{when(f'blocked = {true}')}, {when(f'NOT blocked AND excluded = {true}')}, "
        f"{when(f'NOT blocked AND excluded = {false} AND on_segment = {true}')} "
        f"FROM ({pool}) pool"
    )
    removed_sql = (
        "SELECT COUNT(*) FROM segments_segmentline l JOIN crm_contact c ON c.id = l.contact_id "
        "WHERE l.segment_id = %s AND {condition}"
    )
    cases = [
        (
            "add",
            {"contact": {"language": list(PREVIEW_LANGUAGES)}},
            add_sql,
            lambda p: (p.added, *(p.left_out[r] for r in LEFT_OUT)),
        ),
        (
            "reduce",
            {"contact": {"correspondence_type": "hard_copy"}},
            removed_sql.format(condition="c.correspondence_type = 'hard_copy'"),
            lambda p: (p.removed,),
        ),
        (
            "refine",
            {"contact": {"language": list(LANGUAGES[:4])}},
            removed_sql.format(condition=f"c.language NOT IN ({kept})"),
            lambda p: (p.removed,),
        ),
    ]
    rows = []
    for action, criteria, sql, numbers in cases:
        ours_s, shown = best_of(partial(preview, segment, action=action, criteria=criteria))
        baseline_s, counts = best_of(partial(preview_counts, sql, [segment.pk]))
        assert numbers(shown) == counts, (action, numbers(shown), counts)
        assert len(shown.sample) == min(20, counts[0]), (action, len(shown.sample))
        rows.append(
            progress(
                f"segments.preview.{action}",
                vendor,
                ours_s,
                baseline_s,
                contacts=contacts,
                segment_lines=lines,
                counts=list(counts),
                target=1.5,
            )
        )
    return rows


#: The left-out reasons in the order the add preview's hand-written query counts them.
LEFT_OUT = ("privacy_blocked", "excluded", "already_on_segment")


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
    # Three sides: the plain statement (lines in contact-id order: the true limit of the
    # set work), the hand-written statement in the product's order (the sort key), ours.
    def add_statement(segment_id: int, action_id: int, order: str) -> tuple[str, list]:
        return (
            "INSERT INTO segments_segmentline (segment_id, line_no, contact_id, added_by_id, "
            f"{', '.join(BLANK_LINE_COLUMNS)}) "
            f"SELECT %s, 0 + 10000 * ROW_NUMBER() OVER (ORDER BY {order}), c.id, %s, {blank} "
            f"FROM crm_contact c WHERE c.country = 'NO' AND c.exclude_from_segment = {false} "
            f"AND c.privacy_blocked = {false} AND NOT EXISTS (SELECT 1 FROM "
            "segments_segmentline l WHERE l.segment_id = %s AND l.contact_id = c.id)",
            [segment_id, action_id, segment_id],
        )

    plain = services.create_segment(user=user, description="plain")
    plain_action = CriteriaAction.objects.create(
        segment=plain, seq=1, action="add", created_by=user
    ).pk
    plain_s, plain_rows = timed(lambda: run([add_statement(plain.pk, plain_action, "c.id")]))
    action = baseline_action(1, "add")
    base_add = add_statement(base.pk, action, "c.segment_sort_key, c.id")
    baseline_s, baseline_rows = timed(lambda: run([base_add]))
    ours_s, added = timed(
        lambda: services.add_contacts(ours, criteria={"contact": {"country": "NO"}}, user=user)
    )
    assert added.added == baseline_rows == plain_rows, (added.added, baseline_rows, plain_rows)
    adding_mb = peak_mb()
    results.append(
        progress(
            "segments.add_contacts",
            vendor,
            ours_s,
            baseline_s,
            contacts=args.contacts,
            lines=added.added,
            peak_mb_while_adding=adding_mb,
        )
    )
    results.append(
        progress(
            "segments.add_contacts.id_order",
            vendor,
            ours_s,
            plain_s,
            contacts=args.contacts,
            lines=added.added,
            target=2.0,
        )
    )
    # The plain segment has served: its lines go, untimed, so that the steps below work
    # on the same tables as before.
    run(
        [
            ("DELETE FROM segments_segmentline WHERE segment_id = %s", [plain.pk]),
            ("DELETE FROM segments_criteriaaction WHERE segment_id = %s", [plain.pk]),
        ]
    )

    # --- preview of add, reduce and refine on the ~500,000-line segment ---------------------
    results += preview_results(vendor, ours, args.contacts)

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
