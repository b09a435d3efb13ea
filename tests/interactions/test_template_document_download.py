"""A template language's stored letter: the edit form links a permission-checked download.

The form's "Currently:" link used the storage's URL (``/media/...``), which nothing
serves: it answered 404, and a manager could not download the letter to edit it.
"""

import lxml.html
import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from interactions import letters
from tests.factories import InteractionTemplateFactory, InteractionTemplateLanguageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def version():
    version = InteractionTemplateLanguageFactory(
        template=InteractionTemplateFactory(code="AUTUMN"), language="nb"
    )
    version.document.save("brev.docx", ContentFile(letters.build_document(["Kjære «Name»,"])))
    return version


def download_url(version) -> str:
    return reverse(
        "interactions:template-language-document", args=[version.template.pk, version.pk]
    )


def currently_link(client, version) -> str:
    """The href of the edit form's "Currently:" link."""
    url = reverse("interactions:template-language-update", args=[version.template.pk, version.pk])
    page = lxml.html.fromstring(client.get(url).content.decode())
    (group,) = page.xpath("//*[contains(@class, 'input-group')][.//*[text()='Currently']]")
    (link,) = group.xpath(".//a")
    assert link.text_content().strip() == version.document.name
    return link.get("href")


def test_the_currently_link_downloads_the_stored_letter_byte_for_byte(manager_client, version):
    href = currently_link(manager_client, version)
    assert href == download_url(version)
    assert "/media/" not in href
    response = manager_client.get(href)
    assert response.status_code == 200
    with version.document.open("rb") as stored:
        assert b"".join(response.streaming_content) == stored.read()
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert response["Content-Disposition"] == 'attachment; filename="AUTUMN-nb.docx"'


def test_the_link_stays_after_a_form_error(manager_client, version):
    url = reverse("interactions:template-language-update", args=[version.template.pk, version.pk])
    response = manager_client.post(url, {"language": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["language"]
    assert f'href="{download_url(version)}"' in response.content.decode()


def test_staff_without_the_right_get_403_and_anonymous_users_the_login_page(staff_client, version):
    assert staff_client.get(download_url(version)).status_code == 403
    response = Client().get(download_url(version))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_version_without_a_document_or_of_another_template_is_not_found(manager_client, version):
    other = InteractionTemplateFactory()
    url = reverse("interactions:template-language-document", args=[other.pk, version.pk])
    assert manager_client.get(url).status_code == 404
    empty = InteractionTemplateLanguageFactory(template=version.template, language="en")
    assert manager_client.get(download_url(empty)).status_code == 404
    version.document.storage.delete(version.document.name)
    assert manager_client.get(download_url(version)).status_code == 404
