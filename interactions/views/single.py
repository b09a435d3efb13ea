"""Interactions with one contact (SPEC 7): log one, drafts, notes, attachment, preview."""

from pathlib import PurePosixPath

from django.contrib import messages
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from crm.models import Contact

from .. import letters, services
from ..exceptions import InteractionError, LetterError
from ..forms import (
    InteractionNoteForm,
    LogInteractionForm,
)
from ..models import (
    InteractionDraft,
    InteractionLogEntry,
    InteractionTemplate,
)
from .base import DOCX, Permission, _form_errors, _next_url, entry_rows

LOG_PERMISSION = "interactions.log_interaction"
#: How many contacts the contact search of "Log interaction" lists.
CONTACT_MATCHES = 20


#: Query parameters that prefill the campaign fields: ?campaign=<id>&campaign_response=on.
CAMPAIGN_PREFILL = ("campaign", "campaign_target", "campaign_response")


def _draft_arguments(cleaned: dict) -> dict:
    """The form's values as a draft keeps them (a draft has no "deliver")."""
    return {name: value for name, value in cleaned.items() if name in services.DRAFT_FIELDS}


class LogInteractionView(Permission, FormView):
    """Log one interaction with one contact, or keep it as a draft to finish later.

    Without a contact the page searches for one (``?q=``); ``?draft=`` continues a draft;
    changing the template re-renders the form (htmx) with the template's defaults.
    """

    permission_required = LOG_PERMISSION
    form_class = LogInteractionForm
    template_name = "interactions/log_interaction.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        data = request.POST if request.method == "POST" else request.GET
        self.draft = None
        if data.get("draft", "").isdigit():
            self.draft = get_object_or_404(
                InteractionDraft.objects.select_related("contact", "template"),
                pk=data["draft"],
            )
        self.contact = self.draft.contact if self.draft else None
        if self.contact is None and data.get("contact", "").isdigit():
            self.contact = get_object_or_404(Contact, pk=data["contact"])

    def get_initial(self):
        initial = {}
        if self.draft is not None:
            initial = {name: getattr(self.draft, name) for name in services.DRAFT_FIELDS}
            initial["template"] = self.draft.template
        if self.request.GET.get("template"):
            # The template was changed (htmx): keep what was typed, show its defaults.
            for name in LogInteractionForm.base_fields:
                if name != "attachment" and name in self.request.GET:
                    initial[name] = self.request.GET[name]
        # "Log response" on a campaign page or the contact card (SPEC 8) comes prefilled.
        for name in CAMPAIGN_PREFILL:
            if name in self.request.GET:
                initial[name] = self.request.GET[name]
        return initial

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        template_key = self.request.GET.get("template") or (
            self.draft.template_id if self.draft else None
        )
        if template_key and str(template_key).isdigit():
            form.show_template_defaults(InteractionTemplate.objects.filter(pk=template_key).first())
        return form

    def get(self, request, *args, **kwargs):
        if self.contact is None:
            return self._search(request)
        return super().get(request, *args, **kwargs)

    def _search(self, request):
        query = request.GET.get("q", "").strip()
        matches = Contact.objects.none()
        if query:
            matches = Contact.objects.filter(
                Q(no__iexact=query) | Q(name__icontains=query) | Q(email__iexact=query)
            ).order_by("name", "pk")[:CONTACT_MATCHES]
        return self.render_to_response(
            {"contact": None, "query": query, "matches": matches, "view": self}
        )

    def post(self, request, *args, **kwargs):
        if self.contact is None:
            raise Http404(_("Choose a contact first."))
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        template = None
        form = context["form"]
        key = form["template"].value()
        if key and str(key).isdigit():
            template = InteractionTemplate.objects.filter(pk=key).first()
        letters_in = []
        if template is not None:
            letters_in = list(
                template.languages.exclude(document="").values_list("language", flat=True)
            )
        context.update(
            contact=self.contact,
            draft=self.draft,
            chosen_template=template,
            letters_in=letters_in,
            next=_next_url(self.request, self.contact.get_absolute_url()),
        )
        return context

    def form_valid(self, form):
        cleaned = dict(form.cleaned_data)
        user = self.request.user
        try:
            if self.request.POST.get("action") == "draft":
                draft = services.save_interaction_draft(
                    self.contact,
                    template=cleaned["template"],
                    user=user,
                    draft=self.draft,
                    attachment=cleaned["attachment"],
                    **_draft_arguments(cleaned),
                )
                messages.success(
                    self.request,
                    _("The interaction with %(contact)s is kept as a draft.")
                    % {"contact": draft.contact.name},
                )
                return redirect(_next_url(self.request, self.contact.get_absolute_url()))
            if self.draft is not None:
                if not cleaned["attachment"]:
                    cleaned.pop("attachment")
                entry = services.log_interaction_draft(self.draft, user=user, **cleaned)
            else:
                entry = services.log_interaction(self.contact, user=user, **cleaned)
        except InteractionError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Interaction log entry %(entry_no)s has been logged for %(contact)s.")
            % {"entry_no": entry.entry_no, "contact": entry.contact_name},
        )
        return redirect(_next_url(self.request, self.contact.get_absolute_url()))


