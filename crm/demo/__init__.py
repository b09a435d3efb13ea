"""Demo data, in English and Norwegian, up to millions of contacts (``manage.py seed_demo``).

crm's part lives here: its reference data (``reference``), contacts made up from Faker
pools (``generator``) and inserted in bulk (``bulk``). Each app above ``crm`` adds its own
part in its ``demo`` module (``interactions.demo``: templates with Word letters and single
interactions; ``segments.demo``: a year of logged segments and segments being built),
found through the app registry so that ``crm`` imports none of them.

The stages, in the order ``seed_demo`` runs them (the demo users come between the
reference data and the history, which they record):

- ``wipe_demo_data()``: start over (``--reset``);
- ``seed_reference_data()``: crm's and every app's reference data;
- ``seed_contacts(count, seed=...)``: ``count`` more contacts;
- ``seed_history(seed=...)``: every app's history (skipped by ``--no-history``).
"""

from collections.abc import Callable
from importlib import import_module

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils.module_loading import module_has_submodule

from .bulk import M2M, seed_contacts, through_model
from .data import BATCH, SEED
from .generator import ContactGenerator, Refs, ascii_slug
from .reference import seed_reference

__all__ = [
    "BATCH",
    "M2M",
    "SEED",
    "ContactGenerator",
    "Refs",
    "app_demos",
    "ascii_slug",
    "seed_contacts",
    "seed_history",
    "seed_reference",
    "seed_reference_data",
    "through_model",
    "wipe_demo_data",
]


def app_demos() -> list:
    """The ``demo`` module of every app above ``crm``, in the registry's (dependency) order.

    Found through the app registry, so ``crm`` imports none of the apps above it, and a
    new app adds its demo data without touching ``seed_demo``. A module may define
    ``seed_reference()`` (reference data, always seeded) and ``seed(seed=...)`` (history,
    skipped by ``--no-history``).
    """
    return [
        import_module(f"{config.name}.demo")
        for config in apps.get_app_configs()
        if config.name != "crm" and module_has_submodule(config.module, "demo")
    ]


def wipe_demo_data() -> None:
    """Delete every contact, segment, interaction (the ledger too) and reference row.

    The tables of ``jobs`` (their targets are demo records), ``audit`` (its rows name demo
    records by key, which the next demo reuses), ``crm`` and every app with a ``demo``
    module go, in one flush (on PostgreSQL one ``TRUNCATE``: tables that
    reference each other must go together).
    Users, groups and permissions stay. The ledger is append-only for the application;
    starting the demo over is the one place that empties it, with the tables' own flush.
    """
    labels = ["jobs", "audit", "crm"] + [demo.__name__.rpartition(".")[0] for demo in app_demos()]
    models = [
        model
        for config in apps.get_app_configs()
        if config.name in labels
        for model in config.get_models(include_auto_created=True)
    ]
    tables = [model._meta.db_table for model in models]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # TRUNCATE refuses tables with deferred foreign-key checks still pending in
            # this transaction (an enclosing one may have written); run them now.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        statements = connection.ops.sql_flush(
            no_style(), tables, reset_sequences=True, allow_cascade=False
        )
        connection.ops.execute_sql_flush(statements)


@transaction.atomic
def seed_reference_data() -> None:
    """crm's reference data, then each app's ``demo.seed_reference()``, in the registry's
    order."""
    seed_reference()
    for demo in app_demos():
        if hasattr(demo, "seed_reference"):
            demo.seed_reference()


def seed_history(*, seed: int = SEED, write: Callable[[str], object] | None = None) -> None:
    """Each app's ``demo.seed()`` (segments: a year of history), in the registry's order;
    ``write`` gets the summary each returns."""
    for demo in app_demos():
        summary = demo.seed(seed=seed) if hasattr(demo, "seed") else None
        if summary and write:
            write(summary)
