from django.urls import path

from . import views

app_name = "crm"

urlpatterns = [
    path("", views.home, name="home"),
    path("contacts/", views.ContactListView.as_view(), name="contact-list"),
    path("contacts/<int:pk>/", views.ContactDetailView.as_view(), name="contact-detail"),
]
