"""Background jobs whose worker died (killed, out of memory, its machine gone) are
found by their missing heartbeat and queued again on their own task, or failed with a
message after ``BackgroundJob.MAX_ATTEMPTS`` runs. The job pages check the job they
show; ``manage.py recover_jobs`` (from cron, or when a worker host starts) checks all."""

from __future__ import annotations

from collections.abc import Callable

from reports.models import ExportJob, ImportJob
from reports.models.jobs import BackgroundJob
from reports.oversight.batch import run_import_job
from reports.oversight.exports import run_export_job

ENQUEUE: dict[type[BackgroundJob], Callable[[int], object]] = {
    ExportJob: run_export_job.enqueue,
    ImportJob: run_import_job.enqueue,
}


def recover_if_stale(job: BackgroundJob) -> None:
    """No query unless the job is stale: the job pages call it on every poll."""
    if job.is_stale():
        job.recover(ENQUEUE[type(job)])


def recover_stale_jobs() -> int:
    count = 0
    for model, enqueue in ENQUEUE.items():
        for job in model.objects.stale():
            job.recover(enqueue)
            count += 1
    return count
