"""Pages of interaction templates, their language versions and documents, and groups."""

from django.conf import settings
from django.contrib import messages
from django.contrib.messages.views import SuccessMessageMixin
from django.db.models import Count, ProtectedError, RestrictedError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import (
    CreateView,
    DetailView,
    ListView,
    UpdateView,
)
from django_filters.views import FilterView

from .. import letters, services
from ..exceptions import LetterError
from ..filters import InteractionTemplateFilter
from ..forms import (
    InteractionGroupForm,
    InteractionTemplateForm,
    InteractionTemplateLanguageForm,
)
from ..models import (
    InteractionGroup,
    InteractionTemplate,
    InteractionTemplateLanguage,
)
from .base import DOCX, PAGE_SIZE, Permission


class TemplateListView(Permission, FilterView):
    permission_required = "interactions.view_interactiontemplate"
    filterset_class = InteractionTemplateFilter
    template_name = "interactions/template_list.html"
    paginate_by = PAGE_SIZE
    strict = True

    def get_queryset(self):
        return (
            InteractionTemplate.objects.select_related("group")
            .annotate(language_count=Count("languages"))
            .order_by("code")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(languages=settings.LANGUAGES, **kwargs)


class TemplateDetailView(Permission, DetailView):
    permission_required = "interactions.view_interactiontemplate"
    template_name = "interactions/template_detail.html"
    context_object_name = "template"

    def get_queryset(self):
        return InteractionTemplate.objects.select_related("group")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            versions=self.object.languages.order_by("language"),
            languages=settings.LANGUAGES,
            **kwargs,
        )


class _TemplateSaving:
    """Saves the template through its service, which records who created or changed it."""

    def form_valid(self, form):
        self.object = services.save_interaction_template(
            form.save(commit=False), user=self.request.user, fields=form.changed_data
        )
        messages.success(self.request, self.get_success_message(form.cleaned_data))
        return redirect(self.get_success_url())


class TemplateCreateView(Permission, _TemplateSaving, SuccessMessageMixin, CreateView):
    permission_required = "interactions.add_interactiontemplate"
    model = InteractionTemplate
    form_class = InteractionTemplateForm
    template_name = "interactions/form.html"
    success_message = gettext_lazy("Interaction template %(code)s has been created.")
    extra_context = {
        "title": gettext_lazy("New interaction template"),
        "back_url": reverse_lazy("interactions:template-list"),
    }


class TemplateUpdateView(Permission, _TemplateSaving, SuccessMessageMixin, UpdateView):
    permission_required = "interactions.change_interactiontemplate"
    model = InteractionTemplate
    form_class = InteractionTemplateForm
    template_name = "interactions/form.html"
    success_message = gettext_lazy("Interaction template %(code)s has been saved.")
    extra_context = {"title": gettext_lazy("Edit interaction template")}

    def get_context_data(self, **kwargs):
        return super().get_context_data(back_url=self.object.get_absolute_url(), **kwargs)


class _DeleteView(Permission, DetailView):
    """Confirm on GET, delete on POST; a record still in use gets a message, not a 500."""

    template_name = "interactions/confirm_delete.html"
    context_object_name = "record"

    def post(self, request, *args, **kwargs):
        record = self.object = self.get_object()
        try:
            record.delete()
        except (ProtectedError, RestrictedError):
            messages.error(request, self.in_use_message(record))
            return redirect(self.back_url(record))
        messages.success(request, self.deleted_message(record))
        return redirect(self.deleted_url(record))

    def back_url(self, record):
        return record.get_absolute_url()


class TemplateDeleteView(_DeleteView):
    permission_required = "interactions.delete_interactiontemplate"
    model = InteractionTemplate

    def in_use_message(self, template):
        return _(
            "Interaction template %(code)s cannot be deleted: interaction log entries or "
            "segments use it. It stays as it is."
        ) % {"code": template.code}

    def deleted_message(self, template):
        return _("Interaction template %(code)s has been deleted.") % {"code": template.code}

    def deleted_url(self, template):
        return reverse("interactions:template-list")


class _LanguageMixin(Permission):
    """A language version of the template in the URL."""

    model = InteractionTemplateLanguage
    form_class = InteractionTemplateLanguageForm
    template_name = "interactions/form.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.template = get_object_or_404(InteractionTemplate, pk=kwargs["template_pk"])

    def get_queryset(self):
        return self.template.languages.all()

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "template": self.template}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            template=self.template,
            back_url=self.template.get_absolute_url(),
            multipart=True,
            **kwargs,
        )

    def form_valid(self, form):
        version = form.save()
        if form.report is not None:
            messages.success(
                self.request,
                _("The document of %(template)s in %(language)s has been uploaded.")
                % {"template": self.template.code, "language": version.language},
            )
            return redirect("interactions:template-language-report", self.template.pk, version.pk)
        messages.success(
            self.request,
            _("%(template)s in %(language)s has been saved.")
            % {"template": self.template.code, "language": version.language},
        )
        return redirect(self.template)


