"""Contacts inserted in bulk: one multi-row insert of contacts and one per membership table
per batch, their numbers a block of the CONTACT number series."""

import functools

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from crm.models import Contact, segment_sort_key
from crm.numbering import reserve_numbers

from .data import BATCH, SEED
from .generator import ContactGenerator, Refs

__all__ = ["M2M", "seed_contacts", "through_model"]

M2M = ["mailing_groups", "job_responsibilities", "industry_groups", "business_relations"]


@functools.cache
def through_model(name: str) -> tuple[type, str]:
    """The membership table of a contact's many-to-many field and its target's column."""
    field = Contact._meta.get_field(name)
    return field.remote_field.through, f"{field.m2m_reverse_field_name()}_id"


def seed_contacts(count: int, *, seed: int = SEED, batch: int = BATCH, progress=None) -> int:
    """Insert ``count`` contacts with their group memberships; returns how many.

    One transaction per batch of about ``batch`` contacts: one multi-row insert of the
    contacts and one per membership table, whatever the batch size.
    """
    if count <= 0:
        return 0
    refs = Refs.load()
    generator = ContactGenerator(refs, seed)
    done = 0
    pending = []
    pending_size = 0
    for family in generator.companies(count):
        pending.append(family)
        pending_size += 1 + len(family[2])
        if pending_size >= batch:
            done += _insert_families(pending, pending_size)
            pending, pending_size = [], 0
            if progress:
                progress(done)
    if pending:
        done += _insert_families(pending, pending_size)
        if progress:
            progress(done)
    return done


@functools.cache
def _contact_columns() -> tuple[list[str], dict]:
    """Contact's columns in table order, and each column's default as the database stores it."""
    fields = Contact._meta.concrete_fields
    defaults = {
        field.attname: field.get_db_prep_save(field.get_default(), connection)
        for field in fields
        if not field.primary_key
    }
    return [field.attname for field in fields], defaults


def _first_free_id() -> int:
    """The first contact id of a block this transaction may use (ids are given explicitly).

    On PostgreSQL other writers wait for this transaction (SHARE ROW EXCLUSIVE blocks
    inserts, not reads); on SQLite the write transaction already excludes them.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(Contact._meta.db_table)
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
    return (Contact.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


@transaction.atomic
def _insert_families(families, size: int) -> int:
    # Ids are given explicitly so that persons and memberships can point at their
    # company and contact without reading anything back; numbers run in family order.
    numbers = iter(reserve_numbers("CONTACT", Contact, size))
    next_id = _first_free_id()
    columns, defaults = _contact_columns()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    stamp = {"created_at": now, "updated_at": now}
    rows = []
    links = {name: [] for name in M2M}
    for company, company_groups, people in families:
        company_id = next_id
        company_no = None
        for values, groups in [(company, company_groups), *people]:
            row = {**defaults, **values, **stamp, "id": next_id, "company_id": company_id}
            row["no"] = next(numbers)
            company_no = company_no or row["no"]  # the family's company comes first
            row["segment_sort_key"] = segment_sort_key(
                row["company_name"], company_no, row["type"], row["name"]
            )
            rows.append(tuple(row[column] for column in columns))
            for name, pks in groups.items():
                links[name] += [(next_id, pk) for pk in pks]
            next_id += 1
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(Contact._meta.db_table)} "
            f"({', '.join(quote(Contact._meta.get_field(c).column) for c in columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})",
            rows,
        )
        for name, pairs in links.items():
            through, target = through_model(name)
            if pairs:
                cursor.executemany(
                    f"INSERT INTO {quote(through._meta.db_table)} "
                    f"({quote('contact_id')}, {quote(target)}) VALUES (%s, %s)",
                    pairs,
                )
        # PostgreSQL's id sequence does not see explicit ids; move it past them.
        for statement in connection.ops.sequence_reset_sql(no_style(), [Contact]):
            cursor.execute(statement)
    return size
