from django.urls import path

from .views import criteria, labels, letters, lines, posting, saved_criteria, worksheet

app_name = "segments"

line = "<int:pk>/lines/<int:line>/"

urlpatterns = [
    path("", worksheet.SegmentListView.as_view(), name="segment-list"),
    path("new/", worksheet.SegmentCreateView.as_view(), name="segment-create"),
    path(
        "new/from-contacts/",
        worksheet.SegmentFromContactsView.as_view(),
        name="segment-from-contacts",
    ),
    path("<int:pk>/", worksheet.SegmentDetailView.as_view(), name="segment-detail"),
    path("<int:pk>/header/", worksheet.SegmentHeaderView.as_view(), name="segment-header"),
    path("<int:pk>/delete/", worksheet.SegmentDeleteView.as_view(), name="segment-delete"),
    path("<int:pk>/columns/", worksheet.WorksheetColumnsView.as_view(), name="worksheet-columns"),
    path("<int:pk>/lines/add/", lines.LineAddView.as_view(), name="line-add"),
    path(line, lines.LineRowView.as_view(), name="line-row"),
    path(f"{line}edit/<str:field>/", lines.LineEditView.as_view(), name="line-edit"),
    path(f"{line}reset/<str:field>/", lines.LineResetView.as_view(), name="line-reset"),
    path(f"{line}remove/", lines.LineRemoveView.as_view(), name="line-remove"),
    path(f"{line}letter/", letters.LineLetterView.as_view(), name="line-letter"),
    path(f"{line}note/", letters.LineNoteView.as_view(), name="line-note"),
    path(f"{line}document/", letters.LineDocumentView.as_view(), name="line-document"),
    path(
        f"{line}document/remove/",
        letters.LineDocumentRemoveView.as_view(),
        name="line-document-remove",
    ),
    path(f"{line}preview/", letters.LinePreviewView.as_view(), name="line-preview"),
    path("contacts/search/", lines.ContactSearchView.as_view(), name="contact-search"),
    path("<int:pk>/criteria/<str:action>/", criteria.CriteriaView.as_view(), name="criteria"),
    path(
        "<int:pk>/criteria/<str:action>/preview/",
        criteria.CriteriaPreviewView.as_view(),
        name="criteria-preview",
    ),
    path("<int:pk>/go-back/", criteria.GoBackView.as_view(), name="go-back"),
    path("<int:pk>/save-criteria/", criteria.SaveCriteriaView.as_view(), name="save-criteria"),
    path("<int:pk>/reuse-criteria/", criteria.ReuseCriteriaView.as_view(), name="reuse-criteria"),
    path(
        "<int:pk>/reuse-logged-segment/",
        criteria.ReuseLoggedSegmentView.as_view(),
        name="reuse-logged-segment",
    ),
    path(
        "<int:pk>/mailing-group/",
        criteria.ApplyMailingGroupView.as_view(),
        name="apply-mailing-group",
    ),
    path("<int:pk>/export/", letters.ExportView.as_view(), name="export"),
    path("<int:pk>/letters/", letters.LettersView.as_view(), name="letters"),
    path("<int:pk>/labels/", labels.SegmentLabelsView.as_view(), name="labels"),
    path(
        "<int:pk>/letters/<str:kind>/",
        letters.LettersDownloadView.as_view(),
        name="letters-download",
    ),
    path("<int:pk>/log/", posting.LogSegmentView.as_view(), name="log"),
    path(
        "<int:pk>/remove-refused-lines/",
        posting.RemoveRefusedLinesView.as_view(),
        name="remove-refused-lines",
    ),
    path(
        "saved-criteria/",
        saved_criteria.SavedCriteriaListView.as_view(),
        name="saved-criteria-list",
    ),
    path(
        "saved-criteria/<int:pk>/",
        saved_criteria.SavedCriteriaDetailView.as_view(),
        name="saved-criteria-detail",
    ),
    path(
        "saved-criteria/<int:pk>/delete/",
        saved_criteria.SavedCriteriaDeleteView.as_view(),
        name="saved-criteria-delete",
    ),
    path(
        "logged-segments/<int:pk>/follow-up/",
        posting.FollowUpSegmentView.as_view(),
        name="logged-segment-follow-up",
    ),
]
