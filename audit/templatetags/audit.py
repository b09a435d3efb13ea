"""The history panel: one include for every object page."""

from django import template
from django.core.paginator import Paginator

from ..selectors import history

register = template.Library()

#: Rows per page of a history panel.
PER_PAGE = 20
#: The query parameter of the panel's page (the object's page may paginate its own list).
PAGE_PARAMETER = "history"


@register.inclusion_tag("audit/_history.html", takes_context=True)
def history_panel(context, obj, title=None):
    """The audit rows of ``obj``, newest first, 20 a page: two queries, whatever the rows."""
    request = context.get("request")
    number = request.GET.get(PAGE_PARAMETER) if request is not None else None
    page = Paginator(history(obj), PER_PAGE).get_page(number)
    return {
        "history_page": page,
        "history_parameter": PAGE_PARAMETER,
        "title": title,
        "request": request,
    }
