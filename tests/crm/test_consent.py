"""Consent (SPEC 9): set_consent, the append-only history and the opt-out flags."""

from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from crm import services
from crm.models import ConsentEvent, Contact
from tests.factories import ContactFactory


@pytest.fixture
def contact(db):
    return ContactFactory()


def flags(contact):
    return Contact.objects.values_list("email_opt_out", "letter_opt_out", "phone_opt_out").get(
        pk=contact.pk
    )


def test_set_consent_records_an_event_and_keeps_the_flag_in_step(contact, user):
    event = services.set_consent(
        contact, channel="email", granted=False, source="staff", user=user, note=" asked by phone "
    )
    assert (event.contact, event.channel, event.granted, event.source) == (
        contact,
        "email",
        False,
        "staff",
    )
    assert event.created_by == user and event.note == "asked by phone" and event.created_at
    assert flags(contact) == (True, False, False)
    assert contact.email_opt_out is True  # the caller's instance too

    services.set_consent(contact, channel="letter", granted=False, source="import")
    services.set_consent(contact, channel="email", granted=True, source="form")
    assert flags(contact) == (False, True, False)
    assert list(
        ConsentEvent.objects.filter(contact=contact)
        .order_by("pk")
        .values_list("channel", "granted", "source", "created_by")
    ) == [
        ("email", False, "staff", user.pk),
        ("letter", False, "import", None),
        ("email", True, "form", None),
    ]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"channel": "sms", "granted": False, "source": "staff"},
        {"channel": "email", "granted": False, "source": "telepathy"},
        {"channel": "email", "granted": "no", "source": "staff"},
    ],
)
def test_bad_input_is_refused_and_changes_nothing(contact, kwargs):
    with pytest.raises(ValidationError):
        services.set_consent(contact, **kwargs)
    assert not ConsentEvent.objects.exists()
    assert flags(contact) == (False, False, False)


def test_one_transaction_a_failed_flag_update_leaves_no_event(contact):
    with (
        mock.patch.object(
            type(Contact.objects.all()), "update", side_effect=RuntimeError("flag write failed")
        ),
        pytest.raises(RuntimeError),
    ):
        services.set_consent(contact, channel="phone", granted=False, source="staff")
    assert not ConsentEvent.objects.exists()
    assert flags(contact) == (False, False, False)


def test_the_contact_row_is_locked_for_the_change(contact):
    with mock.patch.object(
        type(Contact.objects.all()),
        "select_for_update",
        autospec=True,
        side_effect=lambda qs, *a, **k: qs,
    ) as locked:
        services.set_consent(contact, channel="email", granted=False, source="staff")
    assert locked.called


def test_consent_events_are_append_only(contact):
    event = services.set_consent(contact, channel="email", granted=False, source="staff")
    event.granted = True
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    with pytest.raises(ValidationError):
        ConsentEvent.objects.filter(pk=event.pk).update(granted=True)
    with pytest.raises(ValidationError):
        ConsentEvent.objects.all().delete()
    assert ConsentEvent.objects.get(pk=event.pk).granted is False


def test_the_database_refuses_an_update_below_the_orm(contact):
    event = services.set_consent(contact, channel="email", granted=False, source="staff")
    table = ConsentEvent._meta.db_table
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET granted = %s WHERE id = %s", [True, event.pk])
    assert ConsentEvent.objects.get(pk=event.pk).granted is False


def test_deleting_the_user_keeps_the_event(contact, user):
    # Written directly: set_consent's audit row would protect the user from deletion.
    event = ConsentEvent.objects.create(
        contact=contact, channel="email", granted=False, source="staff", created_by=user
    )
    user.delete()
    event = ConsentEvent.objects.get(pk=event.pk)
    assert event.created_by is None and event.granted is False


def test_a_contact_with_consent_history_cannot_be_deleted(contact):
    from django.db.models import ProtectedError

    services.set_consent(contact, channel="email", granted=False, source="staff")
    with pytest.raises(ProtectedError):
        contact.delete()
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_forms_cannot_write_the_flags():
    assert not any(
        Contact._meta.get_field(name).editable
        for name in ("email_opt_out", "letter_opt_out", "phone_opt_out")
    )


# --- import and export ---------------------------------------------------------------------

IMPORT_HEADER = "no,type,name,email_opt_out,letter_opt_out,phone_opt_out"


def import_rows(tmp_path, rows, **options):
    import io

    from django.core.management import call_command

    path = tmp_path / "contacts.csv"
    path.write_text("\n".join([IMPORT_HEADER, *rows]) + "\n", encoding="utf-8")
    out = io.StringIO()
    call_command("import_contacts", str(path), stdout=out, **options)
    return out.getvalue()


def import_events():
    return list(
        ConsentEvent.objects.order_by("contact__no", "channel").values_list(
            "contact__no", "channel", "granted", "source"
        )
    )


def test_an_import_that_changes_a_flag_records_an_import_event(db, tmp_path):
    ContactFactory(no="P1")
    import_rows(tmp_path, ["P1,person,Kari,1,0,", "P2,person,Ola,,1,0"])
    assert import_events() == [
        ("P1", "email", False, "import"),
        ("P2", "letter", False, "import"),
    ]
    assert flags(Contact.objects.get(no="P1")) == (True, False, False)
    assert flags(Contact.objects.get(no="P2")) == (False, True, False)

    # The same file again changes nothing and records nothing; a change back is recorded.
    import_rows(tmp_path, ["P1,person,Kari,1,0,", "P2,person,Ola,,1,0"])
    assert len(import_events()) == 2
    import_rows(tmp_path, ["P1,person,Kari,0,,"])
    assert import_events()[1] == ("P1", "email", True, "import")
    assert flags(Contact.objects.get(no="P1")) == (False, False, False)


