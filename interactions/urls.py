from django.urls import path

from . import views

app_name = "interactions"

urlpatterns = [
    # Logged segments
    path("logged-segments/", views.LoggedSegmentListView.as_view(), name="logged-segment-list"),
    path(
        "logged-segments/<int:pk>/",
        views.LoggedSegmentDetailView.as_view(),
        name="logged-segment-detail",
    ),
    path(
        "logged-segments/<int:pk>/cancel/",
        views.LoggedSegmentCancelView.as_view(),
        name="logged-segment-cancel",
    ),
    path(
        "logged-segments/<int:pk>/print-batch/",
        views.PrintBatchView.as_view(),
        name="logged-segment-print-batch",
    ),
    path(
        "logged-segments/<int:pk>/delete/",
        views.DeleteCanceledLoggedSegmentsView.as_view(),
        name="logged-segment-delete",
    ),
    path(
        "logged-segments/delete-canceled/",
        views.DeleteCanceledLoggedSegmentsView.as_view(),
        name="logged-segment-delete-canceled",
    ),
    # Interaction log entries
    path("entries/", views.EntryListView.as_view(), name="entry-list"),
    path("entries/export/", views.EntryExportView.as_view(), name="entry-export"),
    path("entries/cancel/", views.EntryCancelView.as_view(), name="entry-cancel"),
    path("entries/<int:pk>/", views.EntryDetailView.as_view(), name="entry-detail"),
    path("entries/<int:pk>/letter/", views.EntryLetterView.as_view(), name="entry-letter"),
    path(
        "entries/<int:pk>/attachment/",
        views.EntryAttachmentView.as_view(),
        name="entry-attachment",
    ),
    path("entries/<int:pk>/note/", views.AddNoteView.as_view(), name="entry-add-note"),
    # Interactions with one contact
    path("log/", views.LogInteractionView.as_view(), name="log-interaction"),
    path("log/letter/", views.LetterPreviewView.as_view(), name="log-interaction-letter"),
    path("drafts/<int:pk>/delete/", views.DraftDeleteView.as_view(), name="draft-delete"),
    # Interaction templates, their language versions, groups
    path("templates/", views.TemplateListView.as_view(), name="template-list"),
    path("templates/new/", views.TemplateCreateView.as_view(), name="template-create"),
    path("templates/<int:pk>/", views.TemplateDetailView.as_view(), name="template-detail"),
    path("templates/<int:pk>/edit/", views.TemplateUpdateView.as_view(), name="template-update"),
    path("templates/<int:pk>/delete/", views.TemplateDeleteView.as_view(), name="template-delete"),
    path(
        "templates/<int:template_pk>/languages/new/",
        views.TemplateLanguageCreateView.as_view(),
        name="template-language-create",
    ),
    path(
        "templates/<int:template_pk>/languages/<int:pk>/edit/",
        views.TemplateLanguageUpdateView.as_view(),
        name="template-language-update",
    ),
    path(
        "templates/<int:template_pk>/languages/<int:pk>/delete/",
        views.TemplateLanguageDeleteView.as_view(),
        name="template-language-delete",
    ),
    path(
        "templates/<int:template_pk>/languages/<int:pk>/report/",
        views.TemplateLanguageReportView.as_view(),
        name="template-language-report",
    ),
    path(
        "templates/<int:template_pk>/languages/<int:pk>/document/",
        views.TemplateLanguageDocumentView.as_view(),
        name="template-language-document",
    ),
    path(
        "templates/starter-document/<str:language>/",
        views.StarterDocumentView.as_view(),
        name="starter-document",
    ),
    path("groups/", views.GroupListView.as_view(), name="group-list"),
    path("groups/new/", views.GroupCreateView.as_view(), name="group-create"),
    path("groups/<int:pk>/edit/", views.GroupUpdateView.as_view(), name="group-update"),
    # Statistics
    path("statistics/", views.StatisticsView.as_view(), name="statistics"),
]
