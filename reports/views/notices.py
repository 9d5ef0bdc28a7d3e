"""消息: a person's notices, newest first; opening one marks it read and goes to the
page to act on."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from reports.models import Notice
from reports.views.http import AuthedRequest

PAGE_SIZE = 30


def unread_count(request: HttpRequest) -> dict:
    """The number of unread notices in the navigation bar (a context processor),
    counted only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notices": SimpleLazyObject(lambda: Notice.objects.for_user(user).unread().count())
    }


@login_required
@require_safe
def notice_list(request: AuthedRequest) -> HttpResponse:
    notices = Notice.objects.for_user(request.user).select_related("sender")
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reports/notices.html", {"page": page})


@login_required
@require_POST
def notice_open(request: AuthedRequest, pk: int) -> HttpResponse:
    # Another person's notice does not exist for this user.
    notice = get_object_or_404(Notice.objects.for_user(request.user), pk=pk)
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    if url_has_allowed_host_and_scheme(notice.url, allowed_hosts=None):
        return redirect(notice.url)
    return redirect("reports:notices")


@login_required
@require_POST
def notice_read_all(request: AuthedRequest) -> HttpResponse:
    count = Notice.objects.for_user(request.user).mark_read()
    messages.success(request, f"已将{count}条消息标为已读。")
    return redirect("reports:notices")
