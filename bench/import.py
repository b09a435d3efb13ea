"""Import 1,000,000 contacts from CSV: the real import against a plain load of the same rows.

    .venv/bin/python bench/import.py [--rows N]            (default 1,000,000)
    scripts/with-postgres.sh .venv/bin/python bench/import.py

The file (made before the clock starts) has a company every fifth row and its persons
after it, with salesperson, territory, country, email, mailing groups (up to two) and the
three consent columns; every tenth person has no no. and takes the series' next number.

*Ours* is ``crm.services.importing.import_contacts``, the function ``import_contacts`` and
the admin's import job run: every row read from the CSV and checked, written in batches,
numbers reserved, consent events and memberships recorded, one transaction.
The *baseline* is the limit of loading the same rows: tuples parsed and resolved before the
clock starts (ids, company references, final numbers, memberships, consent events),
stored batch by batch on disk, then loaded without any checking by one set-based statement
per table per batch (``COPY`` on PostgreSQL, ``executemany`` on SQLite) in one transaction.
Target: ratio <= 3.0, peak < 400 MB.
"""

import argparse
import csv
import os
import pickle
import random
import sys
import tempfile
import time
from pathlib import Path

# Run as a script, sys.path[0] is bench/ itself, where bench/segments.py would hide the
# project's segments app: the project root takes its place.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.harness import peak_mb, report, result, setup_django  # noqa: E402

HEADER = [
    "no",
    "type",
    "name",
    "first_name",
    "surname",
    "company",
    "address",
    "post_code",
    "city",
    "country",
    "phone",
    "email",
    "language",
    "salesperson",
    "territory",
    "mailing_groups",
    "email_opt_out",
    "letter_opt_out",
    "phone_opt_out",
]
GROUPS = ["NEWS", "EVENTS", "WEBINAR", "PRINT", "VIP"]
SALESPEOPLE = ["AH", "BK", "CL"]
TERRITORIES = ["NORTH", "SOUTH", "EAST", "WEST"]
COUNTRIES = ["NO", "SE", "DK", "GB", "DE"]
FIRST = ["Kari", "Ola", "Anne", "Per", "Ingrid", "Lars", "Maria", "Jonas", "Sofie", "Erik"]
LAST = ["Nordmann", "Hansen", "Johansen", "Olsen", "Larsen", "Berg", "Dahl", "Lie"]
CITIES = ["Oslo", "Bergen", "Trondheim", "Stavanger", "Tromsø"]
BATCH = 2000


def reference_data() -> None:
    from crm.models import MailingGroup, Salesperson, Territory

    MailingGroup.objects.bulk_create([MailingGroup(code=code) for code in GROUPS])
    Salesperson.objects.bulk_create([Salesperson(code=code, name=code) for code in SALESPEOPLE])
    Territory.objects.bulk_create([Territory(code=code) for code in TERRITORIES])


def write_file(path: Path, rows: int) -> None:
    """The CSV: a company, then four persons working for it, and so on."""
    rng = random.Random(16)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        company = ""
        for n in range(1, rows + 1):
            first, last, city = rng.choice(FIRST), rng.choice(LAST), rng.choice(CITIES)
            groups = "|".join(rng.sample(GROUPS, rng.choice([0, 1, 1, 2])))
            common = [
                f"Storgata {n % 200 + 1}",
                f"{n % 9000 + 1000}",
                city,
                rng.choice(COUNTRIES),
                f"+47 {n % 90000000 + 10000000}",
            ]
            consent = [
                "1" if n % 20 == 0 else "0",
                "1" if n % 50 == 0 else "",
                "0" if n % 7 == 0 else "",
            ]
            refs = [rng.choice(SALESPEOPLE), rng.choice(TERRITORIES), groups]
            if n % 5 == 1:
                company = f"C{n:07d}"
                name = f"{last} {city} AS"
                email = f"post{n}@{last.lower()}.example"
                writer.writerow(
                    [company, "company", name, "", "", "", *common, email, "nb", *refs, *consent]
                )
            else:
                no = "" if n % 10 == 0 else f"P{n:07d}"
                email = f"{first.lower()}.{last.lower()}{n}@example.com"
                row = [no, "person", f"{first} {last}", first, last, company, *common, email]
                writer.writerow([*row, "nb", *refs, *consent])


