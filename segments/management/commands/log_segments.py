"""``manage.py log_segments [SEG ...] [--all] [--deliver] [--follow-up] [--dry-run]``."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from segments import services
from segments.exceptions import LoggingError
from segments.models import Segment


class Command(BaseCommand):
    help = _(
        "Log segments into the interaction log, each in its own transaction. Exits with "
        "status 1 when any segment could not be logged."
    )

    def add_arguments(self, parser):
        parser.add_argument("segments", nargs="*", metavar="SEG", help=_("Segment numbers."))
        parser.add_argument("--all", action="store_true", help=_("Log every segment."))
        parser.add_argument(
            "--deliver", action="store_true", help=_("Send the emails and make print batches.")
        )
        parser.add_argument(
            "--follow-up", action="store_true", help=_("Create a follow-up segment for each.")
        )
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Check the segments; log nothing.")
        )
        parser.add_argument(
            "--user",
            help=_("Username recorded as the logger (default: the segment's creator)."),
        )

    def handle(self, *args, **options):
        numbers = options["segments"]
        if options["all"] == bool(numbers):
            raise CommandError(_("Give segment numbers or --all, not both and not neither."))
        segments = Segment.objects.select_related("created_by").order_by("no")
        if numbers:
            segments = segments.filter(no__in=numbers)
        segments = list(segments)
        unknown = sorted(set(numbers) - {segment.no for segment in segments})
        if unknown:
            raise CommandError(_("No such segment: %(nos)s.") % {"nos": ", ".join(unknown)})
        user = self._user(options["user"])
        progress = self._progress(len(segments))
        failed = 0
        for done, segment in enumerate(segments, start=1):
            try:
                self._log(segment, user=user or segment.created_by, options=options)
            except LoggingError as error:
                failed += 1
                self._clear_progress(progress)
                self.stdout.write(_("%(no)s: not logged") % {"no": segment.no})
                self.stderr.write(self._report(error))
            self._show_progress(progress, done, len(segments))
        self._clear_progress(progress)
        if failed:
            raise CommandError(
                _("%(failed)d of %(total)d segments could not be logged.")
                % {"failed": failed, "total": len(segments)},
                returncode=1,
            )

    def _log(self, segment, *, user, options):
        if options["dry_run"]:
            lines = segment.lines.count()
            services.validate_segment(segment, deliver=options["deliver"])
            self.stdout.write(
                _("%(no)s: can be logged (%(lines)d lines)") % {"no": segment.no, "lines": lines}
            )
            return
        logged = services.log_segment(
            segment,
            user=user,
            deliver=options["deliver"],
            create_follow_up=options["follow_up"],
        )
        message = _("%(no)s: logged as logged segment %(entry)d (%(entries)d entries)") % {
            "no": segment.no,
            "entry": logged.pk,
            "entries": logged.entries.count(),
        }
        follow_up = logged.follow_up_segments.first() if options["follow_up"] else None
        if follow_up is not None:
            message += "; " + _("follow-up segment %(no)s") % {"no": follow_up.no}
        self.stdout.write(message)

    def _report(self, error) -> str:
        """The validation report: the message, then each problem on its own line."""
        lines = list(error.messages)
        for problem in getattr(error, "problems", []):
            lines.append(f"  - {problem.message}")
        return "\n".join(lines)

    def _user(self, username):
        if not username:
            return None
        try:
            return get_user_model()._default_manager.get_by_natural_key(username)
        except get_user_model().DoesNotExist:
            raise CommandError(_("No such user: %(name)s.") % {"name": username}) from None

    def _progress(self, total):
        """A progress bar on stderr when it is a terminal (never in logs or tests)."""
        return total > 1 and self.stderr.isatty()

    def _show_progress(self, progress, done, total):
        if progress:
            width = 30
            filled = width * done // total
            self.stderr.write(
                f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending=""
            )
            self.stderr.flush()

    def _clear_progress(self, progress):
        if progress:
            self.stderr.write("\r" + " " * 60 + "\r", ending="")
