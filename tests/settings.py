"""The suite's settings: ``crm.settings`` with a key of its own.

The suite runs with DEBUG off, as production does, and ``crm.settings`` refuses to start
that way on the public development key; this fixed key signs nothing outside the tests.
Subprocesses the tests start (workers, commands) inherit it through the environment.
"""

import os

os.environ.setdefault(
    "DJANGO_SECRET_KEY", "tests-only-key-not-secret-4f9c2e7a1b8d6035e9a7c1f2b4d8e6a0c3f5b7d9"
)
# Absolute links in emails (the unsubscribe link) point at the test client's host.
os.environ.setdefault("SITE_URL", "http://testserver")

from crm.settings import *  # noqa: E402, F403
