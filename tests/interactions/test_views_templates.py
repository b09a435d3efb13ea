"""Interaction template and group pages: CRUD, language documents, upload checks."""

import datetime
import io
import zipfile

import docx
import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from interactions import letters
from interactions.models import (
    InteractionGroup,
    InteractionLogEntry,
    InteractionTemplate,
    InteractionTemplateLanguage,
)
from tests.factories import (
    ContactFactory,
    InteractionGroupFactory,
    InteractionTemplateFactory,
    InteractionTemplateLanguageFactory,
)

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings.MEDIA_ROOT


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def upload(content: bytes, name: str = "letter.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=DOCX)


def template_data(group, **values) -> dict:
    return {
        "code": "news",
        "group": group.pk,
        "description": "Newsletter",
        "unit_cost": "1.50",
        "unit_duration": "3",
        "information_flow": "outbound",
        "initiated_by": "us",
        "correspondence_type": "email",
        "default_language": "EN",
        **values,
    }


def query_count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# --- permissions -------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_the_login_page(client):
    template = InteractionTemplateFactory()
    for url in [
        reverse("interactions:template-list"),
        reverse("interactions:template-detail", args=[template.pk]),
        reverse("interactions:group-list"),
        reverse("interactions:starter-document", args=["en"]),
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login"))


def test_staff_may_view_templates_and_groups(staff_client):
    version = InteractionTemplateLanguageFactory()
    template = version.template
    for url in [
        reverse("interactions:template-list"),
        reverse("interactions:template-detail", args=[template.pk]),
        reverse("interactions:template-language-report", args=[template.pk, version.pk]),
        reverse("interactions:group-list"),
    ]:
        assert staff_client.get(url).status_code == 200, url


def test_staff_cannot_change_templates_or_groups(staff_client):
    version = InteractionTemplateLanguageFactory()
    template = version.template
    group = template.group
    forbidden = [
        reverse("interactions:template-create"),
        reverse("interactions:template-update", args=[template.pk]),
        reverse("interactions:template-delete", args=[template.pk]),
        reverse("interactions:template-language-create", args=[template.pk]),
        reverse("interactions:template-language-update", args=[template.pk, version.pk]),
        reverse("interactions:template-language-delete", args=[template.pk, version.pk]),
        reverse("interactions:group-create"),
        reverse("interactions:group-update", args=[group.pk]),
    ]
    for url in forbidden:
        assert staff_client.get(url).status_code == 403, url
        assert staff_client.post(url, template_data(group, code="HACK")).status_code == 403, url
    assert InteractionTemplate.objects.get(pk=template.pk).code == template.code
    assert not InteractionTemplate.objects.filter(code="HACK").exists()
    assert InteractionTemplateLanguage.objects.filter(pk=version.pk).exists()
    assert not InteractionGroup.objects.filter(code="HACK").exists()


def test_change_buttons_are_hidden_from_staff(client, staff, manager):
    template = InteractionTemplateFactory()
    url = reverse("interactions:template-detail", args=[template.pk])
    client.force_login(staff)
    page = client.get(url).content.decode()
    for button in ('id="edit-template"', 'id="delete-template"', 'id="new-language"'):
        assert button not in page
    assert (
        'id="new-template"'
        not in client.get(reverse("interactions:template-list")).content.decode()
    )
    client.force_login(manager)
    page = client.get(url).content.decode()
    for button in ('id="edit-template"', 'id="delete-template"', 'id="new-language"'):
        assert button in page


# --- templates -----------------------------------------------------------------------------------


def test_manager_creates_a_template(manager_client):
    group = InteractionGroupFactory()
    response = manager_client.post(reverse("interactions:template-create"), template_data(group))
    template = InteractionTemplate.objects.get(code="NEWS")
    assert response.url == template.get_absolute_url()
    assert message_texts(response) == ["Interaction template NEWS has been created."]
    assert template.group == group
    assert template.default_language == "en"
    assert str(template.unit_cost) == "1.50"


def test_template_form_errors_are_shown_and_nothing_is_saved(manager_client):
    group = InteractionGroupFactory()
    response = manager_client.post(
        reverse("interactions:template-create"), template_data(group, unit_cost="-1")
    )
    assert response.status_code == 200
    assert "Unit cost cannot be negative." in response.content.decode()
    assert not InteractionTemplate.objects.exists()


def test_manager_edits_a_template(manager_client):
    template = InteractionTemplateFactory()
    response = manager_client.post(
        reverse("interactions:template-update", args=[template.pk]),
        template_data(template.group, code=template.code, description="Changed"),
    )
    assert message_texts(response) == [f"Interaction template {template.code} has been saved."]
    assert InteractionTemplate.objects.get(pk=template.pk).description == "Changed"


def test_a_template_in_use_cannot_be_deleted(manager_client, staff):
    template = InteractionTemplateFactory()
    contact = ContactFactory()
    InteractionLogEntry.objects.create(
        contact=contact,
        contact_name=contact.name,
        date=datetime.date(2026, 3, 1),
        template=template,
        created_by=staff,
    )
    url = reverse("interactions:template-delete", args=[template.pk])
    assert manager_client.get(url).status_code == 200
    response = manager_client.post(url)
    assert response.status_code == 302
    assert response.url == template.get_absolute_url()
    assert message_texts(response) == [
        f"Interaction template {template.code} cannot be deleted: interaction log entries "
        "or segments use it. It stays as it is."
    ]
    assert InteractionTemplate.objects.filter(pk=template.pk).exists()


def test_an_unused_template_is_deleted_with_its_languages(manager_client):
    version = InteractionTemplateLanguageFactory()
    template = version.template
    response = manager_client.post(reverse("interactions:template-delete", args=[template.pk]))
    assert response.url == reverse("interactions:template-list")
    assert message_texts(response) == [f"Interaction template {template.code} has been deleted."]
    assert not InteractionTemplate.objects.filter(pk=template.pk).exists()
    assert not InteractionTemplateLanguage.objects.filter(pk=version.pk).exists()


def test_template_list_filters_and_sorts(staff_client):
    group = InteractionGroupFactory()
    InteractionTemplateFactory(code="B", group=group, unit_cost=5)
    InteractionTemplateFactory(code="A", unit_cost=9)
    InteractionTemplateFactory(code="C", group=group, unit_cost=1)
    url = reverse("interactions:template-list")
    rows = staff_client.get(url).context["object_list"]
    assert [row.code for row in rows] == ["A", "B", "C"]
    rows = staff_client.get(url, {"sort": "-cost"}).context["object_list"]
    assert [row.code for row in rows] == ["A", "B", "C"]
    rows = staff_client.get(url, {"sort": "cost", "group": group.pk}).context["object_list"]
    assert [row.code for row in rows] == ["C", "B"]


# --- language versions and documents ------------------------------------------------------------


def test_upload_shows_the_template_report(manager_client, media):
    template = InteractionTemplateFactory()
    document = letters.build_document(["Dear «ContactName»,", "From «OurName» in «Cty»"])
    response = manager_client.post(
        reverse("interactions:template-language-create", args=[template.pk]),
        {
            "language": "NB",
            "description": "Nyhetsbrev",
            "subject": "Nytt",
            "document": upload(document),
        },
    )
    version = InteractionTemplateLanguage.objects.get(template=template)
    assert version.language == "nb"
    assert response.url == reverse(
        "interactions:template-language-report", args=[template.pk, version.pk]
    )
    assert message_texts(response) == [f"The document of {template.code} in nb has been uploaded."]
    with version.document.open("rb") as stored:
        assert stored.read() == document
    report = manager_client.get(response.url)
    assert report.context["report"]["known"] == ["ContactName", "OurName"]
    assert report.context["report"]["unknown"] == ["Cty"]
    page = report.content.decode()
    assert "probably typos" in page
    assert "<code>Cty</code>" in page


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"plain text, not a Word document", "The file is not a Word document (.docx)."),
        (None, "The document contains macros (.docm)."),
    ],
)
def test_a_rejected_upload_shows_the_reason_and_stores_nothing(
    manager_client, media, content, reason
):
    if content is None:
        out = io.BytesIO()
        document = io.BytesIO(letters.build_document(["Hi"]))
        with zipfile.ZipFile(document) as source, zipfile.ZipFile(out, "w") as target:
            for info in source.infolist():
                target.writestr(info, source.read(info))
            target.writestr("word/vbaProject.bin", b"macro")
        content = out.getvalue()
    template = InteractionTemplateFactory()
    response = manager_client.post(
        reverse("interactions:template-language-create", args=[template.pk]),
        {"language": "en", "document": upload(content)},
    )
    assert response.status_code == 200
    assert reason in response.context["form"].errors["document"][0]
    assert not InteractionTemplateLanguage.objects.exists()
    assert not (media / "templates").exists()


