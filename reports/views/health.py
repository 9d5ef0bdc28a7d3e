"""The load balancer's health check: this app server can reach the database and write
to MEDIA_ROOT (published PDFs, the PDF cache). No login, and nothing but ok or error
per check, so that it tells an outsider nothing."""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        logger.warning("health check: database unreachable", exc_info=True)
        return False


def _media_ok() -> bool:
    # Unbuffered writes on a file descriptor: on a full disk the write itself fails,
    # and the probe is removed whatever happened.
    try:
        fd, name = tempfile.mkstemp(dir=settings.MEDIA_ROOT, prefix=".health-")
    except OSError:
        logger.warning("health check: MEDIA_ROOT not writable", exc_info=True)
        return False
    try:
        os.write(fd, b"ok")
        return True
    except OSError:
        logger.warning("health check: MEDIA_ROOT full or not writable", exc_info=True)
        return False
    finally:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(name)


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database_ok(), "media": _media_ok()}
    body = {name: "ok" if ok else "error" for name, ok in checks.items()}
    return JsonResponse(body, status=200 if all(checks.values()) else 503)
