"""Contact pages: the filterable contact list and the contact's own part of the card.

The home page and the card's interactions and segments read the higher apps, so they
live in ``segments.site_views``; the site URL conf mounts them under ``crm:``.
"""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.views.generic import DetailView
from django_filters.views import FilterView

from .filters import ContactFilter
from .models import Contact

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
        )
        return context
