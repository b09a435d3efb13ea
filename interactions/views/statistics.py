"""Statistics: interactions, cost and duration per template and group."""

from django.views.generic import TemplateView

from .. import services
from ..forms import StatisticsForm
from ..models import InteractionLogEntry
from .base import Permission


class StatisticsView(Permission, TemplateView):
    """Interactions, cost and duration per template and group, canceled entries excluded."""

    permission_required = "interactions.view_interactionlogentry"
    template_name = "interactions/statistics.html"

    def get(self, request, *args, **kwargs):
        form = StatisticsForm(request.GET or None)
        entries = None
        if form.is_bound and form.is_valid():
            entries = InteractionLogEntry.objects.all()
            if form.cleaned_data["date_from"]:
                entries = entries.filter(date__gte=form.cleaned_data["date_from"])
            if form.cleaned_data["date_to"]:
                entries = entries.filter(date__lte=form.cleaned_data["date_to"])
        valid = not form.is_bound or form.is_valid()
        return self.render_to_response(
            self.get_context_data(
                form=form,
                templates=services.template_statistics(entries) if valid else [],
                groups=services.group_statistics(entries) if valid else [],
            )
        )
