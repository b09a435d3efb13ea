from django.urls import path
from django.views.generic import DetailView

from . import views_followup
from .models import SavedCriteria, Segment

app_name = "segments"

urlpatterns = [
    path("<int:pk>/", DetailView.as_view(model=Segment), name="segment-detail"),
    path(
        "saved-criteria/<int:pk>/",
        DetailView.as_view(model=SavedCriteria),
        name="saved-criteria-detail",
    ),
    path(
        "logged-segments/<int:pk>/follow-up/",
        views_followup.FollowUpSegmentView.as_view(),
        name="logged-segment-follow-up",
    ),
]