def test_an_upload_over_the_size_limit_is_rejected(manager_client, settings):
    settings.LETTER_MAX_UPLOAD_BYTES = 100
    template = InteractionTemplateFactory()
    response = manager_client.post(
        reverse("interactions:template-language-create", args=[template.pk]),
        {"language": "en", "document": upload(letters.build_document(["Hi"]))},
    )
    assert "documents may be at most 100" in response.context["form"].errors["document"][0]
    assert not InteractionTemplateLanguage.objects.exists()


def test_a_second_version_in_the_same_language_is_a_form_error(manager_client):
    version = InteractionTemplateLanguageFactory(language="en")
    response = manager_client.post(
        reverse("interactions:template-language-create", args=[version.template.pk]),
        {"language": "en"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["language"] == [
        f"Interaction template {version.template.code} already has a version in en."
    ]
    assert InteractionTemplateLanguage.objects.count() == 1


def test_manager_edits_a_version_without_a_new_upload(manager_client):
    version = InteractionTemplateLanguageFactory(language="en")
    version.document.save("letter.docx", ContentFile(letters.build_document(["Hi"])))
    url = reverse("interactions:template-language-update", args=[version.template.pk, version.pk])
    response = manager_client.post(url, {"language": "en", "subject": "New subject"})
    assert response.url == version.template.get_absolute_url()
    assert message_texts(response) == [f"{version.template.code} in en has been saved."]
    version.refresh_from_db()
    assert version.subject == "New subject"
    assert version.document


def test_manager_deletes_a_version(manager_client):
    version = InteractionTemplateLanguageFactory(language="en")
    url = reverse("interactions:template-language-delete", args=[version.template.pk, version.pk])
    assert manager_client.get(url).status_code == 200
    response = manager_client.post(url)
    assert response.url == version.template.get_absolute_url()
    assert not InteractionTemplateLanguage.objects.filter(pk=version.pk).exists()


def test_a_version_of_another_template_is_not_found(manager_client):
    version = InteractionTemplateLanguageFactory()
    other = InteractionTemplateFactory()
    url = reverse("interactions:template-language-update", args=[other.pk, version.pk])
    assert manager_client.get(url).status_code == 404


def test_starter_document_in_each_language(staff_client):
    response = staff_client.get(reverse("interactions:starter-document", args=["nb"]))
    assert response.status_code == 200
    assert 'filename="starter-document-nb.docx"' in response["Content-Disposition"]
    assert set(letters.fields(response.content)) == set(letters.MERGE_FIELDS)
    assert docx.Document(io.BytesIO(response.content)).paragraphs
    assert (
        staff_client.get(reverse("interactions:starter-document", args=["xx"])).status_code == 404
    )


# --- groups --------------------------------------------------------------------------------------


def test_manager_creates_and_edits_a_group(manager_client):
    response = manager_client.post(
        reverse("interactions:group-create"), {"code": "letters", "description": "Letters"}
    )
    assert response.url == reverse("interactions:group-list")
    assert message_texts(response) == ["Interaction group LETTERS has been created."]
    group = InteractionGroup.objects.get(code="LETTERS")
    manager_client.get(response.url)
    response = manager_client.post(
        reverse("interactions:group-update", args=[group.pk]),
        {"code": "LETTERS", "description": "Paper letters"},
    )
    assert message_texts(response) == ["Interaction group LETTERS has been saved."]
    assert InteractionGroup.objects.get(pk=group.pk).description == "Paper letters"


def test_a_duplicate_group_code_is_a_form_error(manager_client):
    InteractionGroupFactory(code="MAIL")
    response = manager_client.post(reverse("interactions:group-create"), {"code": "mail"})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert InteractionGroup.objects.filter(code="MAIL").count() == 1


# --- query counts --------------------------------------------------------------------------------


def test_template_list_query_count_is_flat(staff_client):
    InteractionTemplateLanguageFactory.create_batch(10)
    url = reverse("interactions:template-list")
    few = query_count(staff_client, url)
    InteractionTemplateLanguageFactory.create_batch(190)
    assert query_count(staff_client, url) == few


def test_group_list_query_count_is_flat(staff_client):
    InteractionTemplateFactory.create_batch(10)
    url = reverse("interactions:group-list")
    few = query_count(staff_client, url)
    InteractionTemplateFactory.create_batch(190)
    assert InteractionGroup.objects.count() == 200
    assert query_count(staff_client, url) == few


def test_template_detail_query_count_is_flat_in_its_languages(staff_client):
    template = InteractionTemplateFactory()
    for language in ("en", "nb"):
        InteractionTemplateLanguageFactory(template=template, language=language)
    url = reverse("interactions:template-detail", args=[template.pk])
    few = query_count(staff_client, url)
    for number in range(20):
        InteractionTemplateLanguageFactory(template=template, language=f"l{number}")
    assert query_count(staff_client, url) == few
