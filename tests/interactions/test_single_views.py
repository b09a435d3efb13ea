"""Pages of single interactions (SPEC 7): log, finish later, notes, attachments, the card."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from interactions import services
from interactions.models import InteractionDraft, InteractionLogEntry, InteractionNote
from interactions.selectors import contact_statistics
from tests.factories import (
    ContactFactory,
    InteractionTemplateFactory,
    SalespersonFactory,
    UserFactory,
    manager_user,
    staff_user,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def marketer(client):
    user = staff_user()
    SalespersonFactory(user=user, name="Kari Nordmann")
    client.force_login(user)
    return user


def log_url(**params) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("interactions:log-interaction") + (f"?{query}" if query else "")


def logged(contact=None, **kwargs) -> InteractionLogEntry:
    user = UserFactory()
    SalespersonFactory(user=user)
    return services.log_interaction(
        contact or ContactFactory(),
        template=kwargs.pop("template", None) or InteractionTemplateFactory(),
        user=user,
        **kwargs,
    )


def test_the_log_page_searches_contacts(client, marketer):
    ingrid = ContactFactory(name="Ingrid Aune")
    ContactFactory(name="Ola Hansen")
    response = client.get(log_url(q="ingrid"))
    assert response.status_code == 200
    assert list(response.context["matches"]) == [ingrid]
    assert f"?contact={ingrid.pk}" in response.content.decode()


def test_marketing_staff_log_a_call_with_an_attachment(client, marketer):
    contact = ContactFactory()
    template = InteractionTemplateFactory(description="Phone call", unit_cost=2)
    response = client.post(
        log_url(),
        {
            "contact": contact.pk,
            "template": template.pk,
            "description": "Wants the offer by post",
            "evaluation": "",
            "attachment": SimpleUploadedFile("offer.pdf", PDF),
            "action": "log",
        },
    )
    assert response.status_code == 302
    assert response.url == contact.get_absolute_url()
    entry = InteractionLogEntry.objects.get()
    assert (entry.contact, entry.template, entry.description) == (
        contact,
        template,
        "Wants the offer by post",
    )
    assert entry.salesperson.name == "Kari Nordmann"
    assert entry.created_by == marketer
    with entry.attachment.open("rb") as stored:
        assert stored.read() == PDF


def test_a_refusal_is_shown_on_the_form_and_nothing_is_logged(client, marketer):
    contact = ContactFactory()
    response = client.post(
        log_url(),
        {
            "contact": contact.pk,
            "template": InteractionTemplateFactory().pk,
            "attachment": SimpleUploadedFile("tool.exe", b"MZ\x90\x00\x00"),
            "action": "log",
        },
    )
    assert response.status_code == 200
    assert "tool.exe" in response.context["form"].non_field_errors()[0]
    assert InteractionLogEntry.objects.count() == 0


def test_finish_later_keeps_a_draft_and_logging_it_deletes_it(client, marketer):
    contact = ContactFactory()
    template = InteractionTemplateFactory()
    response = client.post(
        log_url(),
        {
            "contact": contact.pk,
            "template": template.pk,
            "description": "Meeting next week",
            "action": "draft",
        },
    )
    assert response.status_code == 302
    draft = InteractionDraft.objects.get()
    assert (draft.contact, draft.description, draft.created_by) == (
        contact,
        "Meeting next week",
        marketer,
    )
    assert InteractionLogEntry.objects.count() == 0

    page = client.get(log_url(draft=draft.pk))
    assert page.context["form"].initial["description"] == "Meeting next week"
    card = client.get(contact.get_absolute_url())
    assert list(card.context["drafts"]) == [draft]

    response = client.post(
        log_url(),
        {"draft": draft.pk, "template": template.pk, "description": "Met", "action": "log"},
    )
    assert response.status_code == 302
    assert not InteractionDraft.objects.exists()
    assert InteractionLogEntry.objects.get().description == "Met"


def test_choosing_a_template_shows_its_defaults(client, marketer):
    contact = ContactFactory()
    template = InteractionTemplateFactory(description="Visit", unit_cost=12)
    response = client.get(
        log_url(contact=contact.pk, template=template.pk, description="typed"),
        headers={"HX-Request": "true"},
    )
    form = response.context["form"]
    assert form.fields["description"].widget.attrs["placeholder"] == "Visit"
    assert form.fields["cost"].widget.attrs["placeholder"] == "12.00"
    assert form.initial["description"] == "typed"
    assert "This template has no letter." in response.content.decode()


def test_a_note_changes_the_entry_and_the_card_shows_it(client, marketer):
    contact = ContactFactory()
    entry = logged(contact, attempt_failed=True)
    response = client.post(
        reverse("interactions:entry-add-note", args=[entry.pk]),
        {
            "comment": "She called back",
            "evaluation": "positive",
            "attempt_failed": "false",
            "next": contact.get_absolute_url(),
        },
    )
    assert response.status_code == 302
    assert response.url == contact.get_absolute_url()
    entry.refresh_from_db()
    assert (entry.evaluation, entry.attempt_failed) == ("positive", False)
    note = InteractionNote.objects.get()
    assert (note.comment, note.created_by) == ("She called back", marketer)

    card = client.get(contact.get_absolute_url())
    assert card.context["statistics"]["failed_attempts"] == 0
    assert "She called back" in card.content.decode()
    detail = client.get(entry.get_absolute_url())
    assert list(detail.context["notes"]) == [note]
    assert "She called back" in detail.content.decode()


def test_a_note_on_a_canceled_entry_is_refused_on_the_form(client, marketer):
    entry = logged()
    services.set_entries_canceled([entry], canceled=True, user=marketer)
    response = client.post(
        reverse("interactions:entry-add-note", args=[entry.pk]), {"comment": "late"}
    )
    assert response.status_code == 200
    assert "canceled" in response.context["form"].non_field_errors()[0]
    assert InteractionNote.objects.count() == 0


def test_the_attachment_downloads_only_for_users_who_may_see_entries(client, marketer):
    entry = logged(attachment=SimpleUploadedFile("scan.pdf", PDF))
    url = reverse("interactions:entry-attachment", args=[entry.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]

    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


def test_an_entry_without_attachment_gives_404(client, marketer):
    entry = logged()
    assert client.get(reverse("interactions:entry-attachment", args=[entry.pk])).status_code == 404


@pytest.mark.parametrize("role", ["staff", "manager"])
def test_both_marketing_roles_may_log_and_add_notes(client, role):
    user = staff_user() if role == "staff" else manager_user()
    assert user.has_perm("interactions.log_interaction")
    assert user.has_perm("interactions.add_interactionnote")
    assert not user.has_perm("interactions.change_interactionnote")
    client.force_login(user)
    assert client.get(log_url(contact=ContactFactory().pk)).status_code == 200
    entry = logged()
    assert client.get(reverse("interactions:entry-add-note", args=[entry.pk])).status_code == 200


def test_staff_cannot_cancel_but_managers_can():
    assert not staff_user().has_perm("interactions.cancel_interaction")
    assert manager_user().has_perm("interactions.cancel_interaction")


def test_a_user_without_a_role_may_not_log_or_add_notes(client):
    client.force_login(UserFactory())
    contact = ContactFactory()
    entry = logged()
    assert client.get(log_url(contact=contact.pk)).status_code == 403
    response = client.post(
        log_url(),
        {"contact": contact.pk, "template": InteractionTemplateFactory().pk, "action": "log"},
    )
    assert response.status_code == 403
    note_url = reverse("interactions:entry-add-note", args=[entry.pk])
    assert client.post(note_url, {"comment": "x"}).status_code == 403
    assert InteractionLogEntry.objects.count() == 1
    assert InteractionNote.objects.count() == 0


def test_the_entry_list_filters_by_evaluation_and_attempt_failed(client, marketer):
    positive = logged(evaluation="positive")
    failed = logged(attempt_failed=True)
    url = reverse("interactions:entry-list")
    assert list(client.get(url, {"evaluation": "positive"}).context["object_list"]) == [positive]
    assert list(client.get(url, {"attempt_failed": "true"}).context["object_list"]) == [failed]
    assert 'id="log-interaction"' in client.get(url).content.decode()


def add_entries(contact, count: int, user) -> None:
    template = InteractionTemplateFactory()
    InteractionLogEntry.objects.bulk_create(
        (
            InteractionLogEntry(
                contact=contact,
                contact_company=contact.company,
                contact_name=contact.name,
                date=datetime.date(2026, 1, 1) + datetime.timedelta(days=n % 300),
                template=template,
                group=template.group,
                cost=1,
                created_by=user,
            )
            for n in range(count)
        ),
        batch_size=2000,
    )


def card_queries(client, contact) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(contact.get_absolute_url(), {"stats-date_from": "2026-01-01"})
    assert response.status_code == 200
    return len(queries)


def test_the_card_runs_the_same_queries_for_10_or_10000_entries(
    client, marketer, django_assert_num_queries
):
    few, many = ContactFactory(), ContactFactory()
    add_entries(few, 10, marketer)
    add_entries(many, 10_000, marketer)
    for contact in (few, many):
        entry = InteractionLogEntry.objects.filter(contact=contact).first()
        services.add_interaction_note(entry, user=marketer, comment="note")
    assert card_queries(client, few) == card_queries(client, many)
    response = client.get(many.get_absolute_url())
    assert response.context["statistics"]["interactions"] == 10_000
    assert len(response.context["entries"]) == 50
    for contact in (few, many):
        with django_assert_num_queries(3):
            contact_statistics(contact, date_from=datetime.date(2026, 1, 1))


def test_the_letter_preview_merges_the_letter_for_the_contact(client, marketer):
    import io

    from django.core.files.base import ContentFile
    from docx import Document

    from interactions import letters
    from tests.factories import InteractionTemplateLanguageFactory

    template = InteractionTemplateFactory()
    InteractionTemplateLanguageFactory(
        template=template,
        language="en",
        document=ContentFile(
            letters.build_document(["Dear «ContactName»,", "«PersonalNote»"]), name="en.docx"
        ),
    )
    contact = ContactFactory(name="Ingrid Aune", language="en")
    page = client.get(log_url(contact=contact.pk, template=template.pk))
    assert 'id="preview-letter"' in page.content.decode()

    response = client.get(
        reverse("interactions:log-interaction-letter"),
        {"contact": contact.pk, "template": template.pk, "personal_note": "As agreed"},
    )
    assert response.status_code == 200
    text = [p.text for p in Document(io.BytesIO(response.content)).paragraphs]
    assert text == ["Dear Ingrid Aune,", "As agreed"]
    assert InteractionLogEntry.objects.count() == 0


def test_the_letter_preview_of_a_template_without_letter_is_404(client, marketer):
    response = client.get(
        reverse("interactions:log-interaction-letter"),
        {"contact": ContactFactory().pk, "template": InteractionTemplateFactory().pk},
    )
    assert response.status_code == 404


def test_a_draft_is_thrown_away_from_the_contact_card(client, marketer):
    contact = ContactFactory()
    template = InteractionTemplateFactory()
    draft = services.save_interaction_draft(
        contact, template=template, user=marketer, description="Call back"
    )
    url = reverse("interactions:draft-delete", args=[draft.pk])
    card = client.get(contact.get_absolute_url()).content.decode()
    assert f'action="{url}"' in card
    assert client.get(url).status_code == 405
    assert InteractionDraft.objects.filter(pk=draft.pk).exists()

    response = client.post(url, follow=True)

    assert response.redirect_chain[-1][0] == contact.get_absolute_url()
    assert "The draft has been deleted." in response.content.decode()
    assert not InteractionDraft.objects.exists()
    assert InteractionLogEntry.objects.count() == 0


def test_a_user_without_a_role_cannot_throw_a_draft_away(client):
    draft = services.save_interaction_draft(
        ContactFactory(), template=InteractionTemplateFactory(), user=staff_user()
    )
    client.force_login(UserFactory())
    assert client.post(reverse("interactions:draft-delete", args=[draft.pk])).status_code == 403
    assert InteractionDraft.objects.filter(pk=draft.pk).exists()
