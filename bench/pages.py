"""The segment page with 100,000 lines: render time and query count of its first page.

    .venv/bin/python bench/pages.py [LINES]          (default 100,000; target < 0.3 s)
    scripts/with-postgres.sh .venv/bin/python bench/pages.py

Ours is the whole page as a browser gets it (the test Client: middleware, session, the
header form, counters, criteria history and the first 50 lines with effective values).
The baseline is the practical limit of the data work alone: one hand-written SQL query
that fetches the same first 50 lines with their effective values. Contacts and lines are
inserted with raw ``INSERT ... SELECT`` so that building 100,000 lines takes seconds.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

# Run as a script, sys.path[0] is bench/ itself, where bench/segments.py would hide the
# project's segments app: the project root takes its place.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.harness import report, result, setup_django  # noqa: E402

RUNS = 7
TARGET_S = 0.3
MAX_QUERIES = 15

# The same first page the worksheet shows: effective values per SPEC 4.2, computed by
# plain joins (the template language subject as the only correlated subquery).
BASELINE_SQL = """
SELECT l.id, l.line_no, c.no, c.name,
       COALESCE(lt.code, st.code) AS template_code,
       COALESCE(NULLIF(l.description, ''), NULLIF(lt.description, ''),
                NULLIF(s.description, ''), NULLIF(st.description, ''), '') AS description,
       COALESCE(NULLIF(l.subject, ''),
                (SELECT NULLIF(tl.subject, '') FROM interactions_interactiontemplatelanguage tl
                  WHERE tl.template_id = COALESCE(l.interaction_template_id,
                                                  s.interaction_template_id)
                    AND tl.language = COALESCE(NULLIF(l.language, ''), NULLIF(c.language, ''),
                                               NULLIF(s.language, ''),
                                               COALESCE(lt.default_language, st.default_language))),
                NULLIF(l.description, ''), NULLIF(s.description, ''), st.description)
           AS subject,
       COALESCE(l.date, s.date) AS date,
       COALESCE(lsp.name, ssp.name, csp.name) AS salesperson,
       COALESCE(NULLIF(l.language, ''), NULLIF(c.language, ''), NULLIF(s.language, ''),
                COALESCE(lt.default_language, st.default_language)) AS language,
       CASE WHEN l.correspondence_type <> '' THEN l.correspondence_type
            WHEN s.ignore_contact_correspondence_type AND s.correspondence_type <> ''
                 THEN s.correspondence_type
            WHEN c.correspondence_type = '' THEN COALESCE(lt.correspondence_type,
                                                          st.correspondence_type)
            ELSE c.correspondence_type END AS correspondence_type,
       COALESCE(l.cost, lt.unit_cost, s.unit_cost, st.unit_cost, 0) AS cost,
       COALESCE(l.duration, lt.unit_duration, s.unit_duration, st.unit_duration, 0) AS duration,
       COALESCE(NULLIF(l.information_flow, ''), NULLIF(lt.information_flow, ''),
                NULLIF(s.information_flow, ''), st.information_flow) AS information_flow,
       COALESCE(NULLIF(l.initiated_by, ''), NULLIF(lt.initiated_by, ''),
                NULLIF(s.initiated_by, ''), st.initiated_by) AS initiated_by,
       l.evaluation
  FROM segments_segmentline l
  JOIN segments_segment s ON s.id = l.segment_id
  JOIN crm_contact c ON c.id = l.contact_id
  LEFT JOIN interactions_interactiontemplate lt ON lt.id = l.interaction_template_id
  LEFT JOIN interactions_interactiontemplate st ON st.id = s.interaction_template_id
  LEFT JOIN crm_salesperson lsp ON lsp.id = l.salesperson_id
  LEFT JOIN crm_salesperson ssp ON ssp.id = s.salesperson_id
  LEFT JOIN crm_salesperson csp ON csp.id = c.salesperson_id
 WHERE l.segment_id = %s
 ORDER BY l.line_no
 LIMIT 50
