"""``manage.py api_token USERNAME``: the user's API token, created if need be.

The token is printed alone on the last line, for scripts: ``TOKEN=$(... | tail -1)``.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from api import services


class Command(BaseCommand):
    help = "Create or show a user's API token; --revoke deletes it."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--revoke", action="store_true", help="Delete the token: it stops working."
        )

    def handle(self, *args, username, revoke, **options):
        User = get_user_model()
        user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
        if user is None:
            raise CommandError(_("There is no user %(username)s.") % {"username": username})
        if revoke:
            if services.revoke_token(user):
                self.stdout.write(
                    _("The API token of %(username)s has been revoked.") % {"username": username}
                )
            else:
                self.stdout.write(_("%(username)s has no API token.") % {"username": username})
            return
        if not user.is_active:
            raise CommandError(
                _("User %(username)s is inactive: a token would not work.") % {"username": username}
            )
        self.stdout.write(services.get_token(user).key)
