"""Countries are chosen and shown by name in the page's language; ISO codes are stored.

Contacts, criteria JSON and exports keep ISO 3166 alpha-2 codes (SPEC 2); filters offer
country names, accept a name typed in English or the page's language, and explain a
value that names no country.
"""

import csv
import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from crm.choices import country_code, country_name
from crm.models import CompanyInformation, Contact
from segments import services
from tests.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    # A Norwegian page leaves its language active in the thread: start each test in English.
    with translation.override("en"):
        yield


def in_language(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def listed(response) -> list[str]:
    return [contact.no for contact in response.context["object_list"]]


@pytest.fixture
def nordic(db):
    ContactFactory(no="NO1", name="Ola", country="NO")
    ContactFactory(no="SE1", name="Sven", country="SE")
    ContactFactory(no="DK1", name="Dorte", country="DK")


def test_the_contact_filter_offers_country_names_in_the_page_language(staff_client, nordic):
    url = reverse("crm:contact-list")
    english = in_language(staff_client, "en").get(url).content.decode()
    assert '<option value="NO">Norway</option>' in english
    assert 'data-search="Search countries"' in english
    norwegian = in_language(staff_client, "nb").get(url).content.decode()
    assert '<option value="NO">Norge</option>' in norwegian
    assert '<option value="SE">Sverige</option>' in norwegian
    assert 'data-search="Søk etter land"' in norwegian


def test_choosing_norway_filters_the_contact_list(staff_client, nordic):
    response = staff_client.get(reverse("crm:contact-list"), {"country": "NO"})
    assert listed(response) == ["NO1"]
    assert '<option value="NO" selected>Norway</option>' in response.content.decode()
    response = staff_client.get(reverse("crm:contact-list"), {"country": ["NO", "DK"]})
    assert sorted(listed(response)) == ["DK1", "NO1"]


def test_a_country_typed_by_name_is_understood(staff_client, nordic):
    response = staff_client.get(reverse("crm:contact-list"), {"country": "Norway"})
    assert listed(response) == ["NO1"]
    response = in_language(staff_client, "nb").get(
        reverse("crm:contact-list"), {"country": "sverige"}
    )
    assert listed(response) == ["SE1"]


def test_an_invalid_country_gets_a_clear_message_and_lists_nothing(staff_client, nordic):
    response = staff_client.get(reverse("crm:contact-list"), {"country": "XX"})
    page = response.content.decode()
    assert list(response.context["object_list"]) == []
    assert (
        "&quot;XX&quot; is not a country. Choose one from the list, or give its two-letter "
        "ISO code (NO for Norway)." in page
    )
    assert "at most 2 characters" not in page


def test_the_contact_list_and_card_show_country_names(staff_client):
    contact = ContactFactory(no="NO1", country="NO")
    page = in_language(staff_client, "en").get(reverse("crm:contact-list")).content.decode()
    assert '<td title="NO">Norway</td>' in page
    page = in_language(staff_client, "nb").get(reverse("crm:contact-list")).content.decode()
    assert '<td title="NO">Norge</td>' in page
    card = staff_client.get(contact.get_absolute_url()).content.decode()
    assert "Norge" in card


def test_criteria_store_codes_whatever_the_user_typed():
    user = UserFactory(password=None)
    ContactFactory(no="NO1", country="NO")
    ContactFactory(no="SE1", country="SE")
    segment = services.create_segment(user=user, description="Names")
    with translation.override("en"):
        action = services.add_contacts(
            segment, criteria={"contact": {"country": ["Norway", "se"]}}, user=user
        )
    assert action.criteria == {"contact": {"country": ["NO", "SE"]}}
    assert action.added == 2
    assert action.description == "Add contacts: country is NO or SE"


def test_exports_keep_country_codes():
    user = UserFactory(password=None)
    ContactFactory(no="NO1", country="NO")
    segment = services.create_segment(user=user, description="Export")
    services.add_contacts(segment, criteria={"contact": {"country": ["NO"]}}, user=user)
    stream = io.StringIO()
    services.export_contacts(segment, stream)
    rows = list(csv.DictReader(io.StringIO(stream.getvalue())))
    assert rows[0]["Country"] == "NO"


def test_the_admin_chooses_and_lists_countries_by_name(admin_client):
    add_url = reverse("admin:crm_contact_add")
    form = admin_client.get(add_url).content.decode()
    assert '<option value="NO">Norway</option>' in form
    assert 'data-search="Search countries"' in form
    assert "/static/js/select-search.js" in form
    data = {"no": "", "type": "company", "name": "Contoso", "country": "XX"}
    response = admin_client.post(add_url, data)
    assert "Select a valid choice. XX is not one of the available choices." in (
        response.content.decode()
    )
    assert not Contact.objects.exists()
    data["country"] = "NO"
    assert admin_client.post(add_url, data).status_code == 302
    assert Contact.objects.get().country == "NO"
    changelist = admin_client.get(reverse("admin:crm_contact_changelist")).content.decode()
    assert "Norway" in changelist
    CompanyInformation.objects.create(name="Us", country="SE")
    info = admin_client.get(reverse("admin:crm_companyinformation_changelist"))
    assert "Sweden" in info.content.decode()


def test_country_helpers():
    assert country_code("no") == "NO"
    assert country_code(" Norway ") == "NO"
    assert country_code("Narnia") is None
    assert country_name("NO") == "Norway"
    assert country_name("") == ""
    assert country_name("XX") == "XX"  # an unknown stored code is shown as it is


def test_an_import_takes_country_names_and_refuses_unknown_codes(tmp_path):
    from django.core.management import CommandError, call_command

    header = "no,type,name,country"
    path = tmp_path / "contacts.csv"
    path.write_text(f"{header}\nC1,company,Fabrikam,Norway\nC2,company,Contoso,gb\n")
    call_command("import_contacts", str(path), stdout=io.StringIO())
    assert dict(Contact.objects.values_list("no", "country")) == {"C1": "NO", "C2": "GB"}
    path.write_text(f"{header}\nC3,company,Nowhere,XX\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_contacts", str(path), stderr=err)
    assert "Row 1, country: XX is not a country; give its two-letter ISO code" in err.getvalue()
    assert not Contact.objects.filter(no="C3").exists()