class DraftDeleteView(Permission, View):
    """POST: throw a draft away."""

    permission_required = "interactions.delete_interactiondraft"
    http_method_names = ["post"]

    def post(self, request, pk):
        draft = get_object_or_404(InteractionDraft.objects.select_related("contact"), pk=pk)
        services.delete_interaction_draft(draft, user=request.user)
        messages.success(request, _("The draft has been deleted."))
        return redirect(_next_url(request, draft.contact.get_absolute_url()))


class AddNoteView(Permission, FormView):
    """Add a note to an entry: a comment, and where chosen a new evaluation or flag."""

    permission_required = "interactions.add_interactionnote"
    form_class = InteractionNoteForm
    template_name = "interactions/note_form.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.entry = get_object_or_404(entry_rows(), pk=kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            entry=self.entry,
            next=_next_url(self.request, self.entry.get_absolute_url()),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            services.add_interaction_note(self.entry, user=self.request.user, **form.cleaned_data)
        except InteractionError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("The note has been added to interaction log entry %(entry_no)s.")
            % {"entry_no": self.entry.entry_no},
        )
        return redirect(_next_url(self.request, self.entry.get_absolute_url()))


class EntryAttachmentView(Permission, View):
    """The file kept on an entry, for users who may see entries; never a public URL."""

    permission_required = "interactions.view_interactionlogentry"

    def get(self, request, pk):
        entry = get_object_or_404(InteractionLogEntry, pk=pk)
        if not entry.attachment:
            raise Http404(_("This interaction log entry has no attachment."))
        try:
            stored = entry.attachment.open("rb")
        except OSError:
            raise Http404(_("The attachment's file is missing.")) from None
        return FileResponse(
            stored,
            as_attachment=True,
            filename=PurePosixPath(entry.attachment.name).name,
            content_type="application/octet-stream",
        )


class LetterPreviewView(Permission, View):
    """GET: the letter "Log" would merge for the contact with the form's current values."""

    permission_required = LOG_PERMISSION

    def get(self, request):
        contact = get_object_or_404(Contact, pk=request.GET.get("contact") or 0)
        form = LogInteractionForm(request.GET)
        if not form.is_valid():
            return HttpResponse(_form_errors(form), status=400, content_type="text/plain")
        values = {
            name: value
            for name, value in form.cleaned_data.items()
            if name not in ("template", "attachment", "deliver", "attempt_failed", "evaluation")
        }
        try:
            letter = services.preview_interaction_letter(
                contact, template=form.cleaned_data["template"], user=request.user, **values
            )
        except (LetterError, OSError) as error:
            return HttpResponse(
                "; ".join(getattr(error, "messages", None) or [str(error)]),
                status=400,
                content_type="text/plain",
            )
        if letter is None:
            raise Http404(_("This template has no letter."))
        name = letters.safe_filename(f"{contact.no} {form.cleaned_data['template'].code}")
        return HttpResponse(
            letter,
            content_type=DOCX,
            headers={"Content-Disposition": f'attachment; filename="{name}.docx"'},
        )
