"""The API tokens' admin: Django REST framework's, with the search box's help as a label.

DRF's TokenAdmin describes its search box with help text ("Username") through
aria-describedby while the box's only label is the magnifier image, which axe-core reports
as a form element without a visible label (tests/browser/test_accessibility.py). The
placeholder-free search of every other changelist is kept: no help text.
"""

from django.contrib import admin
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class ApiTokenAdmin(TokenAdmin):
    search_help_text = None
