"""``/api/v1/`` (the resources), ``/api/schema/`` (OpenAPI 3.1) and ``/api/docs/``."""

from django.contrib.auth.decorators import login_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

app_name = "api"

segment = "v1/segments/<str:no>/"
logged = "v1/logged-segments/<int:entry_no>/"
entry = "v1/entries/<int:entry_no>/"
campaign = "v1/campaigns/<str:no>/"

urlpatterns = [
    path("v1/contacts/", views.ContactList.as_view(), name="contact-list"),
    path("v1/contacts/<str:no>/", views.ContactDetail.as_view(), name="contact-detail"),
    path("v1/segments/", views.SegmentList.as_view(), name="segment-list"),
    path(segment, views.SegmentDetail.as_view(), name="segment-detail"),
    path(f"{segment}lines/", views.LineList.as_view(), name="line-list"),
    path(f"{segment}lines/<int:line_no>/", views.LineDetail.as_view(), name="line-detail"),
    path(f"{segment}actions/", views.ActionList.as_view(), name="action-list"),
    path(f"{segment}add/", views.AddView.as_view(), name="segment-add"),
    path(f"{segment}reduce/", views.ReduceView.as_view(), name="segment-reduce"),
    path(f"{segment}refine/", views.RefineView.as_view(), name="segment-refine"),
    path(f"{segment}preview/", views.PreviewView.as_view(), name="segment-preview"),
    path(f"{segment}go-back/", views.GoBackView.as_view(), name="segment-go-back"),
    path(f"{segment}save-criteria/", views.SaveCriteriaView.as_view(), name="save-criteria"),
    path(f"{segment}reuse-criteria/", views.ReuseCriteriaView.as_view(), name="reuse-criteria"),
    path(f"{segment}log/", views.LogView.as_view(), name="segment-log"),
    path("v1/logged-segments/", views.LoggedSegmentList.as_view(), name="logged-segment-list"),
    path(logged, views.LoggedSegmentDetail.as_view(), name="logged-segment-detail"),
    path(f"{logged}cancel/", views.LoggedSegmentCancel.as_view(), name="logged-segment-cancel"),
    path(f"{logged}follow-up/", views.FollowUpView.as_view(), name="logged-segment-follow-up"),
    path("v1/entries/", views.EntryList.as_view(), name="entry-list"),
    path(entry, views.EntryDetail.as_view(), name="entry-detail"),
    path(f"{entry}letter/", views.EntryLetter.as_view(), name="entry-letter"),
    path(f"{entry}notes/", views.NoteList.as_view(), name="entry-notes"),
    path("v1/interactions/", views.InteractionCreate.as_view(), name="interaction-create"),
    path("v1/campaigns/", views.CampaignList.as_view(), name="campaign-list"),
    path(campaign, views.CampaignDetail.as_view(), name="campaign-detail"),
    path(f"{campaign}statistics/", views.CampaignStatistics.as_view(), name="campaign-statistics"),
    # The schema answers API clients (token or session).
    path(
        "schema/",
        SpectacularAPIView.as_view(),
        name="schema",
    ),
    # DRF exempts its views from LoginRequiredMiddleware; this page asks for the login.
    path(
        "docs/",
        login_required(
            SpectacularSwaggerSplitView.as_view(
                url_name="api:schema",
                # The page's few style rules come from a static file: the CSP refuses
                # drf-spectacular's inline <style>; the script is a URL of its own already.
                template_name="api/swagger_ui.html",
            )
        ),
        name="docs",
    ),
]