def test_a_dry_run_or_a_failed_import_records_no_consent(db, tmp_path):
    ContactFactory(no="P1")
    import_rows(tmp_path, ["P1,person,Kari,1,,"], dry_run=True)
    assert not ConsentEvent.objects.exists()
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        import_rows(tmp_path, ["P1,person,Kari,1,,", "P2,person,,1,,"])  # P2 has no name
    assert not ConsentEvent.objects.exists()
    assert flags(Contact.objects.get(no="P1")) == (False, False, False)


def test_the_export_has_the_consent_columns(db):
    from crm.resources import ContactResource

    contact = ContactFactory(no="P9")
    services.set_consent(contact, channel="phone", granted=False, source="staff")
    dataset = ContactResource().export()
    row = dict(zip(dataset.headers, dataset[0], strict=True))
    assert (row["email_opt_out"], row["letter_opt_out"], row["phone_opt_out"]) in [
        ("0", "0", "1"),
        (0, 0, 1),
        (False, False, True),
    ]


# --- the contact card ------------------------------------------------------------------------


def test_the_card_shows_consent_per_channel_with_its_history(staff_client, staff):
    from django.urls import reverse

    contact = ContactFactory()
    services.set_consent(
        contact, channel="letter", granted=False, source="staff", user=staff, note="No paper"
    )
    page = staff_client.get(reverse("crm:contact-detail", args=[contact.pk])).content.decode()
    assert 'id="consent-letter"' in page and "No paper" in page
    assert reverse("crm:contact-consent", args=[contact.pk]) + "?channel=email" in page


def test_the_card_shows_the_contacts_audit_history(staff_client, staff):
    """Issue 12: a state change of a contact (here a consent change) is on its card, with
    who did it and the action's label, in the one history panel the other pages use."""
    from django.urls import reverse

    contact = ContactFactory()
    services.set_consent(contact, channel="email", granted=False, source="staff", user=staff)
    page = staff_client.get(reverse("crm:contact-detail", args=[contact.pk])).content.decode()
    panel = page[page.index('id="history"') :]
    assert "Consent changed" in panel
    assert (staff.get_full_name() or staff.get_username()) in panel


@pytest.mark.parametrize("role", ["staff", "manager"])
def test_both_roles_change_consent_with_a_reason(client, role, request):
    from django.urls import reverse

    user = request.getfixturevalue(role)
    client.force_login(user)
    contact = ContactFactory()
    url = reverse("crm:contact-consent", args=[contact.pk])
    assert client.get(url + "?channel=phone").status_code == 200
    response = client.post(url, {"channel": "phone", "granted": "no", "note": "Asked us"})
    assert response.status_code == 302
    event = ConsentEvent.objects.get(contact=contact)
    assert (event.channel, event.granted, event.source, event.created_by, event.note) == (
        "phone",
        False,
        "staff",
        user,
        "Asked us",
    )
    assert flags(contact) == (False, False, True)


def test_a_change_without_a_reason_is_refused_and_changes_nothing(staff_client):
    from django.urls import reverse

    contact = ContactFactory()
    response = staff_client.post(
        reverse("crm:contact-consent", args=[contact.pk]),
        {"channel": "email", "granted": "no", "note": "   "},
    )
    assert response.status_code == 200
    assert "Give the reason for the change." in response.content.decode()
    assert not ConsentEvent.objects.exists()
    assert flags(contact) == (False, False, False)


def test_others_see_consent_read_only(client, user):
    from django.contrib.auth.models import Permission
    from django.urls import reverse

    user.user_permissions.add(Permission.objects.get(codename="view_contact"))
    client.force_login(user)
    contact = ContactFactory()
    page = client.get(reverse("crm:contact-detail", args=[contact.pk])).content.decode()
    assert 'id="consent-email"' in page
    assert reverse("crm:contact-consent", args=[contact.pk]) not in page
    url = reverse("crm:contact-consent", args=[contact.pk])
    assert client.post(url, {"channel": "email", "granted": "no", "note": "x"}).status_code == 403
    assert not ConsentEvent.objects.exists()


def test_the_admin_shows_consent_events_read_only(admin_client_):
    from django.urls import reverse

    contact = ContactFactory()
    event = services.set_consent(contact, channel="email", granted=False, source="staff")
    assert admin_client_.get(reverse("admin:crm_consentevent_changelist")).status_code == 200
    page = admin_client_.get(reverse("admin:crm_consentevent_change", args=[event.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert admin_client_.get(reverse("admin:crm_consentevent_add")).status_code == 403


def test_set_consent_records_who_did_it_in_the_audit_trail(contact, user):
    import audit

    services.set_consent(contact, channel="email", granted=False, source="staff", user=user)
    services.set_consent(contact, channel="email", granted=True, source="unsubscribe_link")
    rows = list(audit.history(contact).order_by("pk"))
    assert [(row.action, row.user, row.details) for row in rows] == [
        ("consent_changed", user, {"channel": "email", "granted": False, "source": "staff"}),
        (
            "consent_changed",
            None,
            {"channel": "email", "granted": True, "source": "unsubscribe_link"},
        ),
    ]
