"""PDFs ready before they are asked for.

Rendering a report's PDF costs WeasyPrint about half a second of a web worker, and a
clerk who saves usually looks at the PDF next. So after every save of a report that is
not published (published ones keep the PDF stored at publication), the django-tasks
worker renders the PDF into the store of rendered pages (``pdf.html_to_pdf``, keyed by
a digest of the page's HTML); the download then finds it there. A burst of saves (the
editor's autosave while a clerk types) is coalesced: each task waits
``PRINT_PDF_PRERENDER_DELAY`` seconds, and only the task of the report's newest version
renders; the others find a newer version and stop. A deliberate save (保存本部分) ends a
burst: saved ``without_delay()``, its PDF is rendered as soon as the worker is free,
since the clerk's next click is often 下载PDF, a second or two later (bench/load.py);
the autosaves' tasks before it then find a newer version. A download that comes before
the worker is done renders in the request, as without this module. Once a report is
published, the worker renders its accessible copy (PDF/UA) into the store likewise, so
that its first public reader does not wait for WeasyPrint.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import default_task_backend, task

from reports.models import Report, Status
from reports.printing import pdf

logger = logging.getLogger(__name__)

_undelayed: ContextVar[bool] = ContextVar("prerender_undelayed", default=False)


@contextmanager
def without_delay(active: bool = True) -> Iterator[None]:
    """Saves of reports inside this block have their PDF rendered without waiting
    ``PRINT_PDF_PRERENDER_DELAY`` for more saves (unless not ``active``)."""
    token = _undelayed.set(active)
    try:
        yield
    finally:
        _undelayed.reset(token)


@task()
def prerender_pdf(report_id: int, version: int) -> bool:
    """Render the PDF of ``report_id`` as of ``version`` into the store; False when
    there is nothing to do (a newer save has its own task, or the report is published
    or gone)."""
    report = Report.objects.select_related("agency").filter(pk=report_id).first()
    if report is None or report.version != version or report.status == Status.PUBLISHED:
        return False
    pdf.html_to_pdf(pdf.render_html(report, pdf=True))
    return True


def enqueue(report_id: int, version: int, delay: int | None = None) -> None:
    if delay is None:
        delay = settings.PRINT_PDF_PRERENDER_DELAY
    pending = prerender_pdf
    if delay > 0 and default_task_backend.supports_defer:
        pending = pending.using(run_after=timezone.now() + timedelta(seconds=delay))
    try:
        pending.enqueue(report_id, version)
    except Exception:
        # After the commit: the save stands; the download will render in the request.
        logger.exception("could not enqueue the PDF of report %s", report_id)


def after_save(sender: type, instance: Report, raw: bool = False, **kwargs: Any) -> None:
    """Receiver of ``post_save`` of ``Report``: once the save is committed, the worker
    renders the PDF of the version saved."""
    if raw or not settings.PRINT_PDF_PRERENDER or instance.status == Status.PUBLISHED:
        return
    report_id, version = instance.pk, instance.version
    delay = 0 if _undelayed.get() else None
    transaction.on_commit(lambda: enqueue(report_id, version, delay))


@task()
def prerender_accessible_pdf(report_id: int) -> bool:
    """Render the accessible PDF of a published report into the store; False when the
    report is gone or no longer published."""
    report = Report.objects.select_related("agency").filter(pk=report_id).first()
    if report is None or report.status != Status.PUBLISHED:
        return False
    pdf.accessible_pdf(report)
    return True


def after_publication(sender: type, report: Report, **kwargs: Any) -> None:
    """Receiver of ``workflow.report_published`` (sent once the publication committed)."""
    if not settings.PRINT_PDF_PRERENDER:
        return
    try:
        prerender_accessible_pdf.enqueue(report.pk)
    except Exception:
        logger.exception("could not enqueue the accessible PDF of report %s", report.pk)
