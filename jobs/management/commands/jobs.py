"""``manage.py jobs [--all] [--fail-stale] [--watch ID]``: background jobs and their progress."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jobs import services as jobs
from jobs.models import Job

WIDTH = 30


def bar(job: Job) -> str:
    """``[#########.....................]  30%  3000/10000``."""
    filled = WIDTH * job.percent // 100
    return f"[{'#' * filled}{'.' * (WIDTH - filled)}] {job.percent:>3}%  {job.done}/{job.total}"


class Command(BaseCommand):
    help = _(
        "List background jobs with their progress (active ones unless --all), mark jobs "
        "whose worker died as failed (--fail-stale), or follow one job until it ends (--watch)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help=_("Also finished jobs (last 50)."))
        parser.add_argument(
            "--fail-stale",
            action="store_true",
            help=_(
                "Mark running jobs without a heartbeat for JOB_HEARTBEAT_TIMEOUT_SECONDS failed."
            ),
        )
        parser.add_argument("--watch", type=int, metavar="ID", help=_("Follow one job."))
        parser.add_argument(
            "--interval", type=float, default=1.0, help=_("Seconds between updates (--watch).")
        )

    def handle(self, *args, **options):
        if options["fail_stale"]:
            failed = jobs.fail_stale()
            self.stdout.write(_("%(count)d stale jobs marked failed.") % {"count": failed})
        if options["watch"] is not None:
            return self.watch(options["watch"], options["interval"])
        listed = Job.objects.select_related("created_by")
        if not options["all"]:
            listed = listed.filter(state__in=Job.ACTIVE)
        for job in listed[:50]:
            self.stdout.write(
                f"{job.pk:>6}  {job.get_state_display():<10} {bar(job)}  {job.description}"
            )

    def watch(self, pk: int, interval: float):
        """Redraw the job's bar in place on a terminal (a line per change elsewhere)."""
        tty = self.stdout.isatty()
        last = None
        while True:
            jobs.fail_stale()
            job = Job.objects.filter(pk=pk).first()
            if job is None:
                raise CommandError(_("There is no job %(id)s.") % {"id": pk})
            line = f"{job.description}: {bar(job)} {job.get_state_display()}"
            if line != last:
                self.stdout.write(("\r" + line) if tty else line, ending="" if tty else "\n")
                self.stdout.flush()
                last = line
            if not job.active:
                break
            time.sleep(interval)
        if tty:
            self.stdout.write("")
        if job.state == Job.State.FAILED:
            raise CommandError(job.error or _("Job %(id)s failed.") % {"id": job.pk})
        if job.result_url:
            self.stdout.write(_("Result: %(url)s") % {"url": job.result_url})
