"""The live server of the browser tests: one request at a time on SQLite.

On SQLite the test database lives in memory. The live server hands its request threads
the test's own connection (``tests/conftest.py`` starts it once that database exists), and
two requests at once then run on one SQLite connection: their transactions interleave and
SQLite answers "database table is locked" or "bad parameter or other API misuse". (Started
before the database, the server's threads each opened a connection to the shared in-memory
database, with the same errors: SQLite's shared cache locks tables without waiting.) A
preview the criteria dialog had already dropped, still running when Apply was posted,
lost the lines Apply added. So on SQLite the server runs one request after another; on
PostgreSQL each request thread has a connection of its own, as in use.
"""

import threading

from django.conf import settings
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connections


class OneRequestAtATime(ThreadedWSGIServer):
    """A threaded server (connections still open side by side, keep-alive included)
    whose application runs one request at a time on SQLite."""

    def set_app(self, application):
        if connections["default"].vendor == "sqlite":
            application = serialized(application, threading.Lock())
        super().set_app(application)


def serialized(application, lock: threading.Lock):
    """``application`` holding ``lock`` from the call until its response is closed
    (streamed responses read the database while they are written); static files
    without it."""

    def serialized_application(environ, start_response):
        if environ.get("PATH_INFO", "").startswith(settings.STATIC_URL):
            # Static files read no database: a page's scripts and styles load side by side.
            return application(environ, start_response)
        lock.acquire()
        try:
            result = application(environ, start_response)
        except BaseException:
            lock.release()
            raise
        return _Released(result, lock)

    return serialized_application


class _Released:
    """A response body that releases the lock when the server closes it, which it does
    after the last byte and when the client went away (PEP 3333)."""

    def __init__(self, result, lock: threading.Lock):
        self.result = result
        self.lock = lock
        self.released = False

    def __iter__(self):
        return iter(self.result)

    def close(self):
        try:
            if hasattr(self.result, "close"):
                self.result.close()
        finally:
            if not self.released:
                self.released = True
                self.lock.release()
