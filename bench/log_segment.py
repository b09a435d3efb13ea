"""Benchmark: logging a 100,000-line segment, ``log_segment`` against hand-written SQL.

Two baselines, each run before and after ours (the faster of the two counts, so a warm
cache never favours ``log_segment``):

- ``log_segment``: what a careful DBA would write for the same work: ``INSERT ...
  RETURNING`` the logged segment, one ``INSERT ... SELECT`` of the entries computing the
  same effective values and merge data (checked: both runs produce identical entries), and
  ``DELETE``s of the lines and the segment. It repeats our statement's shape, so it
  cannot show what that shape costs.
- ``log_segment_vs_plain_insert``: the true limit, the same statements with a plain
  ``INSERT ... SELECT`` of as many comparable entries (the same columns, into the same
  table with its indexes and triggers, values read straight from the line, its contact,
  the segment and its template: no inherited values, no merge data).

    .venv/bin/python bench/log_segment.py [--lines N] [--contacts N]
    scripts/with-postgres.sh .venv/bin/python bench/log_segment.py

``--contacts`` (default: as many as lines) seeds more contacts than the segment has lines,
every (contacts / lines)-th contact on it: logging at scale, e.g. 100,000 lines out of
10,000,000 contacts on PostgreSQL (not in ``make bench``).
"""

import sys
from pathlib import Path

# Run as a script, sys.path[0] is bench/ itself, where bench/segments.py would hide the
# project's segments app: the project root takes its place.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse  # noqa: E402
import datetime  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from bench.harness import report, result, setup_django  # noqa: E402

SUBJECT = (
    "COALESCE(NULLIF(x.l_subject, ''), NULLIF(sl.subject, ''), NULLIF(tl.subject, ''), "
    "x.description)"
)
DOCUMENT = (
    "COALESCE(NULLIF(x.l_document, ''), NULLIF(sl.document, ''), NULLIF(tl.document, ''), "
    "NULLIF(td.document, ''), '')"
)
RECURSIVE_NUMBERS = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %s)"


