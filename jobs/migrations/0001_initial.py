"""Job moves from crm to its own app: the model state only; the table crm_job stays.

crm's 0004 removes the model from crm's state after this one adds it here. The content
type follows the model, so existing permissions and admin history point at jobs.Job.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label="jobs", model="job").exists():
        ContentType.objects.using(db).filter(app_label="crm", model="job").update(
            app_label="jobs"
        )


def restore_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label="crm", model="job").exists():
        ContentType.objects.using(db).filter(app_label="jobs", model="job").update(
            app_label="crm"
        )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("crm", "0003_company_protects_members"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Job",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("kind", models.CharField(max_length=40, verbose_name="kind")),
                        ("description", models.CharField(max_length=200, verbose_name="description")),
                        ("target", models.CharField(blank=True, max_length=20, verbose_name="target")),
                        ("task_path", models.CharField(max_length=200, verbose_name="task")),
                        ("arguments", models.JSONField(blank=True, default=dict, verbose_name="arguments")),
                        (
                            "state",
                            models.CharField(
                                choices=[
                                    ("queued", "Queued"),
                                    ("running", "Running"),
                                    ("succeeded", "Succeeded"),
                                    ("failed", "Failed"),
                                ],
                                default="queued",
                                max_length=10,
                                verbose_name="state",
                            ),
                        ),
                        ("done", models.PositiveBigIntegerField(default=0, verbose_name="done")),
                        ("total", models.PositiveBigIntegerField(default=0, verbose_name="total")),
                        ("result", models.JSONField(blank=True, default=dict, verbose_name="result")),
                        (
                            "result_url",
                            models.CharField(blank=True, max_length=500, verbose_name="result link"),
                        ),
                        (
                            "file",
                            models.FileField(
                                blank=True,
                                max_length=255,
                                upload_to="jobs/%Y/%m/",
                                verbose_name="result file",
                            ),
                        ),
                        ("error", models.TextField(blank=True, verbose_name="error")),
                        (
                            "task_result_id",
                            models.CharField(blank=True, max_length=64, verbose_name="task result id"),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, editable=False, verbose_name="created at"
                            ),
                        ),
                        (
                            "started_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="started at"),
                        ),
                        (
                            "finished_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="finished at"),
                        ),
                        (
                            "heartbeat_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="last sign of life"
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="created by",
                            ),
                        ),
                        (
                            "retry_of",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="retries",
                                to="jobs.job",
                                verbose_name="retry of",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "job",
                        "verbose_name_plural": "jobs",
                        "db_table": "crm_job",
                        "ordering": ["-created_at", "-pk"],
                        "indexes": [
                            models.Index(fields=["state", "heartbeat_at"], name="crm_job_state_idx")
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("state__in", ["queued", "running", "succeeded", "failed"])
                                ),
                                name="crm_job_state_valid",
                                violation_error_message="State must be queued, running, succeeded or failed.",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(
                                    ("state__in", ["queued", "running"]),
                                    models.Q(("target", ""), _negated=True),
                                ),
                                fields=("target",),
                                name="crm_job_one_active_per_target",
                                violation_error_message="Another job is already working on this record.",
                            ),
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_type, restore_content_type),
    ]
