"""What every benchmark shares: Django set-up, timing, peak memory and the JSON result line.

Run a benchmark on SQLite with ``.venv/bin/python bench/NAME.py`` and on PostgreSQL with
``scripts/with-postgres.sh .venv/bin/python bench/NAME.py``. The last line printed is one
JSON object (or a list of them) with bench, db, ours_s, baseline_s, ratio and peak_mb.
"""

import json
import os
import resource
import secrets
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(sqlite_name: str = "bench") -> str:
    """Configure Django on a fresh database; return the vendor ("sqlite" or "postgresql").

    On SQLite the database is a new file in a temporary folder; on PostgreSQL it is the
    database named by DATABASE_URL, flushed by ``migrate`` on a fresh cluster.
    """
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
    # Benchmarks run as production does (DEBUG off), which needs a real key; a random one
    # per run, inherited by the servers a benchmark starts.
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    if "DATABASE_URL" not in os.environ:
        folder = tempfile.mkdtemp(prefix="bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/{sqlite_name}.sqlite3"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    return connection.vendor


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


@contextmanager
def timed(results: dict, key: str):
    start = time.perf_counter()
    yield
    results[key] = time.perf_counter() - start


def result(bench: str, db: str, ours_s: float, baseline_s: float, **extra) -> dict:
    return {
        "bench": bench,
        "db": db,
        "ours_s": round(ours_s, 4),
        "baseline_s": round(baseline_s, 4),
        "ratio": round(ours_s / baseline_s, 3) if baseline_s else None,
        "peak_mb": peak_mb(),
        **extra,
    }


def report(results: list[dict] | dict) -> None:
    """Print the human lines, then the JSON line last."""
    rows = results if isinstance(results, list) else [results]
    for row in rows:
        print(
            f"{row['bench']:<28} {row['db']:<10} ours {row['ours_s']:>8.3f}s  "
            f"baseline {row['baseline_s']:>8.3f}s  ratio {row['ratio']}  peak {row['peak_mb']} MB",
            file=sys.stderr,
        )
    print(json.dumps(results))
