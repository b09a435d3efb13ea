"""Lines of the worksheet: show, edit and reset a value in place, add, remove, search."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views import View

from crm.models import Contact

from .. import services
from ..exceptions import SegmentError
from ..forms import LINE_FIELDS, AddLineForm, line_value_form
from .base import LineMixin, SegmentMixin, go, stale
from .worksheet import SegmentDetailView

#: How many contacts the "add a line" search suggests.
SUGGESTIONS = 20


class LineRowView(LineMixin, View):
    permission_required = "segments.view_segment"

    def get(self, request, pk, line):
        if not request.htmx:
            return redirect(self.line)
        return self.row()


class LineEditView(LineMixin, View):
    """Edit one override of a line in place (htmx), or on its own page without htmx."""

    def load(self, **kwargs):
        if kwargs["field"] not in LINE_FIELDS:
            raise Http404(_("A segment line has no value %(field)s.") % {"field": kwargs["field"]})
        self.field = kwargs["field"]
        return super().load(**kwargs)

    def form(self, *args):
        # Ids of the line's own: the header form on the same page has id_description...
        return line_value_form(self.field)(
            *args, instance=self.line, auto_id=f"id_line-{self.line.pk}-%s"
        )

    def get(self, request, pk, line, field):
        form = self.form()
        if request.htmx:
            return self.row(editing=field, form=form)
        return self.page(form)

    def page(self, form):
        return render(
            self.request,
            "segments/line_edit.html",
            {"segment": self.segment, "line": self.line, "form": form, "field": self.field},
        )

    def post(self, request, pk, line, field):
        form = self.form(request.POST)
        if not form.is_valid():
            return self.row(editing=field, form=form) if request.htmx else self.page(form)
        try:
            services.set_line_values(
                self.line, user=request.user, **{field: form.cleaned_data[field]}
            )
        except SegmentError as error:
            return self.refused(error)
        return self.saved(1)

    def saved(self, updated: int):
        if not updated:
            messages.warning(
                self.request,
                _("That line is no longer on segment %(no)s. Nothing was changed.")
                % {"no": self.segment.no},
            )
            return go(self.request, self.segment_url)
        if self.request.htmx:
            return self.row()
        messages.success(
            self.request,
            _("Line %(line_no)s has been saved.") % {"line_no": self.line.line_no},
        )
        return redirect(f"{self.segment_url}?line={self.line.line_no}#line-{self.line.line_no}")


class LineResetView(LineEditView):
    """Clear an override: the line inherits the value again."""

    http_method_names = ["post"]

    def post(self, request, pk, line, field):
        try:
            services.reset_line_value(self.line, field=field, user=request.user)
        except SegmentError as error:
            return self.refused(error)
        return self.saved(1)


class LineAddView(SegmentMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        form = AddLineForm(request.POST)
        if form.is_valid():
            try:
                line = services.add_line(
                    self.segment, contact=form.cleaned_data["contact"], user=request.user
                )
            except SegmentError as error:
                response = self.refused(error, form)
                if response is not None:
                    return response
            else:
                messages.success(
                    request,
                    _("Line %(line_no)s for contact %(contact)s has been added.")
                    % {"line_no": line.line_no, "contact": line.contact.no},
                )
                return redirect(f"{self.segment_url}?line={line.line_no}#line-{line.line_no}")
        view = SegmentDetailView(request=request, kwargs={"pk": pk}, segment=self.segment)
        return TemplateResponse(
            request, view.template_name, view.get_context_data(add_line_form=form)
        )


class LineRemoveView(LineMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk, line):
        try:
            action = services.remove_line(self.line, user=request.user)
        except SegmentError as error:
            return stale(request, error, self.segment_url)
        messages.success(
            request,
            _("Line %(line_no)s (%(contact)s) has been removed; Go back restores it.")
            % {"line_no": self.line.line_no, "contact": self.line.contact.name},
        )
        # No confirmation first: removing is a step that go back undoes, so the page
        # offers "Undo" for exactly this step instead.
        return go(request, f"{self.segment_url}?undo={action.seq}")


class ContactSearchView(PermissionRequiredMixin, View):
    """Contacts whose number or name matches what was typed, for "add a line"."""

    permission_required = "crm.view_contact"

    def get(self, request):
        typed = request.GET.get("contact", "").strip()
        contacts = Contact.objects.none()
        if typed:
            contacts = Contact.objects.filter(no__istartswith=typed) | Contact.objects.filter(
                name__icontains=typed
            )
            contacts = contacts.order_by("no")[:SUGGESTIONS]
        return render(request, "segments/contact_suggestions.html", {"contacts": contacts})
