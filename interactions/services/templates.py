"""Interaction templates (reference data, SPEC 2): created and changed through here, so
the page and the admin leave the same audit row."""

from collections.abc import Iterable

from django.db import transaction

import audit

from ..models import InteractionTemplate

__all__ = ["save_interaction_template"]


@transaction.atomic
def save_interaction_template(
    template: InteractionTemplate, *, user, fields: Iterable[str] = ()
) -> InteractionTemplate:
    """Save a new or changed template its form has validated; ``fields`` are what changed."""
    created = template._state.adding
    template.save()
    if created:
        audit.record(user, audit.Action.TEMPLATE_CREATED, template)
    else:
        audit.record(user, audit.Action.TEMPLATE_CHANGED, template, fields=sorted(fields))
    return template
