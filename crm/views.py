"""Contact pages."""

from django.shortcuts import render
from django.views.generic import DetailView, ListView

from .models import Contact


def home(request):
    return render(request, "home.html")


class ContactListView(ListView):
    model = Contact
    paginate_by = 50
    template_name = "crm/contact_list.html"


class ContactDetailView(DetailView):
    model = Contact
    template_name = "crm/contact_detail.html"
