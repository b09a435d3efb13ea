"""``{% home_charts %}``: the home page's charts (issue 17), with their tables.

Interactions per week by interaction group over the last 12 months, and the response
rate of the active campaigns; each read from the ledger's summaries (a fixed number of
queries, whatever the ledger's size) and shown only to users who may see them.
"""

from django import template
from django.utils.translation import gettext as _

from ..selectors import active_campaign_response_rates, weekly_group_interactions

register = template.Library()

#: Weeks the interactions chart covers: the last 12 months.
WEEKS = 52


@register.inclusion_tag("interactions/_home_charts.html", takes_context=True)
def home_charts(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    shown = {"weekly": None, "campaigns": None}
    if user is None:
        return shown
    if user.has_perm("interactions.view_interactionlogentry"):
        weekly = weekly_group_interactions(WEEKS)
        shown["weekly"] = weekly
        shown["weekly_chart"] = {
            "labels": [monday.isoformat() for monday in weekly["weeks"]],
            "datasets": [
                {
                    "label": row["group"].code if row["group"] else _("(no group)"),
                    "data": row["data"],
                }
                for row in weekly["groups"]
            ],
            "stacked": True,
        }
        # The table: one row per week with interactions, newest first.
        shown["weekly_rows"] = [
            {"week": monday, "counts": [row["data"][index] for row in weekly["groups"]]}
            for index, monday in reversed(list(enumerate(weekly["weeks"])))
            if any(row["data"][index] for row in weekly["groups"])
        ]
    if user.has_perm("interactions.view_campaign"):
        campaigns = active_campaign_response_rates()
        shown["campaigns"] = campaigns
        shown["campaign_chart"] = {
            "labels": [row["campaign"].no for row in campaigns],
            "datasets": [
                {
                    "label": _("Response rate (%)"),
                    "data": [round(row["response_rate"] or 0, 1) for row in campaigns],
                }
            ],
            "percent": True,
        }
    return shown
