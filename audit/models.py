"""The audit trail: one append-only row per state change a user makes."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    """What a user did. The field stores the code; the label is shown in the user's language.

    The field has no ``choices=``: an app adding an action adds a member here and needs no
    migration; ``audit.record`` refuses a code that is not a member.
    """

    # Building a segment (the worksheet).
    SEGMENT_CREATED = "segment_created", _("Segment created")
    HEADER_CHANGED = "header_changed", _("Segment header changed")
    CRITERIA_ADDED = "criteria_added", _("Contacts added by criteria")
    CRITERIA_REDUCED = "criteria_reduced", _("Contacts reduced by criteria")
    CRITERIA_REFINED = "criteria_refined", _("Contacts refined by criteria")
    WENT_BACK = "went_back", _("Went back one criteria action")
    LINE_ADDED = "line_added", _("Segment line added")
    LINE_REMOVED = "line_removed", _("Segment line removed")
    LINE_CHANGED = "line_changed", _("Segment line changed")
    LINE_RESET = "line_reset", _("Segment line value reset")
    DOCUMENT_CHANGED = "document_changed", _("Line document uploaded")
    DOCUMENT_REMOVED = "document_removed", _("Line document removed")
    LANGUAGE_SAVED = "language_saved", _("Language version saved")
    LANGUAGE_DELETED = "language_deleted", _("Language version deleted")
    CRITERIA_SAVED = "criteria_saved", _("Criteria saved")
    CRITERIA_REUSED = "criteria_reused", _("Saved criteria reused")
    SAVED_CRITERIA_DELETED = "saved_criteria_deleted", _("Saved criteria deleted")
    LOGGED_SEGMENT_REUSED = "logged_segment_reused", _("Logged segment reused")
    MAILING_GROUP_APPLIED = "mailing_group_applied", _("Mailing group applied")
    SEGMENT_DELETED = "segment_deleted", _("Segment deleted")
    PREFERENCES_CHANGED = "preferences_changed", _("User preferences changed")
    SEGMENT_LOGGED = "segment_logged", _("Segment logged")
    FOLLOW_UP_CREATED = "follow_up_created", _("Follow-up segment created")
    # The ledger.
    LOGGED_SEGMENT_CANCELED = "logged_segment_canceled", _("Logged segment canceled")
    LOGGED_SEGMENT_UNCANCELED = "logged_segment_uncanceled", _("Logged segment un-canceled")
    ENTRIES_CANCELED = "entries_canceled", _("Interaction log entries canceled")
    ENTRIES_UNCANCELED = "entries_uncanceled", _("Interaction log entries un-canceled")
    CANCELED_LOGGED_SEGMENTS_DELETED = (
        "canceled_logged_segments_deleted",
        _("Canceled logged segments deleted"),
    )
    INTERACTION_LOGGED = "interaction_logged", _("Interaction logged")
    NOTE_ADDED = "note_added", _("Note added")
    DRAFT_SAVED = "draft_saved", _("Interaction draft saved")
    DRAFT_DELETED = "draft_deleted", _("Interaction draft deleted")
    # Consent and erasure (SPEC 9).
    REFUSED_LINES_REMOVED = "refused_lines_removed", _("Lines refused for consent removed")
    CONTACT_ERASED = "contact_erased", _("Contact erased")
    CONTACT_LEFT_SEGMENT = "contact_left_segment", _("Erased contact left the segment")
    # Reference data.
    TEMPLATE_CREATED = "template_created", _("Interaction template created")
    TEMPLATE_CHANGED = "template_changed", _("Interaction template changed")
    # Contacts (the web API).
    CONTACT_CREATED = "contact_created", _("Contact created")
    CONTACT_CHANGED = "contact_changed", _("Contact changed")
    # Consent (SPEC 9).
    CONSENT_CHANGED = "consent_changed", _("Consent changed")
    # Campaigns (SPEC 8).
    CAMPAIGN_CREATED = "campaign_created", _("Campaign created")
    CAMPAIGN_CHANGED = "campaign_changed", _("Campaign changed")
    CAMPAIGNS_DELETED = "campaigns_deleted", _("Campaigns deleted")


#: Labels of the keys services put in ``details``; an unknown key is shown as it is.
DETAIL_LABELS = {
    "step": _("step"),
    "added": _("added"),
    "removed": _("removed"),
    "restored": _("restored"),
    "lines": _("lines"),
    "entries": _("entries"),
    "count": _("count"),
    "fields": _("fields"),
    "field": _("field"),
    "line": _("line"),
    "contact": _("contact"),
    "segment": _("segment"),
    "logged_segment": _("logged segment"),
    "logged_segments": _("logged segments"),
    "saved_criteria": _("saved criteria"),
    "mailing_group": _("mailing group"),
    "steps": _("steps"),
    "language": _("language"),
    "template": _("interaction template"),
    "entry": _("entry"),
    "draft": _("draft"),
    "follow_up": _("follow-up segment"),
    "channel": _("channel"),
    "granted": _("granted"),
    "source": _("source"),
}


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an audit row."""


