from django.urls import path

from . import views, views_followup

app_name = "segments"

line = "<int:pk>/lines/<int:line>/"

urlpatterns = [
    path("", views.SegmentListView.as_view(), name="segment-list"),
    path("new/", views.SegmentCreateView.as_view(), name="segment-create"),
    path("<int:pk>/", views.SegmentDetailView.as_view(), name="segment-detail"),
    path("<int:pk>/header/", views.SegmentHeaderView.as_view(), name="segment-header"),
    path("<int:pk>/delete/", views.SegmentDeleteView.as_view(), name="segment-delete"),
    path("<int:pk>/lines/add/", views.LineAddView.as_view(), name="line-add"),
    path(line, views.LineRowView.as_view(), name="line-row"),
    path(f"{line}edit/<str:field>/", views.LineEditView.as_view(), name="line-edit"),
    path(f"{line}reset/<str:field>/", views.LineResetView.as_view(), name="line-reset"),
    path(f"{line}remove/", views.LineRemoveView.as_view(), name="line-remove"),
    path(f"{line}letter/", views.LineLetterView.as_view(), name="line-letter"),
    path(f"{line}note/", views.LineNoteView.as_view(), name="line-note"),
    path(f"{line}document/", views.LineDocumentView.as_view(), name="line-document"),
    path(
        f"{line}document/remove/",
        views.LineDocumentRemoveView.as_view(),
        name="line-document-remove",
    ),
    path(f"{line}preview/", views.LinePreviewView.as_view(), name="line-preview"),
    path("contacts/search/", views.ContactSearchView.as_view(), name="contact-search"),
    path("<int:pk>/criteria/<str:action>/", views.CriteriaView.as_view(), name="criteria"),
    path(
        "<int:pk>/criteria/<str:action>/preview/",
        views.CriteriaPreviewView.as_view(),
        name="criteria-preview",
    ),
    path("<int:pk>/go-back/", views.GoBackView.as_view(), name="go-back"),
    path("<int:pk>/save-criteria/", views.SaveCriteriaView.as_view(), name="save-criteria"),
    path("<int:pk>/reuse-criteria/", views.ReuseCriteriaView.as_view(), name="reuse-criteria"),
    path(
        "<int:pk>/reuse-logged-segment/",
        views.ReuseLoggedSegmentView.as_view(),
        name="reuse-logged-segment",
    ),
    path(
        "<int:pk>/mailing-group/",
        views.ApplyMailingGroupView.as_view(),
        name="apply-mailing-group",
    ),
    path("<int:pk>/export/", views.ExportView.as_view(), name="export"),
    path("<int:pk>/letters/", views.LettersView.as_view(), name="letters"),
    path(
        "<int:pk>/letters/<str:kind>/",
        views.LettersDownloadView.as_view(),
        name="letters-download",
    ),
    path("<int:pk>/log/", views.LogSegmentView.as_view(), name="log"),
    path("saved-criteria/", views.SavedCriteriaListView.as_view(), name="saved-criteria-list"),
    path(
        "saved-criteria/<int:pk>/",
        views.SavedCriteriaDetailView.as_view(),
        name="saved-criteria-detail",
    ),
    path(
        "saved-criteria/<int:pk>/delete/",
        views.SavedCriteriaDeleteView.as_view(),
        name="saved-criteria-delete",
    ),
    path(
        "logged-segments/<int:pk>/follow-up/",
        views_followup.FollowUpSegmentView.as_view(),
        name="logged-segment-follow-up",
    ),
]
