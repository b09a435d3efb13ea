from django.urls import path

from . import views as job_views

app_name = "jobs"

urlpatterns = [
    path("", job_views.JobListView.as_view(), name="job-list"),
    path("<int:pk>/", job_views.JobDetailView.as_view(), name="job-detail"),
    path("<int:pk>/download/", job_views.JobDownloadView.as_view(), name="job-download"),
    path("<int:pk>/retry/", job_views.JobRetryView.as_view(), name="job-retry"),
]