def _refuse(*args, **kwargs):
    raise AppendOnlyError(_("Audit entries are append-only."))


class AuditEntryQuerySet(models.QuerySet):
    """Rows are inserted, never updated or deleted, one at a time or in bulk."""

    update = bulk_update = delete = _refuse

    def bulk_create(self, objs, *args, update_conflicts=False, **kwargs):
        if update_conflicts:  # an upsert rewrites existing rows
            _refuse()
        return super().bulk_create(objs, *args, **kwargs)

    def for_object(self, obj: models.Model) -> "AuditEntryQuerySet":
        """The rows about ``obj`` (also those written before it was deleted)."""
        from django.contrib.contenttypes.models import ContentType

        return self.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
        )


class AuditEntry(models.Model):
    """Who did what to which object, and when: one row per state change a user makes.

    Written by the services only (``audit.record``), in the transaction of the change, so
    a change that is rolled back leaves no row. Append-only: ``save`` refuses an update,
    ``delete`` and the queryset's ``update``/``delete`` refuse, and the admin is read-only.

    Its own table rather than ``django.contrib.admin``'s ``LogEntry``, because a
    ``LogEntry`` must have a user (the unsubscribe link and the system act without one),
    knows only add/change/delete (not "went back" or "logged"), stores a free-text
    message instead of counts, and is an ordinary table the admin deletes from.

    ``user`` is ``PROTECT``, like the ledger's ``created_by``: an audit trail whose "who"
    can vanish is no trail, so a user who has changed anything is deactivated, not
    deleted. It is empty for changes without a user (a link in an email, a system job).
    ``object_id`` is text, so an object with a code key fits as well as one with a number;
    ``object_repr`` keeps what the object was called, so the row still reads when the
    object is deleted. ``details`` holds counts and field names, never personal data
    beyond what the object's page shows.
    """

    at = models.DateTimeField(_("when"), default=timezone.now, editable=False, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    action = models.CharField(_("action"), max_length=40)
    content_type = models.ForeignKey(
        "contenttypes.ContentType",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("object type"),
    )
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "at"], name="audit_entry_object_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}".strip()

    def save(self, **kwargs):
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            _refuse()
        # With a key given, Django would UPDATE an existing row of that key.
        kwargs.setdefault("force_insert", True)
        super().save(**kwargs)

    def delete(self, **kwargs):
        _refuse()

    @property
    def action_label(self) -> str:
        """The action in the active language (the code itself for an unknown one)."""
        try:
            return str(Action(self.action).label)
        except ValueError:
            return self.action

    def _field_label(self, name) -> str:
        """A field name of the object's model as its label ("campaign_target": "Campaign
        target"); a name the model does not have is shown as it is."""
        from django.contrib.contenttypes.models import ContentType
        from django.core.exceptions import FieldDoesNotExist

        if not self.content_type_id or not isinstance(name, str):
            return name
        # get_for_id is cached: no query per row of a history panel.
        model = ContentType.objects.get_for_id(self.content_type_id).model_class()
        try:
            return str(model._meta.get_field(name).verbose_name) if model else name
        except FieldDoesNotExist:
            return name

    def detail_items(self) -> list[tuple[str, str]]:
        """``details`` as (label, text) pairs for a page; lists are joined with commas,
        field names (``field``, ``fields``) read as the fields' labels."""
        items = []
        for key, value in self.details.items() if isinstance(self.details, dict) else ():
            if key in ("field", "fields"):
                names = value if isinstance(value, list | tuple) else [value]
                value = [self._field_label(name) for name in names]
            if isinstance(value, list | tuple):
                value = ", ".join(str(item) for item in value)
            elif isinstance(value, bool):
                value = _("yes") if value else _("no")
            items.append((capfirst(str(DETAIL_LABELS.get(key, key.replace("_", " ")))), value))
        return items
