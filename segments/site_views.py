"""Pages that span the three apps: the home page, the contact card, the contact list's
mailing labels.

They live in ``segments``, the highest app they read from, so that ``crm`` imports
neither of the others; the site URL conf (``crm/urls.py``) mounts them under the ``crm``
namespace, where their paths and names have always been.
"""

from django.db.models import Prefetch, Q
from django.shortcuts import render

from crm.filters import ContactFilter
from crm.models import Contact
from crm.views import CARD_ROWS, ContactDetailView, ContactPermission
from interactions.forms import StatisticsForm
from interactions.models import (
    Campaign,
    CampaignStatus,
    InteractionDraft,
    InteractionLogEntry,
    InteractionNote,
    LoggedSegment,
)
from interactions.selectors import contact_statistics
from jobs.models import Job

from .labels_page import LabelsPage
from .models import Segment
from .selectors import recent_segments

#: How many of the user's drafts and running jobs the home page lists.
HOME_ROWS = 5


def home(request):
    """The user's start: "New segment", their recent segments, drafts and running jobs,
    and the figures their role may see; a user without a role sees none of them."""
    user = request.user
    context = {}
    if user.has_perm("crm.view_contact"):
        contacts = Contact.objects.all()
        context["contact_count"] = contacts.count()
        context["company_count"] = contacts.companies().count()
    if user.has_perm("segments.view_segment"):
        context["segment_count"] = Segment.objects.count()
        context["recent_segments"] = list(recent_segments(user))
    if user.has_perm("interactions.view_loggedsegment"):
        context["logged_count"] = LoggedSegment.objects.count()
    if user.has_perm("interactions.view_interactiondraft"):
        context["drafts"] = list(
            InteractionDraft.objects.filter(created_by=user).select_related("contact", "template")[
                :HOME_ROWS
            ]
        )
    context["has_figures"] = bool(context)
    # Every user's own background work, whatever their role (jobs.visible_jobs).
    context["running_jobs"] = list(
        Job.objects.filter(created_by=user, state__in=Job.ACTIVE).order_by("-created_at", "-pk")[
            :HOME_ROWS
        ]
    )
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


class ContactCardView(ContactDetailView):
    """The contact card: the contact's own data, its interactions and its segments."""

    def get_context_data(self, **kwargs):
        contact = self.object
        context = super().get_context_data(**kwargs)
        if contact.is_company:
            entries = InteractionLogEntry.objects.filter(
                Q(contact=contact) | Q(contact_company=contact)
            )
        else:
            entries = InteractionLogEntry.objects.filter(contact=contact)
        entries = (
            entries.select_related("template", "salesperson")
            .prefetch_related(_entry_notes())
            .order_by("-date", "-entry_no")
        )
        context.update(**_interaction_context(self.request, contact))
        context.update(
            entries=entries[:CARD_ROWS],
            entry_count=entries.count(),
            # Campaigns that target the contact: "Log response" prefilled for each (SPEC 8).
            campaigns=Campaign.objects.filter(
                interaction_entries__contact=contact,
                interaction_entries__campaign_target=True,
                interaction_entries__canceled=False,
            )
            .exclude(status=CampaignStatus.COMPLETED)
            .distinct()
            .order_by("-no")[:CARD_ROWS],
            segments=Segment.objects.filter(lines__contact=contact)
            .select_related("salesperson")
            .distinct()
            .order_by("-no"),
        )
        return context


class ContactLabelsView(ContactPermission, LabelsPage):
    """One label per contact of the contact list's current filter, in the list's order."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.filterset = ContactFilter(request.GET, queryset=Contact.objects.all())

    def rows(self):
        # An invalid filter gives no labels, as the list shows no contacts.
        return self.filterset.qs if self.filterset.is_valid() else Contact.objects.none()

    def get_context_data(self, **kwargs):
        # The filter travels with the form as hidden fields (a GET form drops the query).
        own = {"label_format", "sender"}
        kept = [
            (name, value)
            for name, values in self.request.GET.lists()
            if name not in own and name != "page"
            for value in values
        ]
        return super().get_context_data(filter_params=kept, filterset=self.filterset, **kwargs)
