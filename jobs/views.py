"""Job pages: a job's progress (polled by htmx), its result file, its retry; my jobs."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView

from . import services as jobs
from .models import Job

#: How often an open job page asks for fresh progress (htmx ``every``).
POLL = "1s"


class JobMixin:
    """Only the jobs the user may see; stale running jobs are failed first."""

    def get_queryset(self):
        jobs.fail_stale()
        return jobs.visible_jobs(self.request.user)


class JobListView(JobMixin, ListView):
    template_name = "jobs/job_list.html"
    context_object_name = "jobs"
    paginate_by = 25


class JobDetailView(JobMixin, DetailView):
    """The job with a progress bar; while it is active the bar polls its partial."""

    template_name = "jobs/job_detail.html"
    context_object_name = "job"

    def get_template_names(self):
        if self.request.htmx:
            return ["jobs/_progress.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["poll"] = POLL
        return context


class JobDownloadView(JobMixin, View):
    """The result file of a finished job (letters), streamed from storage."""

    def get(self, request, pk):
        job = get_object_or_404(self.get_queryset(), pk=pk)
        if job.state != Job.State.SUCCEEDED or not job.file:
            raise Http404(_("Job %(id)s has no result file.") % {"id": job.pk})
        try:
            handle = job.file.open("rb")
        except FileNotFoundError:
            raise Http404(
                _("The result file of job %(id)s is no longer stored.") % {"id": job.pk}
            ) from None
        return FileResponse(handle, as_attachment=True, filename=job.file.name.rsplit("/", 1)[-1])


class JobRetryView(JobMixin, View):
    """Start a failed job again; only its starter may, since it re-runs their work with
    their rights (an administrator sees every job but retries only their own)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        job = get_object_or_404(self.get_queryset().filter(created_by=request.user), pk=pk)
        try:
            retried = jobs.retry(job, user=request.user)
        except ValidationError as error:
            # JobError, or the work's own refusal (role lost, segment logged meanwhile).
            for message in error.messages:
                messages.error(request, message)
            return redirect(job)
        messages.success(
            request,
            _("Job %(id)s has been started again as job %(new)s.")
            % {"id": job.pk, "new": retried.pk},
        )
        return redirect(retried)
