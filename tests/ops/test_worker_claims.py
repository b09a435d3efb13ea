"""Two real workers share one queue: every job runs exactly once (skip-locked claims)."""

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from jobs import services as jobs
from jobs.models import Job
from tests.factories import UserFactory

from .worker_tasks import count_run
from .workers import start_worker

JOBS = 40


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_run_each_of_n_jobs_exactly_once(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    user = UserFactory()
    with transaction.atomic():
        started = [
            jobs.start(
                kind="test.count",
                description=f"Count {n}",
                task=count_run,
                arguments={},
                user=user,
            )
            for n in range(JOBS)
        ]
    assert DBTaskResult.objects.filter(status="READY").count() == JOBS

    workers = [start_worker("--batch"), start_worker("--batch")]
    for worker in workers:
        output, _ = worker.communicate(timeout=60)
        assert worker.returncode == 0, output.decode()

    runs = dict(Job.objects.filter(pk__in=[job.pk for job in started]).values_list("pk", "done"))
    assert runs == {job.pk: 1 for job in started}
    results = DBTaskResult.objects.all()
    assert {row.status for row in results} == {"SUCCESSFUL"}
    assert all(len(row.worker_ids) == 1 for row in results)
    # Both workers took part: the queue really was shared.
    assert len({row.worker_ids[0] for row in results}) == 2
    assert len({row.return_value for row in results}) == 2
