"""The simulated people of the load benchmark (bench/load.py), as Locust users: clerks
working on their own drafts, oversight readers, anonymous public readers, and the
floor (a trivial signed-in page).

Everything a user learns about the site it reads from the pages, as a browser would:
the CSRF token and the ``version`` field from the editor's form, every other field of
the form as rendered. What the clerks saved (with the server's 302) is written to
``Plan.saves``, for bench/load.py to compare with the database afterwards.
"""

from __future__ import annotations

import itertools
import random
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import gevent
from locust import FastHttpUser, task

# (section, field, kind): the cell or text each page's save changes. The three tables
# (表三 is the largest form, 144 inputs) and a text page.
EDITS = (
    ("applications", "app_new_received_natural_person", "int"),
    ("active_disclosure", "ad_licensing", "int"),
    ("review_litigation", "rl_review_upheld", "int"),
    ("problems", "problems", "text"),
)


@dataclass
class Save:
    """One save a clerk saw succeed: ``value`` written to ``field`` of ``report`` over
    ``base_version``, the version of the form it came from."""

    report: int
    field: str
    value: str
    base_version: int


@dataclass
class Plan:
    """What the users of a run share: the accounts to sign in with and what they saw."""

    password: str = ""
    clerks: list[tuple[str, int]] = field(default_factory=list)  # (username, report pk)
    oversight: list[str] = field(default_factory=list)
    published: list[int] = field(default_factory=list)
    versions: dict[int, int] = field(default_factory=dict)  # of each draft, before the run
    saves: list[Save] = field(default_factory=list)
    # (X-PDF-Source, seconds from the save's answer to the download's request)
    pdf_sources: list[tuple[str, float]] = field(default_factory=list)
    signed_in: int = 0
    think: tuple[float, float] = (1.0, 3.0)
    # Users start at random moments within this many seconds after signing in, as people
    # do, rather than all saving in the same second.
    spread: float = 0.0
    # Off when the mix is measured without think time: a download right after the
    # save can only be rendered in the request, which bench/load.py does not measure.
    pdf_downloads: bool = True
    # Per clerk, across the phases of a run: every save writes a new value.
    counters: dict[str, itertools.count] = field(default_factory=dict)
    _next_clerk: itertools.count = field(default_factory=itertools.count)
    _next_oversight: itertools.count = field(default_factory=itertools.count)

    def clerk(self) -> tuple[str, int]:
        return self.clerks[next(self._next_clerk) % len(self.clerks)]

    def oversight_user(self) -> str:
        return self.oversight[next(self._next_oversight) % len(self.oversight)]


PLAN = Plan()


class Forms(HTMLParser):
    """The forms of a page with the values a browser would send (text inputs, hidden
    inputs, textareas, checked boxes, selected options; no buttons)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._textarea: list[str] | None = None
        self._select: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "fields": {}}
            self.forms.append(self._form)
            return
        if self._form is None or "name" not in a:
            return
        fields = self._form["fields"]
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            fields[a["name"]] = a.get("value", "on" if kind == "checkbox" else "")
        elif tag == "textarea":
            self._textarea = [a["name"], ""]
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            fields[self._select] = a.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None and self._form is not None:
            name, text = self._textarea
            # A browser drops the newline right after <textarea>.
            self._form["fields"][name] = text.removeprefix("\n")
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._form = None

    def with_field(self, name: str) -> dict[str, str]:
        return next(f["fields"] for f in self.forms if name in f["fields"])


def think() -> float:
    low, high = PLAN.think
    return random.uniform(low, high)


class SignedIn(FastHttpUser):
    """A user who signs in through the login form first."""

    abstract = True
    wait_time = staticmethod(think)  # type: ignore[assignment]

    def sign_in(self, username: str) -> None:
        page = self.client.get("/accounts/login/", name="login")
        token = Forms(page.text).with_field("username")["csrfmiddlewaretoken"]
        data = {"username": username, "password": PLAN.password, "csrfmiddlewaretoken": token}
        with self.client.post(
            "/accounts/login/", data=data, name="login", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302:
                response.failure(f"{username} not signed in: {response.status_code}")
                raise RuntimeError(f"{username} could not sign in")
        PLAN.signed_in += 1
        gevent.sleep(random.uniform(0, PLAN.spread))


class Clerk(SignedIn):
    """A clerk on their own draft: inbox, report page, a section's editor, a save of
    one changed value through the form, the editor again, the PDF, the list."""

    def on_start(self) -> None:
        self.username, self.report = PLAN.clerk()
        self.sign_in(self.username)
        self.edits = itertools.cycle(EDITS)
        self.counter = PLAN.counters.setdefault(self.username, itertools.count(1))

    @task
    def work_on_the_report(self) -> None:
        pk = self.report
        self.client.get("/", name="inbox")
        self.wait()
        self.client.get(f"/reports/{pk}/", name="report page")
        self.wait()
        section, name, kind = next(self.edits)
        url = f"/reports/{pk}/edit/{section}/"
        form = Forms(self.client.get(url, name="section editor").text).with_field("version")
        self.wait()  # typing
        n = next(self.counter)
        value = str(n) if kind == "int" else f"{self.username}第{n}次修改：加强政务公开工作。"
        data = {**form, name: value}
        with self.client.post(
            url, data=data, name="save section", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302:
                response.failure(f"save refused: {response.status_code}")
                return
            PLAN.saves.append(Save(pk, name, value, int(form["version"])))
        saved_at = time.monotonic()
        self.client.get(url, name="section editor")  # where the save redirects
        if PLAN.pdf_downloads:
            self.wait()
            gap = time.monotonic() - saved_at
            with self.client.get(
                f"/reports/{pk}/report.pdf", name="PDF after a save", catch_response=True
            ) as response:
                if not response.content.startswith(b"%PDF"):
                    response.failure("not a PDF")
                else:
                    source = response.headers.get("X-PDF-Source", "")
                    PLAN.pdf_sources.append((source, gap))
        self.wait()
        self.client.get("/reports/", name="report list")


class Oversight(SignedIn):
    """An oversight office following its region: the home page and the roll-up."""

    def on_start(self) -> None:
        self.sign_in(PLAN.oversight_user())

    @task(2)
    def home(self) -> None:
        self.client.get("/oversight/", name="oversight home")

    @task(1)
    def rollup(self) -> None:
        self.client.get("/oversight/rollup/", name="roll-up")


class PublicReader(FastHttpUser):
    """Anyone reading the published reports: the list, then a report."""

    wait_time = staticmethod(think)  # type: ignore[assignment]

    def on_start(self) -> None:
        gevent.sleep(random.uniform(0, PLAN.spread))

    @task
    def read(self) -> None:
        self.client.get("/public/", name="public list")
        self.wait()
        pk = random.choice(PLAN.published)
        self.client.get(f"/public/{pk}/", name="public report")


class Floor(SignedIn):
    """The floor: a clerk requesting the trivial signed-in page (bench/floor.py)."""

    def on_start(self) -> None:
        self.sign_in(PLAN.clerk()[0])

    @task
    def trivial_page(self) -> None:
        self.client.get("/bench/trivial-page/", name="trivial signed-in page")