"""


def build(count: int):
    """A segment of ``count`` lines over ``count`` new contacts, by raw INSERT ... SELECT."""
    from django.db import connection, transaction
    from django.utils import timezone

    from crm.models import Salesperson
    from interactions.models import (
        InteractionGroup,
        InteractionTemplate,
        InteractionTemplateLanguage,
    )
    from segments import services
    from tests.factories import staff_user

    user = staff_user(username="bench")
    salesperson = Salesperson.objects.create(code="BENCH", name="Bench Salesperson", user=user)
    group = InteractionGroup.objects.create(code="LETTER", description="Letters")
    template = InteractionTemplate.objects.create(
        code="OFFER", group=group, description="Spring offer", unit_cost=2, unit_duration=5
    )
    InteractionTemplateLanguage.objects.create(
        template=template, language="en", description="Spring offer", subject="Our spring offer"
    )
    segment = services.create_segment(
        user=user, description="Bench segment", interaction_template=template
    )
    now = timezone.now()
    numbers = f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count})"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""{numbers}
            INSERT INTO crm_contact (no, type, name, first_name, middle_name, surname, initials,
                job_title, company_name, address, address_2, post_code, city, county, country,
                phone, mobile_phone, email, home_page, language, salesperson_id,
                correspondence_type, exclude_from_segment, privacy_blocked, created_at,
                updated_at)
            SELECT 'B' || CAST(i AS VARCHAR(10)), 'person', 'Person ' || CAST(i AS VARCHAR(10)),
                'Person', '', CAST(i AS VARCHAR(10)), '', '', '', 'Street 1', '', '0150', 'Oslo',
                '', 'NO', '', '', 'p' || CAST(i AS VARCHAR(10)) || '@example.com', '', 'en', %s,
                'email', FALSE, FALSE, %s, %s
              FROM n""",
            [salesperson.pk, now, now],
        )
        # Every seventh line overrides its description and cost, as users do.
        cursor.execute(
            """INSERT INTO segments_segmentline (line_no, description, subject, language,
                correspondence_type, cost, information_flow, initiated_by, evaluation,
                personal_note, document, segment_id, contact_id)
            SELECT ROW_NUMBER() OVER (ORDER BY c.id) * 10000,
                CASE WHEN c.id %% 7 = 0 THEN 'Own text' ELSE '' END, '', '', '',
                CASE WHEN c.id %% 7 = 0 THEN 9 ELSE NULL END, '', '', '', '', '', %s, c.id
              FROM crm_contact c WHERE c.no LIKE 'B%%'""",
            [segment.pk],
        )
    if connection.vendor == "postgresql":
        # Autovacuum would analyse the new rows soon after a bulk load; do it now. SQLite
        # keeps no statistics unless told to, as in production.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return user, segment


def main(count: int) -> None:
    os.environ.setdefault("DJANGO_MEDIA_ROOT", tempfile.mkdtemp(prefix="bench-media-"))
    vendor = setup_django("pages")

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    user, segment = build(count)
    assert segment.lines.count() == count

    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    url = segment.get_absolute_url()
    response = client.get(url)  # warm up: templates compiled, caches filled
    assert response.status_code == 200, response.status_code
    assert b'id="line-10000"' in response.content
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = len(captured)

    ours = []
    for _run in range(RUNS):
        start = time.perf_counter()
        response = client.get(url)
        ours.append(time.perf_counter() - start)
        assert response.status_code == 200

    baseline = []
    with connection.cursor() as cursor:
        for _run in range(RUNS):
            start = time.perf_counter()
            cursor.execute(BASELINE_SQL, [segment.pk])
            rows = cursor.fetchall()
            baseline.append(time.perf_counter() - start)
    assert len(rows) == 50

    # The worksheet's own query for the same rows (ORM: compile, fetch, build instances).
    from segments.selectors import worksheet_lines

    lines_query = []
    for _run in range(RUNS):
        start = time.perf_counter()
        page = list(worksheet_lines(segment)[:50])
        lines_query.append(time.perf_counter() - start)
    assert [line.line_no for line in page] == [row[1] for row in rows]

    ours_s = statistics.median(ours)
    report(
        result(
            "segment_page",
            vendor,
            ours_s,
            statistics.median(baseline),
            lines=count,
            queries=queries,
            lines_query_s=round(statistics.median(lines_query), 4),
            max_queries=MAX_QUERIES,
            target_s=TARGET_S,
            within_target=ours_s < TARGET_S and queries <= MAX_QUERIES,
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
