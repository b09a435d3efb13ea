"""Contact pages: the filterable contact list and the contact's own part of the card.

The home page and the card's interactions and segments read the higher apps, so they
live in ``segments.site_views``; the site URL conf mounts them under ``crm:``.
"""

import io

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView
from django_filters.views import FilterView

from . import services
from .choices import ConsentChannel, ConsentSource
from .filters import ContactFilter
from .forms import ConsentForm, PreferencesForm
from .middleware import SESSION_KEY
from .models import Contact
from .services.time_zones import set_time_zone, time_zone_of

# How many of a contact's colleagues and interaction log entries the card shows.
CARD_ROWS = 50


class ContactPermission(PermissionRequiredMixin):
    """Contacts are for the marketing roles (SPEC 1): anyone else logged in gets 403."""

    permission_required = "crm.view_contact"
    raise_exception = True


class ContactListView(ContactPermission, FilterView):
    """Contacts filtered by the `contact` criteria source, the same filters segments use."""

    filterset_class = ContactFilter
    template_name = "crm/contact_list.html"
    paginate_by = 50
    # An invalid filter shows the form errors and no contacts, not every contact.
    strict = True

    def get_queryset(self):
        return Contact.objects.select_related("salesperson", "territory")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = context["filter"]
        # A segment is created from the filters only when at least one is chosen and valid.
        context["filtered"] = filterset.is_bound and (
            filterset.is_valid() and any(filterset.form.cleaned_data.values())
        )
        return context


class ContactDetailView(ContactPermission, DetailView):
    """The contact's own part of the card: its data, its company or persons, its groups."""

    template_name = "crm/contact_detail.html"
    queryset = Contact.objects.select_related("company", "salutation", "salesperson", "territory")

    def get_context_data(self, **kwargs):
        contact = self.object
        context = super().get_context_data(**kwargs)
        if contact.is_company:
            members = contact.members.exclude(pk=contact.pk).order_by("name", "pk")
        else:
            members = Contact.objects.none()
        context.update(
            members=members[:CARD_ROWS],
            member_count=members.count(),
            card_rows=CARD_ROWS,
            mailing_groups=contact.mailing_groups.all(),
            job_responsibilities=contact.job_responsibilities.all(),
            industry_groups=contact.industry_groups.all(),
            business_relations=contact.business_relations.all(),
            consent=consent_rows(contact),
        )
        return context


class EraseContactForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Why the contact is erased, e.g. the request it answers. Kept with the erasure "
            "record: write no personal data here."
        ),
    )


class ContactEraseView(PermissionRequiredMixin, FormView):
    """Erase a contact's personal data (SPEC 9): administrators, with a reason."""

    permission_required = "crm.erase_contact"
    raise_exception = True
    form_class = EraseContactForm
    template_name = "crm/contact_erase.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.contact = get_object_or_404(Contact, pk=kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(contact=self.contact, **kwargs)

    def form_valid(self, form):
        no = self.contact.no
        try:
            services.erase_contact(
                self.contact, user=self.request.user, reason=form.cleaned_data["reason"]
            )
        except services.ErasureError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Contact %(no)s has been erased.") % {"no": no})
        return redirect(self.contact)


class ContactDataExportView(PermissionRequiredMixin, View):
    """Download the subject access zip of a contact (SPEC 9)."""

    permission_required = "crm.export_contact_data"
    raise_exception = True

    def get(self, request, pk):
        contact = get_object_or_404(Contact, pk=pk)
        stream = io.BytesIO()
        services.export_contact_data(contact, stream)
        stream.seek(0)
        return FileResponse(stream, as_attachment=True, filename=f"{contact.no}-personal-data.zip")


def consent_rows(contact: Contact) -> list[dict]:
    """Per channel: its label, whether the contact opted out, and its history (one query)."""
    history = services.consent_history(contact)
    return [
        {
            "channel": channel.value,
            "label": channel.label,
            "opted_out": getattr(contact, channel.opt_out_field),
            "events": history[channel.value],
        }
        for channel in ConsentChannel
    ]


class ContactConsentView(PermissionRequiredMixin, FormView):
    """Change one channel's consent of a contact, with a reason (SPEC 9): both marketing
    roles (``crm.add_consentevent``); everyone else sees the card read-only."""

    permission_required = ("crm.view_contact", "crm.add_consentevent")
    raise_exception = True
    form_class = ConsentForm
    template_name = "crm/contact_consent.html"

    def dispatch(self, request, *args, **kwargs):
        self.contact = get_object_or_404(Contact, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        channel = self.request.GET.get("channel")
        if channel not in ConsentChannel.values:
            return {}
        opted_out = getattr(self.contact, ConsentChannel(channel).opt_out_field)
        return {"channel": channel, "granted": "yes" if opted_out else "no"}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            contact=self.contact, consent=consent_rows(self.contact), **kwargs
        )

    def form_valid(self, form):
        channel = ConsentChannel(form.cleaned_data["channel"])
        granted = form.cleaned_data["granted"] == "yes"
        services.set_consent(
            self.contact,
            channel=channel,
            granted=granted,
            source=ConsentSource.STAFF,
            user=self.request.user,
            note=form.cleaned_data["note"],
        )
        if granted:
            message = _("%(contact)s may be contacted by %(channel)s again.")
        else:
            message = _("%(contact)s has opted out of %(channel)s.")
        messages.success(
            self.request,
            message % {"contact": self.contact.name, "channel": str(channel.label).lower()},
        )
        return redirect(self.contact.get_absolute_url() + "#consent")


class MySettingsView(FormView):
    """The user's own settings (the user menu's My settings): their time zone. No role
    is needed, only login, as on every page."""

    template_name = "crm/my_settings.html"
    form_class = PreferencesForm

    def get_initial(self):
        return {"time_zone": time_zone_of(self.request.user)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(now_shown=timezone.now(), **kwargs)

    def form_valid(self, form):
        try:
            preferences = set_time_zone(self.request.user, time_zone=form.cleaned_data["time_zone"])
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
            return self.form_invalid(form)
        self.request.session[SESSION_KEY] = preferences.time_zone
        messages.success(self.request, _("Your settings have been saved."))
        return redirect("crm:my-settings")