class TemplateLanguageCreateView(_LanguageMixin, CreateView):
    permission_required = "interactions.add_interactiontemplatelanguage"
    extra_context = {"title": gettext_lazy("New language version")}


class TemplateLanguageUpdateView(_LanguageMixin, UpdateView):
    permission_required = "interactions.change_interactiontemplatelanguage"
    extra_context = {"title": gettext_lazy("Edit language version")}


class TemplateLanguageDeleteView(_DeleteView):
    permission_required = "interactions.delete_interactiontemplatelanguage"

    def get_queryset(self):
        return InteractionTemplateLanguage.objects.filter(
            template_id=self.kwargs["template_pk"]
        ).select_related("template")

    def in_use_message(self, version):
        return _("%(template)s in %(language)s is in use and cannot be deleted.") % {
            "template": version.template.code,
            "language": version.language,
        }

    def deleted_message(self, version):
        return _("%(template)s in %(language)s has been deleted.") % {
            "template": version.template.code,
            "language": version.language,
        }

    def back_url(self, version):
        return version.template.get_absolute_url()

    deleted_url = back_url


class TemplateLanguageReportView(Permission, DetailView):
    """The merge fields of a language version's document: known, and unknown (typos)."""

    permission_required = "interactions.view_interactiontemplate"
    template_name = "interactions/template_language_report.html"
    context_object_name = "version"

    def get_queryset(self):
        return InteractionTemplateLanguage.objects.filter(
            template_id=self.kwargs["template_pk"]
        ).select_related("template")

    def get_context_data(self, **kwargs):
        version = self.object
        report, error = None, ""
        if version.document:
            try:
                with version.document.open("rb") as stored:
                    report = letters.template_report(stored.read())
            except LetterError as problem:
                error = " ".join(problem.messages)
            except OSError:
                error = _("The document is missing from storage; upload it again.")
        descriptions = {name: str(label) for name, label in letters.MERGE_FIELDS.items()}
        return super().get_context_data(
            report=report,
            error=error,
            known=[(name, descriptions[name]) for name in (report or {}).get("known", [])],
            **kwargs,
        )


class TemplateLanguageDocumentView(Permission, View):
    """Download a language version's stored letter, to edit it and upload it again.

    Stored documents have no public URL: whoever may edit the version may download it.
    """

    permission_required = "interactions.change_interactiontemplatelanguage"

    def get(self, request, template_pk, pk):
        version = get_object_or_404(
            InteractionTemplateLanguage.objects.select_related("template"),
            template_id=template_pk,
            pk=pk,
        )
        if not version.document:
            raise Http404(
                _("%(template)s in %(language)s has no document.")
                % {"template": version.template.code, "language": version.language}
            )
        try:
            stored = version.document.open("rb")
        except OSError:
            raise Http404(_("The document is missing from storage; upload it again.")) from None
        name = letters.safe_filename(f"{version.template.code}-{version.language}")
        return FileResponse(stored, as_attachment=True, filename=f"{name}.docx", content_type=DOCX)


class StarterDocumentView(Permission, View):
    """A ``.docx`` holding every merge field, in one of the site's languages."""

    permission_required = "interactions.view_interactiontemplate"

    def get(self, request, language):
        if language not in dict(settings.LANGUAGES):
            raise Http404(
                _("There is no starter document in %(language)s.") % {"language": language}
            )
        response = HttpResponse(letters.starter_document(language), content_type=DOCX)
        response["Content-Disposition"] = f'attachment; filename="starter-document-{language}.docx"'
        return response


class GroupListView(Permission, ListView):
    permission_required = "interactions.view_interactiongroup"
    template_name = "interactions/group_list.html"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return InteractionGroup.objects.annotate(template_count=Count("templates")).order_by("code")


class GroupCreateView(Permission, SuccessMessageMixin, CreateView):
    permission_required = "interactions.add_interactiongroup"
    model = InteractionGroup
    form_class = InteractionGroupForm
    template_name = "interactions/form.html"
    success_url = reverse_lazy("interactions:group-list")
    success_message = gettext_lazy("Interaction group %(code)s has been created.")
    extra_context = {"title": gettext_lazy("New interaction group"), "back_url": success_url}


class GroupUpdateView(Permission, SuccessMessageMixin, UpdateView):
    permission_required = "interactions.change_interactiongroup"
    model = InteractionGroup
    form_class = InteractionGroupForm
    template_name = "interactions/form.html"
    success_url = reverse_lazy("interactions:group-list")
    success_message = gettext_lazy("Interaction group %(code)s has been saved.")
    extra_context = {"title": gettext_lazy("Edit interaction group"), "back_url": success_url}