def seed(contacts: int):
    """Reference data and ``contacts`` contacts, all in SQL; returns (user, template)."""
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile
    from django.db import connection
    from django.utils import timezone

    from bench.letters import PARAGRAPHS
    from crm.models import CompanyInformation, Salesperson, Salutation, SalutationFormula
    from interactions import letters
    from interactions.models import (
        InteractionGroup,
        InteractionTemplate,
        InteractionTemplateLanguage,
    )

    user = get_user_model().objects.create(username="bench")
    salesperson = Salesperson.objects.create(code="SP01", name="Ola Nordmann", email="o@x.no")
    group = InteractionGroup.objects.create(code="LETTERS", description="Letters")
    template = InteractionTemplate.objects.create(
        code="OFFER", group=group, description="Offer", unit_cost=2, unit_duration=5
    )
    # A one-page letter with ten merge fields in each language: what the entries keep.
    for language, subject in [("en", "Offer"), ("nb", "Tilbud")]:
        InteractionTemplateLanguage.objects.create(
            template=template,
            language=language,
            subject=subject,
            document=ContentFile(letters.build_document(PARAGRAPHS), name=f"offer-{language}.docx"),
        )
    salutation = Salutation.objects.create(code="DEAR", description="Dear")
    SalutationFormula.objects.create(
        salutation=salutation, language="en", formal="Dear {first_name} {surname}", informal="Hi"
    )
    SalutationFormula.objects.create(
        salutation=salutation, language="nb", formal="Kjære {first_name}", informal="Hei"
    )
    CompanyInformation(name="Cronus AS", city="Oslo", country="NO", vat_no="NO1").save()
    now = timezone.now()
    numbers = (
        "WITH n(i) AS (SELECT generate_series(1, %s))"
        if connection.vendor == "postgresql"
        else RECURSIVE_NUMBERS
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""{numbers}
            INSERT INTO crm_contact (no, type, name, first_name, middle_name, surname,
                initials, job_title, company_name, address, address_2, post_code, city,
                county, country, phone, mobile_phone, email, home_page, language,
                salutation_id, salesperson_id, correspondence_type, exclude_from_segment,
                privacy_blocked, created_at, updated_at)
            SELECT 'B' || i, 'person', 'Person ' || i, 'First' || i, '', 'Sur' || i, '', '',
                '', 'Street ' || i, '', '0150', 'Oslo', '',
                CASE WHEN i %% 7 = 0 THEN 'SE' ELSE 'NO' END, '', '',
                CASE WHEN i %% 13 = 0 THEN '' ELSE 'p' || i || '@example.com' END, '',
                CASE WHEN i %% 2 = 0 THEN 'nb' ELSE 'en' END, %s, %s,
                CASE i %% 3 WHEN 0 THEN '' WHEN 1 THEN 'email' ELSE 'hard_copy' END,
                %s, %s, %s, %s
            FROM n""",
            [contacts, salutation.pk, salesperson.pk, False, False, now, now],
        )
    return user, template


def build_segment(no: str, user, template, *, lines: int, contacts: int):
    """A segment of ``lines`` lines, one for every (contacts / lines)-th contact; every
    tenth contact's line overrides its description."""
    from django.db import connection

    from segments.models import Segment

    segment = Segment.objects.create(
        no=no,
        description="Autumn campaign",
        interaction_template=template,
        date=datetime.date(2026, 11, 28),
        created_by=user,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO segments_segmentline (segment_id, line_no, contact_id,
                description, subject, language, correspondence_type, information_flow,
                initiated_by, evaluation, personal_note, document)
            SELECT %s, ROW_NUMBER() OVER (ORDER BY id) * 10000, id,
                CASE WHEN id %% 10 = 0 THEN 'Override' ELSE '' END, '', '', '', '', '', '',
                CASE WHEN id %% 5 = 0 THEN 'Note ' || id ELSE '' END, ''
            FROM crm_contact WHERE id %% %s = 0 ORDER BY id LIMIT %s""",
            [segment.pk, max(1, contacts // lines), lines],
        )
    return segment


def analyze(vendor: str) -> None:
    """On PostgreSQL, fresh planner statistics, as a database in use has them (autovacuum
    is off in the throwaway cluster). SQLite is left as Django leaves it, without
    statistics: with them (five segments of equal size) its planner scans every segment's
    lines and sorts the segment's entries instead of reading them through the
    (segment, line no.) index, for ours and the baselines alike."""
    from django.db import connection

    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _month_names(vendor_case_subject: str, language: str) -> str:
    from django.utils import translation
    from django.utils.dates import MONTHS

    with translation.override(language):
        whens = " ".join(f"WHEN {m} THEN '{MONTHS[m]}'" for m in range(1, 13))
    return f"CASE {vendor_case_subject} {whens} END"


def baseline_sql(vendor: str, fields: list[str]) -> str:
    """The hand-written INSERT ... SELECT of entries, for SQLite or PostgreSQL; each entry
    with a letter keeps merge ``fields``."""
    if vendor == "postgresql":
        json_object, nl = "JSONB_BUILD_OBJECT", "CHR(10)"
        day, year = "TO_CHAR(x.eff_date, 'FMDD')", "TO_CHAR(x.eff_date, 'YYYY')"
        month = "EXTRACT(MONTH FROM x.eff_date)::int"
    else:
        json_object, nl = "JSON_OBJECT", "CHAR(10)"
        day = "CAST(CAST(SUBSTR(x.eff_date, 9, 2) AS INTEGER) AS TEXT)"
        year = "SUBSTR(x.eff_date, 1, 4)"
        month = "CAST(SUBSTR(x.eff_date, 6, 2) AS INTEGER)"
    document_date = (
        f"CASE WHEN x.lang = 'nb' THEN {day} || '. ' || {_month_names(month, 'nb')} || ' ' "
        f"|| {year} ELSE {day} || ' ' || {_month_names(month, 'en')} || ' ' || {year} END"
    )

    def line(expr):
        return f"CASE WHEN {expr} = '' THEN '' ELSE {nl} || {expr} END"

    mailing_address = "SUBSTR({}, 2)".format(
        " || ".join(
            [
                line("x.c_name"),
                line(
                    "CASE WHEN x.c_type = 'person' AND x.c_company_id IS NOT NULL "
                    "THEN x.c_company_name ELSE '' END"
                ),
                line("x.c_address"),
                line("x.c_address_2"),
                line("TRIM(x.c_post_code || ' ' || x.c_city)"),
                line("x.c_county"),
                line(
                    "CASE WHEN x.c_country <> '' AND x.c_country <> COALESCE(ci.country, '') "
                    "THEN x.c_country ELSE '' END"
                ),
            ]
        )
    )

    def salutation(kind):
        formula = f"sf.{kind}"
        for placeholder, column in [
            ("first_name", "c_first_name"),
            ("middle_name", "c_middle_name"),
            ("surname", "c_surname"),
            ("initials", "c_initials"),
            ("job_title", "c_job_title"),
            ("company_name", "c_company_name"),
        ]:
            formula = f"REPLACE({formula}, '{{{placeholder}}}', x.{column})"
        return f"COALESCE(TRIM(REPLACE({formula}, '  ', ' ')), '')"

    merge = {
        "ContactNo": "x.c_no",
        "ContactName": "x.c_name",
        "CompanyName": "x.c_company_name",
        "JobTitle": "x.c_job_title",
        "Address": "x.c_address",
        "Address2": "x.c_address_2",
        "PostCode": "x.c_post_code",
        "City": "x.c_city",
        "County": "x.c_county",
        "Country": "x.c_country",
        "MailingAddress": mailing_address,
        "Email": "x.c_email",
        "Phone": "x.c_phone",
        "MobilePhone": "x.c_mobile_phone",
        "FormalSalutation": salutation("formal"),
        "InformalSalutation": salutation("informal"),
        "SalespersonName": "COALESCE(sp.name, '')",
        "SalespersonJobTitle": "COALESCE(sp.job_title, '')",
        "SalespersonEmail": "COALESCE(sp.email, '')",
        "SalespersonPhone": "COALESCE(sp.phone, '')",
        "DocumentDate": document_date,
        "Subject": SUBJECT,
        "Description": "x.description",
        "SegmentNo": "x.segment_no",
        "PersonalNote": "x.personal_note",
        "OurName": "COALESCE(ci.name, '')",
        "OurAddress": "COALESCE(ci.address, '')",
        "OurPostCode": "COALESCE(ci.post_code, '')",
        "OurCity": "COALESCE(ci.city, '')",
        "OurCountry": "COALESCE(ci.country, '')",
        "OurPhone": "COALESCE(ci.phone, '')",
        "OurEmail": "COALESCE(ci.email, '')",
        "OurVatNo": "COALESCE(ci.vat_no, '')",
    }
    # The entry keeps the fields its letter uses (docs/merge-data.md): the baseline knows
    # them, as the letter is the same in both languages.
    merge_data = "CASE WHEN {} = '' THEN {}() ELSE {}({}) END".format(
        DOCUMENT,
        json_object,
        json_object,
        ", ".join(f"'{name}', {merge[name]}" for name in fields),
    )
    # x: each line with its effective template, language and the values that need no
    # lookup by language; the outer query joins the per-language rows once.
    return f"""
    INSERT INTO interactions_interactionlogentry (contact_id, contact_company_id,
        contact_name, logged_segment_id, segment_no, date, description, subject,
        template_id, group_id, language, correspondence_type, cost, duration,
        information_flow, initiated_by, salesperson_id, evaluation, attempt_failed, canceled,
        delivery_status, delivery_error, merge_data, document, attachment, campaign_id,
        campaign_entry_id, campaign_target, campaign_response, created_by_id, created_at)
    SELECT x.contact_id, x.c_company_id, x.c_name, %(logged)s, x.segment_no, x.eff_date,
        x.description,
        {SUBJECT},
        x.tmpl_id, x.group_id, x.lang,
        CASE WHEN x.ctype = 'email' AND x.c_email = '' THEN '' ELSE x.ctype END,
        x.cost, x.duration, x.flow, x.initiated, x.sp_id, x.evaluation, %(false)s,
        %(false)s, '', '',
        {merge_data},
        {DOCUMENT},
        '', NULL, NULL, %(false)s, %(false)s, %(user)s, %(now)s
    FROM (
        SELECT l.line_no, l.contact_id, l.segment_id, s.no AS segment_no,
            l.subject AS l_subject, l.document AS l_document, l.personal_note, l.evaluation,
            c.no AS c_no, c.name AS c_name, c.type AS c_type, c.company_id AS c_company_id,
            c.company_name AS c_company_name, c.first_name AS c_first_name,
            c.middle_name AS c_middle_name, c.surname AS c_surname,
            c.initials AS c_initials, c.job_title AS c_job_title, c.address AS c_address,
            c.address_2 AS c_address_2, c.post_code AS c_post_code, c.city AS c_city,
            c.county AS c_county, c.country AS c_country, c.email AS c_email,
            c.phone AS c_phone, c.mobile_phone AS c_mobile_phone,
            c.salutation_id AS c_salutation_id,
            COALESCE(l.interaction_template_id, s.interaction_template_id) AS tmpl_id,
            COALESCE(lt.group_id, st.group_id) AS group_id,
            CASE WHEN lt.id IS NOT NULL THEN lt.default_language ELSE st.default_language END
                AS tmpl_default_lang,
            COALESCE(l.date, s.date) AS eff_date,
            COALESCE(l.salesperson_id, s.salesperson_id, c.salesperson_id) AS sp_id,
            COALESCE(NULLIF(l.description, ''), NULLIF(lt.description, ''),
                NULLIF(s.description, ''), NULLIF(st.description, ''), '') AS description,
            COALESCE(l.cost, lt.unit_cost, s.unit_cost, st.unit_cost, 0) AS cost,
            COALESCE(l.duration, lt.unit_duration, s.unit_duration, st.unit_duration, 0)
                AS duration,
            COALESCE(NULLIF(l.information_flow, ''), NULLIF(lt.information_flow, ''),
                NULLIF(s.information_flow, ''), NULLIF(st.information_flow, ''), '') AS flow,
            COALESCE(NULLIF(l.initiated_by, ''), NULLIF(lt.initiated_by, ''),
                NULLIF(s.initiated_by, ''), NULLIF(st.initiated_by, ''), '') AS initiated,
            CASE
                WHEN l.correspondence_type <> '' THEN l.correspondence_type
                WHEN s.ignore_contact_correspondence_type = %(true)s
                    AND s.correspondence_type <> '' THEN s.correspondence_type
                WHEN lt.id IS NOT NULL AND (lt.ignore_contact_correspondence_type = %(true)s
                    OR c.correspondence_type = '') THEN lt.correspondence_type
                WHEN lt.id IS NULL AND st.id IS NOT NULL
                    AND (st.ignore_contact_correspondence_type = %(true)s
                    OR c.correspondence_type = '') THEN st.correspondence_type
                ELSE c.correspondence_type
            END AS ctype,
            CASE
                WHEN l.language <> '' THEN l.language
                WHEN c.language <> '' AND EXISTS (
                    SELECT 1 FROM interactions_interactiontemplatelanguage v
                    WHERE v.template_id = COALESCE(l.interaction_template_id,
                        s.interaction_template_id) AND v.language = c.language)
                    THEN c.language
                WHEN s.language <> '' THEN s.language
                ELSE COALESCE(COALESCE(lt.default_language, st.default_language), '')
            END AS lang
        FROM segments_segmentline l
        JOIN segments_segment s ON s.id = l.segment_id
        JOIN crm_contact c ON c.id = l.contact_id
        LEFT JOIN interactions_interactiontemplate lt ON lt.id = l.interaction_template_id
        LEFT JOIN interactions_interactiontemplate st ON st.id = s.interaction_template_id
        WHERE l.segment_id = %(segment)s
    ) x
    LEFT JOIN interactions_interactiontemplatelanguage tl
        ON tl.template_id = x.tmpl_id AND tl.language = x.lang
    LEFT JOIN interactions_interactiontemplatelanguage td
        ON td.template_id = x.tmpl_id AND td.language = x.tmpl_default_lang
    LEFT JOIN segments_segmentlanguage sl
        ON sl.segment_id = x.segment_id AND sl.language = x.lang
    LEFT JOIN crm_salutationformula sf
        ON sf.salutation_id = x.c_salutation_id AND sf.language = x.lang
    LEFT JOIN crm_salesperson sp ON sp.id = x.sp_id
    LEFT JOIN crm_companyinformation ci ON ci.id = 1
    ORDER BY x.line_no
    """


def letter_fields() -> list[str]:
    """The merge fields of the bench's letter, as stored in merge data."""
    from bench.letters import PARAGRAPHS
    from interactions import letters
    from interactions.merge import snapshot_fields

    return list(snapshot_fields(letters.fields(letters.build_document(PARAGRAPHS))))


def plain_sql() -> str:
    """The plain INSERT ... SELECT: one comparable entry per line, nothing computed."""
    return """
    INSERT INTO interactions_interactionlogentry (contact_id, contact_company_id,
        contact_name, logged_segment_id, segment_no, date, description, subject,
        template_id, group_id, language, correspondence_type, cost, duration,
        information_flow, initiated_by, salesperson_id, evaluation, attempt_failed, canceled,
        delivery_status, delivery_error, merge_data, document, attachment, campaign_id,
        campaign_entry_id, campaign_target, campaign_response, created_by_id, created_at)
    SELECT c.id, c.company_id, c.name, %(logged)s, s.no, s.date, s.description,
        s.description, s.interaction_template_id, t.group_id, c.language,
        c.correspondence_type, t.unit_cost, t.unit_duration, t.information_flow,
        t.initiated_by, c.salesperson_id, l.evaluation, %(false)s, %(false)s, '', '', '{}',
        '', '', NULL, NULL, %(false)s, %(false)s, %(user)s, %(now)s
    FROM segments_segmentline l
    JOIN segments_segment s ON s.id = l.segment_id
    JOIN crm_contact c ON c.id = l.contact_id
    JOIN interactions_interactiontemplate t ON t.id = s.interaction_template_id
    WHERE l.segment_id = %(segment)s
    ORDER BY l.line_no
    """


def log_by_hand(segment, user, vendor: str, *, plain: bool = False) -> int:
    """A baseline: the logged segment, the entries and the deletes, all hand-written;
    with ``plain``, the entries are the plain statement's."""
    from django.db import connection, transaction
    from django.utils import timezone

    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO interactions_loggedsegment (segment_no, description, criteria,
                canceled, send_as_attachment, print_batch, created_by_id, created_at)
            VALUES (%s, %s, %s, %s, %s, '', %s, %s) RETURNING entry_no""",
            [segment.no, segment.description, "[]", False, False, user.pk, now],
        )
        logged = cursor.fetchone()[0]
        cursor.execute(
            plain_sql() if plain else baseline_sql(vendor, letter_fields()),
            {
                "logged": logged,
                "user": user.pk,
                "now": now,
                "segment": segment.pk,
                "true": True,
                "false": False,
            },
        )
        inserted = cursor.rowcount
        cursor.execute("DELETE FROM segments_segmentline WHERE segment_id = %s", [segment.pk])
        cursor.execute("DELETE FROM segments_segment WHERE id = %s", [segment.pk])
    if plain:
        return inserted
    return logged


def entries(logged_pk: int):
    """The entries of a logged segment, streamed, without what must differ between runs."""
    from interactions.models import InteractionLogEntry

    rows = InteractionLogEntry.objects.filter(logged_segment_id=logged_pk).order_by("entry_no")
    for row in rows.values().iterator(chunk_size=2000):
        for key in ("entry_no", "logged_segment_id", "segment_no", "created_at"):
            row.pop(key)
        row["merge_data"].pop("SegmentNo", None)
        yield row


def same_entries(ours: int, baseline: int) -> int | None:
    """How many entries, when both logged segments have the same entries; else None."""
    count = 0
    for mine, theirs in zip(entries(ours), entries(baseline), strict=False):
        if mine != theirs:
            print(f"differs:\n  ours     {mine}\n  baseline {theirs}", file=sys.stderr)
            return None
        count += 1
    return count


def cpu_ratio(vendor: str, cpu: dict, *baselines: str) -> dict:
    """On SQLite, the CPU seconds of ours and of the faster baseline, and their ratio."""
    if vendor != "sqlite":
        return {}
    baseline = min(cpu[name] for name in baselines)
    return {
        "ours_cpu_s": cpu["ours"],
        "baseline_cpu_s": baseline,
        "cpu_ratio": round(cpu["ours"] / baseline, 3) if baseline else None,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--contacts", type=int, default=0, help="default: as many as lines")
    args = parser.parse_args()
    contacts = max(args.contacts, args.lines)
    # The letters are stored files: in a folder of this run, not the project's media.
    os.environ.setdefault("DJANGO_MEDIA_ROOT", tempfile.mkdtemp(prefix="bench-media-"))
    vendor = setup_django("log_segment")

    from segments import services

    user, template = seed(contacts)
    names = ("PLAIN1", "BASE1", "OURS", "BASE2", "PLAIN2")
    plain_1, first, ours, second, plain_2 = (
        build_segment(no, user, template, lines=args.lines, contacts=contacts) for no in names
    )
    analyze(vendor)

    cpu = {}

    def timed(name, work):
        """Run ``work``; its wall time, and (SQLite runs in this process) its CPU time,
        which a machine busy with other work disturbs far less."""
        start, start_cpu = time.perf_counter(), time.process_time()
        value = work()
        cpu[name] = round(time.process_time() - start_cpu, 4)
        return value, time.perf_counter() - start

    plain_count_1, plain_1_s = timed(
        "plain_1", lambda: log_by_hand(plain_1, user, vendor, plain=True)
    )
    baseline_first, baseline_1 = timed("baseline_1", lambda: log_by_hand(first, user, vendor))
    logged, ours_s = timed("ours", lambda: services.log_segment(ours, user=user))
    _logged, baseline_2 = timed("baseline_2", lambda: log_by_hand(second, user, vendor))
    plain_count_2, plain_2_s = timed(
        "plain_2", lambda: log_by_hand(plain_2, user, vendor, plain=True)
    )
    rows = [  # measures the peak memory before the check below reads the entries
        result(
            "log_segment",
            vendor,
            ours_s,
            min(baseline_1, baseline_2),
            lines=args.lines,
            contacts=contacts,
            baseline_runs_s=[round(baseline_1, 4), round(baseline_2, 4)],
            **cpu_ratio(vendor, cpu, "baseline_1", "baseline_2"),
        ),
        result(
            "log_segment_vs_plain_insert",
            vendor,
            ours_s,
            min(plain_1_s, plain_2_s),
            lines=args.lines,
            contacts=contacts,
            baseline_runs_s=[round(plain_1_s, 4), round(plain_2_s, 4)],
            **cpu_ratio(vendor, cpu, "plain_1", "plain_2"),
        ),
    ]
    # The same work: both produce the same entries (only numbers and segment no. differ);
    # the plain statement as many.
    rows[0]["same_entries"] = same = same_entries(logged.pk, baseline_first) == args.lines
    rows[1]["same_count"] = plain = plain_count_1 == plain_count_2 == args.lines
    report(rows)
    if not same:
        sys.exit("log_segment and the baseline produced different entries")
    if not plain:
        sys.exit("the plain statement did not insert one entry per line")


if __name__ == "__main__":
    main()
