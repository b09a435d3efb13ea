"""System checks of the crm settings (run by ``manage.py check --deploy``)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def site_url_check(app_configs=None, **kwargs):
    """``SITE_URL`` starts every link in an email (the unsubscribe link): in production it
    must be set, and https, or recipients get a dead or insecure link."""
    value = settings.SITE_URL
    parts = urlsplit(value)
    if not value:
        return [
            Error(
                "SITE_URL is not set.",
                hint="Set SITE_URL to the site's public address, e.g. https://crm.example.com; "
                "emails link to it (the unsubscribe link).",
                id="crm.E001",
            )
        ]
    if parts.scheme != "https" or not parts.netloc:
        return [
            Error(
                f"SITE_URL ({value}) is not an https address.",
                hint="Emails link to SITE_URL; give the site's public https address, e.g. "
                "https://crm.example.com.",
                id="crm.E002",
            )
        ]
    return []
