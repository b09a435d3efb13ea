"""A local SMTP server for tests (RECIPES.md 7): ``aiosmtpd`` on loopback, and Django's
SMTP backend pointed at it. A test module imports ``smtp_server_fixture`` to use the
fixture ``smtp_server``."""

import socket

import pytest


class Sink:
    """Keeps every message the server receives, as bytes."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture(name="smtp_server")
def smtp_server_fixture(settings):
    from aiosmtpd.controller import Controller

    # The controller connects to its own port at start, so port 0 fails: pick a free one.
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": 10},
        }
    }
    yield sink
    controller.stop()
