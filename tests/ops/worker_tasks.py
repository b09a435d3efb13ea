"""A task for the worker tests: counts how often each job's task body runs."""

import os
import time

from django.db.models import F
from django.tasks import task

from jobs.models import Job


@task()
def count_run(job_id: int) -> int:
    """Add one to the job's ``done``; a slow body so that two workers overlap."""
    time.sleep(0.1)
    Job.objects.filter(pk=job_id).update(done=F("done") + 1)
    return os.getpid()
