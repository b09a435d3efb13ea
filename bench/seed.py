"""Seeding contacts: ``seed_demo``'s bulk inserts against a raw executemany of the same rows.

    .venv/bin/python bench/seed.py [CONTACTS]          (default 100,000; target < 60 s)
    scripts/with-postgres.sh .venv/bin/python bench/seed.py

Ours is ``seed_contacts`` as the command runs it: rows generated with Faker pools, numbers
taken from the series, one multi-row insert of contacts and one per membership table,
one transaction per batch of 10,000. The baseline inserts the very same rows, generated
beforehand (untimed), as one ``executemany`` per table in one transaction: the limit.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

# Run as a script, sys.path[0] is bench/ itself, where bench/segments.py would hide the
# project's segments app: the project root takes its place.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.harness import report, result, setup_django  # noqa: E402


def main(count: int) -> None:
    os.environ.setdefault("DJANGO_MEDIA_ROOT", tempfile.mkdtemp(prefix="bench-media-"))
    vendor = setup_django("seed")

    from django.db import connection, transaction
    from django.utils import timezone

    from crm.demo import (
        M2M,
        SEED,
        ContactGenerator,
        Refs,
        seed_contacts,
        seed_reference_data,
        through_model,
        wipe_demo_data,
    )
    from crm.models import Contact

    seed_reference_data()

    start = time.perf_counter()
    seeded = seed_contacts(count, seed=SEED)
    ours = time.perf_counter() - start
    assert Contact.objects.count() == count == seeded
    memberships = sum(through_model(name)[0].objects.count() for name in M2M)

    # Start over (the tables of every app, as --reset does), then insert the same rows
    # the fastest plain way.
    wipe_demo_data()
    seed_reference_data()
    fields = [field for field in Contact._meta.concrete_fields]
    now = timezone.now()
    contacts, links = [], {name: [] for name in M2M}
    next_id = 1
    for company, groups, people in ContactGenerator(Refs.load(), SEED).companies(count):
        company_id = next_id
        family = [(company, groups), *people]
        for values, member_groups in family:
            values = {
                **values,
                "id": next_id,
                "no": f"CT{next_id:06d}",
                "company_id": company_id,
                "created_at": now,
                "updated_at": now,
            }
            contacts.append(
                tuple(
                    field.get_db_prep_save(
                        values.get(field.attname, field.get_default()), connection
                    )
                    for field in fields
                )
            )
            for name, pks in member_groups.items():
                links[name] += [(next_id, pk) for pk in pks]
            next_id += 1
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(Contact._meta.db_table)} ({columns}) VALUES ({placeholders})",
            contacts,
        )
        for name, rows in links.items():
            through, target = through_model(name)
            cursor.executemany(
                f"INSERT INTO {quote(through._meta.db_table)} (contact_id, {quote(target)}) "
                "VALUES (%s, %s)",
                rows,
            )
    baseline = time.perf_counter() - start
    assert Contact.objects.count() == count
    report(
        result(
            "seed_demo contacts",
            vendor,
            ours,
            baseline,
            contacts=count,
            memberships=memberships,
            contacts_per_s=round(count / ours),
            target_s=60,
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
