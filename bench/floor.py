"""The floors every page is compared with, as a URLconf: the app's URLs plus a trivial
view and a trivial signed-in page. Free of side effects, so that both the in-process
benchmarks (``stack.URLCONF``) and the gunicorn of the load benchmark
(``bench/loadsettings.py``) can mount it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import include, path


def trivial(request: HttpRequest) -> HttpResponse:
    """The floor: a Django view doing nothing, through the same middleware."""
    return HttpResponse("ok")


@login_required
def trivial_page(request: HttpRequest) -> HttpResponse:
    """The floor of a signed-in page: session, user and the base template."""
    return render(request, "base.html", {})


urlpatterns = [
    path("bench/trivial/", trivial),
    path("bench/trivial-page/", trivial_page),
    path("", include("goireport.urls")),
]
