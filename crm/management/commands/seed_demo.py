"""``manage.py seed_demo``: realistic demo data in English and Norwegian, up to millions.

Reference data (groups, salutations, salespeople, templates with Word letters, users) is
created by code and never duplicated. Contacts are topped up to ``--contacts`` with bulk
inserts, one transaction per batch, their numbers taken from the CONTACT number series.
Then each app's ``demo`` module adds its part (``segments.demo``: a year of logged
segments and segments being built), found through the app registry.

The data and how it is made live in ``crm.demo``; this command reads the options, creates
one user per role and prints the logins.
"""

import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from crm.demo import (
    BATCH,
    SEED,
    seed_contacts,
    seed_history,
    seed_reference_data,
    wipe_demo_data,
)
from crm.models import Contact, Salesperson

DEFAULT_CONTACTS = 2_000
MAX_CONTACTS = 10_000_000

# (username, password, role group or None for the superuser, salesperson code)
DEMO_USERS = [
    ("marketing", "marketing", "Marketing staff", "SP01"),
    ("manager", "manager", "Marketing manager", "SP02"),
    ("admin", "admin", None, None),
]


def contacts_count(value) -> int:
    """``--contacts`` as an int, or a CommandError naming the bad value."""
    try:
        count = int(str(value).strip())
    except ValueError:
        raise CommandError(
            _("--contacts must be a whole number, not “%(value)s”.") % {"value": value}
        ) from None
    if not 0 <= count <= MAX_CONTACTS:
        raise CommandError(
            _("--contacts must be between 0 and %(max)s, not %(value)s.")
            % {"max": f"{MAX_CONTACTS:,}", "value": count}
        )
    return count


class Command(BaseCommand):
    help = _(
        "Create demo data: companies and persons in English and Norwegian, reference data, "
        "interaction templates with Word letters, and one user per role. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--contacts",
            default=DEFAULT_CONTACTS,
            help=_(
                "How many contacts there should be (default %(default)s); "
                "tops up, never duplicates."
            ),
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help=_(
                "Delete all contacts, segments, interactions and reference data first (users stay)."
            ),
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=_("Seed only when there are no contacts; always print the demo logins."),
        )
        parser.add_argument(
            "--no-history",
            action="store_false",
            dest="history",
            help=_("Contacts and reference data only: no logged segments, no segments."),
        )
        parser.add_argument("--seed", type=int, default=SEED, help=_("Random seed."))

    def handle(self, *args, contacts, reset, if_empty, seed, history=True, **options):
        wanted = contacts_count(contacts)
        started = time.perf_counter()
        if reset:
            wipe_demo_data()
            self.stdout.write(_("Deleted the previous demo data."))
        if if_empty and Contact.objects.exists():
            self.stdout.write(_("The database already has contacts; nothing seeded."))
            self.ensure_users()
            self.print_logins()
            return
        seed_reference_data()
        self.ensure_users()
        missing = max(0, wanted - Contact.objects.count())
        if missing:
            self.stdout.write(_("Creating %(count)s contacts ...") % {"count": f"{missing:,}"})
            # A different seed per top-up, so a second batch is not a copy of the first.
            created = seed_contacts(
                missing,
                seed=seed + Contact.objects.count(),
                progress=self.progress if missing >= 5 * BATCH else None,
            )
        else:
            created = 0
        if history:
            seed_history(seed=seed, write=self.stdout.write)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                _("Demo data ready: %(created)s contacts created, %(total)s in all (%(s).1f s).")
                % {
                    "created": f"{created:,}",
                    "total": f"{Contact.objects.count():,}",
                    "s": elapsed,
                }
            )
        )
        self.print_logins()

    def progress(self, done: int) -> None:
        self.stdout.write(_("  %(done)s contacts") % {"done": f"{done:,}"})

    @transaction.atomic
    def ensure_users(self) -> None:
        """One demo user per role; an existing user keeps the password it has."""
        User = get_user_model()
        for username, password, role, salesperson in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "email": f"{username}@cronus.example",
                    "first_name": username.capitalize(),
                    "is_staff": role is None,
                    "is_superuser": role is None,
                },
            )
            if created:
                user.set_password(password)
                user.save(update_fields=["password"])
            if role:
                user.groups.add(Group.objects.get(name=role))
            if salesperson and not Salesperson.objects.filter(user=user).exists():
                Salesperson.objects.filter(code=salesperson, user__isnull=True).update(user=user)

    def print_logins(self) -> None:
        self.stdout.write(_("Demo logins (user / password):"))
        labels = {
            "Marketing staff": _("marketing staff"),
            "Marketing manager": _("marketing manager"),
            None: _("administrator"),
        }
        for username, password, role, _salesperson in DEMO_USERS:
            self.stdout.write(f"  {username} / {password}  ({labels[role]})")
