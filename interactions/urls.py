from django.urls import path
from django.views.generic import DetailView

from .models import InteractionLogEntry, InteractionTemplate, LoggedSegment

app_name = "interactions"

urlpatterns = [
    path(
        "templates/<int:pk>/",
        DetailView.as_view(model=InteractionTemplate),
        name="template-detail",
    ),
    path(
        "logged-segments/<int:pk>/",
        DetailView.as_view(model=LoggedSegment),
        name="logged-segment-detail",
    ),
    path("entries/<int:pk>/", DetailView.as_view(model=InteractionLogEntry), name="entry-detail"),
]
