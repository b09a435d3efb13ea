"""Dates in an unambiguous form per language, and each user's own time zone (issue 17)."""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from audit.models import Action, AuditEntry
from crm.middleware import SESSION_KEY
from crm.models import UserPreferences
from crm.services.time_zones import set_time_zone
from interactions.forms import StatisticsForm
from jobs.models import Job
from tests.factories import ContactFactory
from tests.ledger_data import log_entry

pytestmark = pytest.mark.django_db

#: 13:37 UTC: 14:37 in Oslo (winter time), 08:37 in New York.
QUEUED_AT = datetime.datetime(2026, 12, 1, 13, 37, tzinfo=datetime.UTC)


def in_language(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_english_pages_show_dates_day_first_with_the_months_name(staff_client, staff):
    log_entry(ContactFactory(), staff, date=datetime.date(2026, 12, 1))
    page = in_language(staff_client, "en").get(reverse("interactions:entry-list"))
    content = page.content.decode()
    assert '<td class="text-nowrap">1 Dec 2026</td>' in content
    assert "12/01/2026" not in content


def test_norwegian_pages_show_dates_the_norwegian_way(staff_client, staff):
    log_entry(ContactFactory(), staff, date=datetime.date(2026, 12, 1), cost=1234.5)
    content = in_language(staff_client, "nb").get(reverse("interactions:entry-list"))
    content = content.content.decode()
    assert '<td class="text-nowrap">1. des. 2026</td>' in content
    assert "1234,50" in content


def test_times_are_24_hour_in_the_sites_zone_by_default(staff_client, staff):
    Job.objects.create(kind="test", description="Letters", created_by=staff, created_at=QUEUED_AT)
    content = in_language(staff_client, "en").get(reverse("jobs:job-list")).content.decode()
    assert "1 Dec 2026 14:37" in content
    content = in_language(staff_client, "nb").get(reverse("jobs:job-list")).content.decode()
    assert "1. des. 2026 14:37" in content


def test_a_user_in_new_york_sees_times_in_new_york(staff_client, staff):
    Job.objects.create(kind="test", description="Letters", created_by=staff, created_at=QUEUED_AT)
    page = staff_client.get(reverse("crm:my-settings"))
    assert page.status_code == 200
    assert "Europe/Oslo" in page.content.decode()
    response = staff_client.post(
        reverse("crm:my-settings"), {"time_zone": "America/New_York"}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == ["Your settings have been saved."]
    assert UserPreferences.objects.get(user=staff).time_zone == "America/New_York"
    content = staff_client.get(reverse("jobs:job-list")).content.decode()
    assert "1 Dec 2026 08:37" in content and "14:37" not in content
    # Back to the site's default.
    staff_client.post(reverse("crm:my-settings"), {"time_zone": ""})
    assert "1 Dec 2026 14:37" in staff_client.get(reverse("jobs:job-list")).content.decode()


def test_the_zone_follows_the_user_to_a_new_session(client, staff):
    set_time_zone(staff, time_zone="America/New_York")
    Job.objects.create(kind="test", description="Letters", created_by=staff, created_at=QUEUED_AT)
    client.force_login(staff)
    assert client.session[SESSION_KEY] == "America/New_York"
    assert "1 Dec 2026 08:37" in client.get(reverse("jobs:job-list")).content.decode()


def test_a_session_from_before_the_setting_reads_the_zone_once(client, staff):
    set_time_zone(staff, time_zone="Asia/Tokyo")
    client.force_login(staff)
    session = client.session
    del session[SESSION_KEY]
    session.save()
    Job.objects.create(kind="test", description="Letters", created_by=staff, created_at=QUEUED_AT)
    assert "1 Dec 2026 22:37" in client.get(reverse("jobs:job-list")).content.decode()
    assert client.session[SESSION_KEY] == "Asia/Tokyo"


@pytest.mark.parametrize("zone", ["Mars/Olympus", "europe/oslo", "posix/Europe/Oslo", "x" * 80])
def test_a_bad_zone_is_refused_with_a_clear_error_and_saves_nothing(staff_client, staff, zone):
    response = staff_client.post(reverse("crm:my-settings"), {"time_zone": zone})
    assert response.status_code == 200
    errors = response.context["form"].errors["time_zone"]
    assert errors == [
        f'"{zone}" is not a time zone. Choose one from the list, by region and city '
        "(e.g. Europe/Oslo or America/New_York)."
    ]
    assert not UserPreferences.objects.filter(user=staff).exists()
    with pytest.raises(ValidationError):
        set_time_zone(staff, time_zone=zone)
    assert not UserPreferences.objects.filter(user=staff).exists()


def test_changing_the_zone_is_audited_once(staff):
    set_time_zone(staff, time_zone="Europe/London")
    set_time_zone(staff, time_zone="Europe/London")
    rows = AuditEntry.objects.filter(action=Action.PREFERENCES_CHANGED, user=staff)
    assert [row.details for row in rows] == [{"fields": ["time_zone"]}]


def test_every_user_reaches_my_settings_from_the_user_menu(client, user):
    client.force_login(user)  # no role at all
    home = client.get(reverse("crm:home")).content.decode()
    assert f'href="{reverse("crm:my-settings")}"' in home
    assert client.get(reverse("crm:my-settings")).status_code == 200


def test_anonymous_users_log_in_first(client):
    url = reverse("crm:my-settings")
    assert client.get(url)["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize(
    ("language", "typed"),
    [("en", "2026-12-01"), ("en", "1 Dec 2026"), ("nb", "2026-12-01"), ("nb", "01.12.2026")],
)
def test_date_inputs_take_iso_and_the_languages_own_form(language, typed):
    with translation.override(language):
        form = StatisticsForm({"date_from": typed})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["date_from"] == datetime.date(2026, 12, 1)


def test_english_date_inputs_refuse_the_month_first_form():
    with translation.override("en"):
        assert not StatisticsForm({"date_from": "12/01/2026"}).is_valid()
