"""Load test: gunicorn (4 workers) on PostgreSQL, 20 simulated users for 60 seconds.

Each user, logged in with its own session cookie, loops over the segment page, a live
criteria preview and the segment's letters (a zip of one .docx per line), plus the login
page without a session: the baseline, served by the same gunicorn in the same run. Loopback
only, bounded in time (--seconds) and requests (--max-requests); any non-200 answer or
connection error counts as an error and makes the run fail.

    .venv/bin/python bench/load.py [--contacts 20000] [--lines 200] [--users 20] [--seconds 60]

Without a PostgreSQL DATABASE_URL it re-runs itself under scripts/with-postgres.sh (a
throwaway cluster). Not part of the test suite.
"""

import os
import sys
from pathlib import Path

# Run as a script, sys.path[0] is bench/ itself, where bench/segments.py would hide the
# project's segments app: the project root takes its place.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse  # noqa: E402
import http.client  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import urllib.parse  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import report, result, setup_django  # noqa: E402

CSRF = "loadtestcsrftoken0123456789abcde"  # 32 characters: a valid unmasked CSRF secret


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=20_000)
    parser.add_argument("--lines", type=int, default=200, help="lines on the segment")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument("--web-workers", type=int, default=4)
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def build_segment(lines: int):
    """The demo data's manager builds a segment of ``lines`` contacts with a letter."""
    from django.contrib.auth import get_user_model

    from crm.models import Contact
    from interactions.models import InteractionTemplate
    from segments import services

    user = get_user_model().objects.get(username="manager")
    template = InteractionTemplate.objects.filter(languages__document__gt="").first()
    segment = services.create_segment(
        user=user, description="Load test", interaction_template=template
    )
    numbers = list(Contact.objects.order_by("no").values_list("no", flat=True)[:lines])
    services.add_contacts(segment, criteria={"contact": {"no": numbers}}, user=user)
    return user, segment


def sessions(user, count: int) -> list[str]:
    """One logged-in session per simulated user (the cookie a browser would hold)."""
    from django.test import Client

    cookies = []
    for _ in range(count):
        client = Client()
        client.force_login(user)
        cookies.append(client.cookies["sessionid"].value)
    return cookies


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_CONN_MAX_AGE": "60",
        "DJANGO_LOG_LEVEL": "ERROR",
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "crm.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            status, _ = request(port, "GET", "/accounts/login/")
            if status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not answer within 30 s: " + server.stderr.read().decode())


def request(port: int, method: str, path: str, *, session: str = "", body: str = ""):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Host": "127.0.0.1"}
    if session:
        headers["Cookie"] = f"sessionid={session}; csrftoken={CSRF}"
        headers["X-CSRFToken"] = CSRF
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        size = len(response.read())
        return response.status, size
    finally:
        connection.close()


def server_rss_mb(master: int) -> float:
    """Resident memory of gunicorn's master and workers, in MB."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(entry.name) == master or int(fields.get("PPid", "0").strip()) == master:
            total += int(fields.get("VmRSS", "0 kB").split()[0])
    return round(total / 1024, 1)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main():
    options = arguments()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        os.execv(
            str(ROOT / "scripts" / "with-postgres.sh"),
            [str(ROOT / "scripts" / "with-postgres.sh"), sys.executable, *sys.argv],
        )
    db = setup_django("load")
    from django.core.management import call_command

    call_command("seed_demo", contacts=options.contacts, verbosity=0)
    user, segment = build_segment(options.lines)
    cookies = sessions(user, options.users)
    port = free_port()
    server = start_gunicorn(port, options.web_workers)

    preview_body = urllib.parse.urlencode({"contact-city": "Oslo"})
    steps = [
        ("segment page", "GET", f"/segments/{segment.pk}/", ""),
        ("criteria preview", "POST", f"/segments/{segment.pk}/criteria/add/preview/", preview_body),
        ("letters zip", "GET", f"/segments/{segment.pk}/letters/zip/", ""),
        ("login page (baseline)", "GET", "/accounts/login/", ""),
    ]
    samples: list[tuple[str, float, int]] = []
    errors: list[str] = []
    lock = threading.Lock()
    budget = iter(range(options.max_requests))
    deadline = time.monotonic() + options.seconds

    def user_loop(session: str):
        while time.monotonic() < deadline:
            for name, method, path, body in steps:
                with lock:
                    if next(budget, None) is None:
                        return
                start = time.perf_counter()
                try:
                    status, _size = request(
                        port,
                        method,
                        path,
                        session="" if "baseline" in name else session,
                        body=body,
                    )
                except OSError as error:
                    status = 0
                    problem = f"{name}: {error}"
                else:
                    problem = f"{name}: HTTP {status}"
                elapsed = time.perf_counter() - start
                with lock:
                    samples.append((name, elapsed, status))
                    if status != 200:
                        errors.append(problem)

    started = time.perf_counter()
    threads = [threading.Thread(target=user_loop, args=(cookie,)) for cookie in cookies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    rss = server_rss_mb(server.pid)
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)

    app = [elapsed for name, elapsed, _ in samples if "baseline" not in name]
    baseline = [elapsed for name, elapsed, _ in samples if "baseline" in name]
    for name, *_rest in steps:
        times = [elapsed for kind, elapsed, _ in samples if kind == name]
        p50, p95, p99 = (percentile(times, share) * 1000 for share in (0.5, 0.95, 0.99))
        print(
            f"{name:<24} {len(times):>6} requests  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
            f"p99 {p99:7.1f} ms",
            file=sys.stderr,
        )
    if errors:
        print(f"{len(errors)} errors, first: {errors[:5]}", file=sys.stderr)
    report(
        result(
            "load",
            db,
            statistics.mean(app),
            statistics.mean(baseline),
            users=options.users,
            web_workers=options.web_workers,
            contacts=options.contacts,
            segment_lines=options.lines,
            seconds=round(wall, 1),
            requests=len(samples),
            errors=len(errors),
            rps=round(len(samples) / wall, 1),
            p50_ms=round(percentile(app, 0.5) * 1000, 1),
            p95_ms=round(percentile(app, 0.95) * 1000, 1),
            p99_ms=round(percentile(app, 0.99) * 1000, 1),
            baseline_p50_ms=round(percentile(baseline, 0.5) * 1000, 1),
            server_rss_mb=rss,
        )
    )
    if errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
