"""What every view shares: the signed-in request, and sending files (one way to name
them and to say what they are)."""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any, cast

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import condition

from reports.models import Agency, User, access

View = Callable[..., HttpResponseBase]


class AuthedRequest(HttpRequest):
    """The request of a view behind ``login_required``: its user is signed in."""

    user: User


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "zip": "application/zip",
    "csv": "text/csv; charset=utf-8",
}


def oversight_scope_of(user: Any) -> Agency:
    """The agency whose subtree an oversight user follows; 403 for anybody else."""
    scope = access.oversight_scope(user)
    if scope is None:
        raise PermissionDenied("只有主管部门的用户可以查看本页面。")
    return scope


def attachment(data: bytes, filename: str) -> FileResponse:
    """``data`` as a download called ``filename`` (a Chinese name is sent the way every
    browser reads it, RFC 6266's ``filename*``); the extension says the content type."""
    extension = filename.rsplit(".", 1)[-1].lower()
    return FileResponse(
        io.BytesIO(data),
        as_attachment=True,
        filename=filename,
        content_type=CONTENT_TYPES[extension],
    )


# --- the public site: cache headers and throttling -----------------------------------


def client_address(request: HttpRequest) -> str:
    """The client's address as the server saw it (behind a proxy, gunicorn's
    FORWARDED_ALLOW_IPS already put the client's address in REMOTE_ADDR)."""
    return str(request.META.get("REMOTE_ADDR", ""))


def throttled(request: HttpRequest) -> bool:
    """Whether an anonymous client has made more than PUBLIC_THROTTLE_REQUESTS requests
    in the current window (a fixed window per address, counted in Django's cache).
    Signed-in users are never throttled here: their pages are behind login."""
    if request.user.is_authenticated or settings.PUBLIC_THROTTLE_REQUESTS <= 0:
        return False
    window = settings.PUBLIC_THROTTLE_WINDOW
    key = f"public-throttle:{client_address(request)}:{int(time.time()) // window}"
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: this request opens a new window
        cache.set(key, 1, timeout=window + 1)
        count = 1
    return count > settings.PUBLIC_THROTTLE_REQUESTS


def too_many_requests(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        "请求过于频繁，请稍后再试。", status=429, content_type="text/plain; charset=utf-8"
    )
    response["Retry-After"] = str(settings.PUBLIC_THROTTLE_WINDOW)
    return response


LastModified = Callable[..., datetime | None]

# A public page kept in Django's cache no longer than this (its key names the last
# change, so it is never stale; the timeout only frees the memory), nor larger.
KEPT_SECONDS = 600
KEPT_BYTES = 1024 * 1024


def _bare(request: HttpRequest) -> bool:
    """A reader without a session or a message of ours (a crawler, a first visit): the
    page it gets is the same for every such reader, and may be kept for the next."""
    ours = {settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name}
    return not ours & set(request.COOKIES)


def _kept(view: View, tag: str) -> View:
    """``view``, its response kept in the cache under the page's ETag (which stands for
    the path, the query, the last change and the release): a region's 图解 at 150,000
    agencies takes 1.3 s to sum, and every new reader would pay it again."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        key = f"public-page:{tag}"
        response = cache.get(key)
        if response is not None:
            return response
        response = view(request, *args, **kwargs)
        small = isinstance(response, HttpResponse) and len(response.content) <= KEPT_BYTES
        if response.status_code == 200 and small:
            cache.set(key, response, timeout=KEPT_SECONDS)
        return response

    return cast(View, wrapped)


def public_page(last_modified: LastModified) -> Callable[[View], View]:
    """A view of the public site: anonymous clients are throttled and get a response a
    shared cache may keep (Cache-Control public, ETag and Last-Modified from
    ``last_modified(request, *args)``, 304 when unchanged, computed without rendering);
    a signed-in user's copy (it carries their name in the menu) is private."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.user.is_authenticated:
                response = view(request, *args, **kwargs)
                patch_cache_control(response, private=True, no_cache=True)
                return response
            if throttled(request):
                return too_many_requests(request)
            # Asked once for both headers.
            changed = last_modified(request, *args, **kwargs)
            stamp = changed.isoformat() if changed else "-"
            key = f"{stamp}|{request.get_full_path()}|{settings.RELEASE}"
            tag = hashlib.sha256(key.encode()).hexdigest()[:32]
            conditional = condition(
                etag_func=lambda *a, **k: tag, last_modified_func=lambda *a, **k: changed
            )(_kept(view, tag) if _bare(request) else view)
            response = conditional(request, *args, **kwargs)
            if response.status_code in (200, 304):
                patch_cache_control(response, public=True, max_age=settings.PUBLIC_CACHE_SECONDS)
            patch_vary_headers(response, ["Cookie"])
            return response

        return cast(View, wrapped)

    return decorator
