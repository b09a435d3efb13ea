"""The saved criteria pages: list, detail, delete."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView, TemplateView

from .. import selectors, services
from ..models import SavedCriteria


class SavedCriteriaListView(PermissionRequiredMixin, ListView):
    permission_required = "segments.view_savedcriteria"
    template_name = "segments/savedcriteria_list.html"
    paginate_by = 50

    def get_queryset(self):
        return selectors.saved_criteria_list()


class SavedCriteriaDetailView(PermissionRequiredMixin, DetailView):
    permission_required = "segments.view_savedcriteria"
    template_name = "segments/savedcriteria_detail.html"
    queryset = SavedCriteria.objects.select_related("created_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["steps"] = self.object.actions.order_by("seq")
        return context


class SavedCriteriaDeleteView(PermissionRequiredMixin, TemplateView):
    permission_required = "segments.delete_savedcriteria"
    template_name = "segments/savedcriteria_confirm_delete.html"

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.object = SavedCriteria.objects.filter(pk=kwargs["pk"]).first()
        if self.object is None:
            messages.warning(
                request, _("Those saved criteria no longer exist. Nothing was changed.")
            )
            return redirect("segments:saved-criteria-list")
        return super(PermissionRequiredMixin, self).dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(object=self.object, **kwargs)

    def post(self, request, pk):
        code = self.object.code
        services.delete_saved_criteria(self.object, user=request.user)
        messages.success(request, _("Saved criteria %(code)s have been deleted.") % {"code": code})
        return redirect("segments:saved-criteria-list")
