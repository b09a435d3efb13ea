"""Drafts of single interactions (SPEC 7): keep one unfinished, log it, throw it away."""

from django.db import transaction
from django.utils.translation import gettext as _

import audit
from crm.models import Contact

from ..attachments import attachment_problems
from ..exceptions import InteractionError
from ..models import InteractionDraft, InteractionLogEntry, InteractionTemplate
from .single import log_interaction

__all__ = [
    "DRAFT_FIELDS",
    "delete_interaction_draft",
    "log_interaction_draft",
    "save_interaction_draft",
]

#: What a draft holds besides contact, template and creator: log_interaction's arguments.
DRAFT_FIELDS = (
    "description",
    "date",
    "correspondence_type",
    "salesperson",
    "cost",
    "duration",
    "information_flow",
    "initiated_by",
    "evaluation",
    "attempt_failed",
    "subject",
    "language",
    "campaign",
    "campaign_target",
    "campaign_response",
    "personal_note",
)


@transaction.atomic
def save_interaction_draft(
    contact: Contact,
    *,
    template: InteractionTemplate,
    user,
    draft: InteractionDraft | None = None,
    attachment=None,
    **fields,
) -> InteractionDraft:
    """Keep an unfinished interaction to finish later; ``draft`` updates an existing one."""
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise InteractionError(
            _("A draft has no field %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
            code="unknown_field",
        )
    if attachment:
        errors = attachment_problems(attachment)
        if errors:
            raise InteractionError(errors)
    if draft is None:
        draft = InteractionDraft(contact=contact, created_by=user)
    draft.contact = contact
    draft.template = template
    for name, value in fields.items():
        if value is None and name not in ("date", "salesperson", "cost", "duration"):
            value = InteractionDraft._meta.get_field(name).get_default()
        setattr(draft, name, value)
    if attachment:
        draft.attachment = attachment
    draft.full_clean()
    draft.save()
    audit.record(user, audit.Action.DRAFT_SAVED, draft, contact=contact.no, template=template.code)
    return draft


@transaction.atomic
def log_interaction_draft(draft: InteractionDraft, *, user, **changes) -> InteractionLogEntry:
    """Log a draft (with ``changes`` over what it holds) and delete it."""
    arguments = {name: getattr(draft, name) for name in DRAFT_FIELDS}
    arguments["template"] = draft.template
    if draft.attachment:
        arguments["attachment"] = draft.attachment
    arguments.update(changes)
    contact = arguments.pop("contact", draft.contact)
    with audit.steps():  # one audit row: the interaction logged, from this draft
        entry = log_interaction(contact, user=user, **arguments)
    InteractionDraft.objects.filter(pk=draft.pk).delete()
    audit.record(
        user,
        audit.Action.INTERACTION_LOGGED,
        entry,
        contact=contact.no,
        template=arguments["template"].code,
        draft=draft.pk,
    )
    return entry


@transaction.atomic
def delete_interaction_draft(draft: InteractionDraft, *, user) -> None:
    """Throw away a draft: it never reached the ledger."""
    InteractionDraft.objects.filter(pk=draft.pk).delete()
    audit.record(user, audit.Action.DRAFT_DELETED, draft)
