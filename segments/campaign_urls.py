"""The campaign pages (SPEC 8), mounted by the site URL conf under ``campaigns/``."""

from django.urls import path

from . import campaign_views

app_name = "campaigns"

urlpatterns = [
    path("", campaign_views.CampaignListView.as_view(), name="campaign-list"),
    path("new/", campaign_views.CampaignCreateView.as_view(), name="campaign-create"),
    path("<int:pk>/", campaign_views.CampaignDetailView.as_view(), name="campaign-detail"),
    path("<int:pk>/edit/", campaign_views.CampaignUpdateView.as_view(), name="campaign-update"),
]
