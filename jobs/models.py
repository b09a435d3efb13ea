"""The generic background job: what, for whom, how far, and how it ended."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    """A long operation run by a task worker: what, for whom, how far, and how it ended.

    The task writes it a bounded number of times (start, every few percent, end); an
    active job on a target (a segment number) locks that target against edits.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    ACTIVE = (State.QUEUED, State.RUNNING)

    kind = models.CharField(_("kind"), max_length=40)
    description = models.CharField(_("description"), max_length=200)
    target = models.CharField(_("target"), max_length=20, blank=True)
    task_path = models.CharField(_("task"), max_length=200)
    arguments = models.JSONField(_("arguments"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    done = models.PositiveBigIntegerField(_("done"), default=0)
    total = models.PositiveBigIntegerField(_("total"), default=0)
    result = models.JSONField(_("result"), default=dict, blank=True)
    result_url = models.CharField(_("result link"), max_length=500, blank=True)
    file = models.FileField(_("result file"), upload_to="jobs/%Y/%m/", max_length=255, blank=True)
    error = models.TextField(_("error"), blank=True)
    task_result_id = models.CharField(_("task result id"), max_length=64, blank=True)
    retry_of = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="retries",
        verbose_name=_("retry of"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Moved by the running task's heartbeat thread and progress writes: a running job
    # whose heartbeat is older than JOB_HEARTBEAT_TIMEOUT_SECONDS has lost its worker.
    heartbeat_at = models.DateTimeField(_("last sign of life"), default=timezone.now)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        # The table and its constraint names are those it had in crm, kept on the move.
        db_table = "crm_job"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "heartbeat_at"], name="crm_job_state_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["queued", "running", "succeeded", "failed"]),
                name="crm_job_state_valid",
                violation_error_message=_("State must be queued, running, succeeded or failed."),
            ),
            # The lock: one active job per target, also when two start at once.
            models.UniqueConstraint(
                fields=["target"],
                condition=Q(state__in=["queued", "running"]) & ~Q(target=""),
                name="crm_job_one_active_per_target",
                violation_error_message=_("Another job is already working on this record."),
            ),
        ]

    def __str__(self):
        return f"{self.description} ({self.get_state_display()})"

    def get_absolute_url(self):
        return reverse("jobs:job-detail", args=[self.pk])

    @property
    def active(self) -> bool:
        return self.state in self.ACTIVE

    @property
    def percent(self) -> int:
        if self.state == self.State.SUCCEEDED:
            return 100
        return min(100, 100 * self.done // self.total) if self.total else 0
