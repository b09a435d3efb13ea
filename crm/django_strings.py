"""Django's own texts that the pages show and Django's Norwegian catalog lacks.

Django 6.1 labels the blank choice of every select "- Select an option -", a text its nb
catalog does not translate yet, so the dialogs of Norwegian pages showed it in English.
Listed here, makemessages puts it in the project's catalog, which Django consults before
its own (LOCALE_PATHS); nothing imports this module.
"""

from django.utils.translation import gettext_noop

DJANGO_STRINGS = [
    gettext_noop("- Select an option -"),
]
