from django.urls import path
from django.views.generic import DetailView

from .models import SavedCriteria, Segment

app_name = "segments"

urlpatterns = [
    path("<int:pk>/", DetailView.as_view(model=Segment), name="segment-detail"),
    path(
        "saved-criteria/<int:pk>/",
        DetailView.as_view(model=SavedCriteria),
        name="saved-criteria-detail",
    ),
]