def parse_for_baseline(path: Path, batches: Path) -> int:
    """The same rows as final tuples (untimed), pickled batch by batch: the baseline's
    input. Ids, company references, numbers, memberships and consent events resolved."""
    from django.db import connection
    from django.utils import timezone

    from crm.models import MailingGroup, Salesperson, Territory
    from crm.services.import_writing import contact_columns

    attnames, _columns, defaults = contact_columns()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    groups = dict(MailingGroup.objects.values_list("code", "pk"))
    salespeople = dict(Salesperson.objects.values_list("code", "pk"))
    territories = dict(Territory.objects.values_list("code", "pk"))
    companies: dict[str, tuple[int, str]] = {}
    count = 0
    serial = 0
    with path.open(newline="", encoding="utf-8") as source, batches.open("wb") as out:
        reader = csv.reader(source)
        header = next(reader)
        contacts, links, events = [], [], []
        for cells in reader:
            count += 1
            cell = dict(zip(header, cells, strict=True))
            values = {**defaults, "id": count, "created_at": now, "updated_at": now}
            for name in ("type", "name", "first_name", "surname", "address", "post_code"):
                values[name] = cell[name]
            for name in ("city", "country", "phone", "email", "language"):
                values[name] = cell[name]
            values["salesperson_id"] = salespeople[cell["salesperson"]]
            values["territory_id"] = territories[cell["territory"]]
            if not cell["no"]:
                serial += 1
            values["no"] = cell["no"] or f"CT{serial:06d}"
            if cell["type"] == "company":
                values["company_id"], values["company_name"] = count, cell["name"]
                companies[cell["no"]] = (count, cell["name"])
            else:
                values["company_id"], values["company_name"] = companies[cell["company"]]
            for channel in ("email", "letter", "phone"):
                if cell[f"{channel}_opt_out"] == "1":
                    values[f"{channel}_opt_out"] = True
                    events.append((count, channel, False, "import", "", None, now))
            links += [(count, groups[code]) for code in cell["mailing_groups"].split("|") if code]
            contacts.append(tuple(values[name] for name in attnames))
            if len(contacts) >= BATCH:
                pickle.dump((contacts, links, events), out)
                contacts, links, events = [], [], []
        if contacts:
            pickle.dump((contacts, links, events), out)
    return count


def load_baseline(batches: Path) -> None:
    from django.db import connection, transaction

    from crm.models import ConsentEvent, Contact
    from crm.services.import_writing import contact_columns, insert_rows

    columns = contact_columns()[1]
    through = Contact._meta.get_field("mailing_groups").remote_field.through._meta.db_table
    event_columns = [
        "contact_id",
        "channel",
        "granted",
        "source",
        "note",
        "created_by_id",
        "created_at",
    ]
    with transaction.atomic(), batches.open("rb") as source:
        while True:
            try:
                contacts, links, events = pickle.load(source)
            except EOFError:
                break
            insert_rows(Contact._meta.db_table, columns, contacts)
            insert_rows(through, ["contact_id", "mailinggroup_id"], links)
            insert_rows(ConsentEvent._meta.db_table, event_columns, events)
        if connection.vendor == "postgresql":
            from django.core.management.color import no_style

            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), [Contact]):
                    cursor.execute(statement)


def counts() -> tuple[int, int, int]:
    from crm.models import ConsentEvent, Contact

    through = Contact._meta.get_field("mailing_groups").remote_field.through
    return Contact.objects.count(), through.objects.count(), ConsentEvent.objects.count()


def main(rows: int) -> None:
    os.environ.setdefault("DJANGO_MEDIA_ROOT", tempfile.mkdtemp(prefix="bench-media-"))
    vendor = setup_django("import")
    from crm.demo import wipe_demo_data
    from crm.services.importing import import_contacts

    folder = Path(tempfile.mkdtemp(prefix="bench-import-"))
    path = folder / "contacts.csv"
    write_file(path, rows)
    reference_data()

    start, cpu = time.perf_counter(), time.process_time()
    with path.open("rb") as handle:
        done = import_contacts(handle, "csv")
    ours = time.perf_counter() - start
    ours_cpu = time.process_time() - cpu
    ours_peak = peak_mb()
    assert not done.errors, done.errors[:5]
    assert done.new == rows, done
    ours_counts = counts()

    wipe_demo_data()
    reference_data()
    batches = folder / "batches.pickle"
    parse_for_baseline(path, batches)
    start, cpu = time.perf_counter(), time.process_time()
    load_baseline(batches)
    baseline = time.perf_counter() - start
    baseline_cpu = time.process_time() - cpu
    assert counts() == ours_counts, (counts(), ours_counts)

    report(
        result(
            "import",
            vendor,
            ours,
            baseline,
            rows=rows,
            memberships=ours_counts[1],
            consent_events=ours_counts[2],
            ours_peak_mb=ours_peak,
            # This process's CPU (on SQLite the database's too): the machine is shared.
            ours_cpu_s=round(ours_cpu, 2),
            baseline_cpu_s=round(baseline_cpu, 2),
        )
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    main(parser.parse_args().rows)
