"""Criteria actions as text in the language of the page that shows them."""

from django import template

from ..criteria import describe_action

register = template.Library()


@register.filter
def described(action) -> str:
    """A criteria action (or its snapshot) described from its criteria JSON, now."""
    return describe_action(action)
