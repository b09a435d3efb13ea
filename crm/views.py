"""Contact pages: the home page, the filterable contact list and the contact card."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import Prefetch, Q
from django.shortcuts import render
from django.views.generic import DetailView
from django_filters.views import FilterView

from interactions.forms import StatisticsForm
from interactions.models import (
    InteractionDraft,
    InteractionLogEntry,
    InteractionNote,
    LoggedSegment,
)
from interactions.selectors import contact_statistics
from segments.models import Segment

from .filters import ContactFilter
from .models import Contact

# How many of a contact's colleagues and interaction log entries the card shows.
CARD_ROWS = 50


def home(request):
    """The figures the user's role may see; a user without a role sees none of them."""
    user = request.user
    context = {}
    if user.has_perm("crm.view_contact"):
        contacts = Contact.objects.all()
        context["contact_count"] = contacts.count()
        context["company_count"] = contacts.companies().count()
    if user.has_perm("segments.view_segment"):
        context["segment_count"] = Segment.objects.count()
    if user.has_perm("interactions.view_loggedsegment"):
        context["logged_count"] = LoggedSegment.objects.count()
    context["has_figures"] = bool(context)
    return render(request, "home.html", context)


def _entry_notes() -> Prefetch:
    """Each entry's notes, oldest first, in one query for the whole page."""
    return Prefetch(
        "notes", queryset=InteractionNote.objects.select_related("created_by").order_by("pk")
    )


def _interaction_context(request, contact: Contact) -> dict:
    """The card's single-interaction parts (SPEC 7): figures for a date range, drafts."""
    form = StatisticsForm(request.GET or None, prefix="stats")
    dates = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return {
        "statistics_form": form,
        "statistics": contact_statistics(
            contact, date_from=dates.get("date_from"), date_to=dates.get("date_to")
        ),
        "drafts": InteractionDraft.objects.filter(contact=contact).select_related(
            "template", "created_by"
        ),
    }


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


class ContactDetailView(ContactPermission, DetailView):
    """The contact card: its company or persons, its interactions and segments."""

    template_name = "crm/contact_detail.html"
    queryset = Contact.objects.select_related("company", "salutation", "salesperson", "territory")

    def get_context_data(self, **kwargs):
        contact = self.object
        context = super().get_context_data(**kwargs)
        if contact.is_company:
            members = contact.members.exclude(pk=contact.pk).order_by("name", "pk")
            entries = InteractionLogEntry.objects.filter(
                Q(contact=contact) | Q(contact_company=contact)
            )
        else:
            members = Contact.objects.none()
            entries = InteractionLogEntry.objects.filter(contact=contact)
        entries = (
            entries.select_related("template", "salesperson")
            .prefetch_related(_entry_notes())
            .order_by("-date", "-entry_no")
        )
        context.update(**_interaction_context(self.request, contact))
        context.update(
            members=members[:CARD_ROWS],
            member_count=members.count(),
            entries=entries[:CARD_ROWS],
            entry_count=entries.count(),
            segments=Segment.objects.filter(lines__contact=contact)
            .select_related("salesperson")
            .distinct()
            .order_by("-no"),
            card_rows=CARD_ROWS,
            mailing_groups=contact.mailing_groups.all(),
            job_responsibilities=contact.job_responsibilities.all(),
            industry_groups=contact.industry_groups.all(),
            business_relations=contact.business_relations.all(),
        )
        return context
