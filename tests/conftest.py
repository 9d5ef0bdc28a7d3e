import hashlib
import os
import pickle
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pytest

from reports.models import Agency, Role, User

PASSWORD = "a-long-test-password-1"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2 is deliberately slow; tests create users by the hundred."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def no_pdf_prerendering(settings):
    """A save enqueues the rendering of the report's PDF (reports/printing/prerender.py);
    tests that run tasks in the request would render a PDF (~1 s) at every save. The
    tests of prerendering turn it back on."""
    settings.PRINT_PDF_PRERENDER = False


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: the public site's throttle counts anonymous
    requests there, and the tests of a run all come from 127.0.0.1."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session", autouse=True)
def media_root(tmp_path_factory):
    """Stored and cached files of the test run go to a directory of its own, never
    into the working tree. The cache of rendered PDFs is shared by every test of the
    run (per xdist worker): the same page is rendered once, whichever test asks;
    tests of the cache itself give it a directory of their own."""
    from django.conf import settings

    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    settings.PRINT_PDF_CACHE = tmp_path_factory.mktemp("pdf-cache")


def _run_dir(tmp_path_factory, worker_id: str, name: str) -> Path:
    """A directory of this test run shared by its xdist workers (each worker's basetemp
    is a directory of the run's own), so that what one worker builds the others read."""
    base = tmp_path_factory.getbasetemp()
    path = (base if worker_id == "master" else base.parent) / name
    path.mkdir(exist_ok=True)
    return path


def _cached(directory: Path, key: str, build):
    """``build()``'s result, pickled under ``key`` once per run. Written to a temporary
    name and renamed, so a worker never reads half a file; two workers that miss at the
    same moment both build it, which costs time but never a wrong result."""
    path = directory / f"{hashlib.sha256(key.encode()).hexdigest()[:24]}.pickle"
    if path.exists():
        return pickle.loads(path.read_bytes())
    value = build()
    partial = path.with_suffix(f".{os.getpid()}.part")
    partial.write_bytes(pickle.dumps(value))
    os.replace(partial, path)
    return value


@pytest.fixture(scope="session")
def published_file(tmp_path_factory, worker_id):
    """A published variant (``tests.variants``) as a file of one kind, made once per test
    run whichever worker and test ask for it first: a PDF costs WeasyPrint about a
    second, and the same files serve several test modules. Keyed by everything the
    variant says, so two variants of one name never share a file."""
    from tests import variants

    directory = _run_dir(tmp_path_factory, worker_id, "published-files")
    made: dict[str, tuple[bytes, str]] = {}

    def get(variant: "variants.Variant", fmt: str) -> tuple[bytes, str]:
        key = f"{fmt}:{variant!r}"
        if key not in made:
            made[key] = _cached(directory, key, lambda: variants.render(variant, fmt))
        return made[key]

    return get


@pytest.fixture(scope="session")
def published_reading(tmp_path_factory, worker_id, published_file):
    """What the reader makes of a published file, read once per test run (reading a
    PDF with pdfplumber costs about half a second)."""
    from reports.io.published.parse import parse_published

    directory = _run_dir(tmp_path_factory, worker_id, "published-readings")
    read: dict[str, object] = {}

    def get(variant, fmt: str):
        key = f"{fmt}:{variant!r}"
        if key not in read:
            read[key] = _cached(
                directory, key, lambda: parse_published(*published_file(variant, fmt))
            )
        return read[key]

    return get


@dataclass
class PrintedSeed:
    doc: dict
    html: str
    pdf: bytes

    @cached_property
    def page_texts(self) -> list[str]:
        from tests import pdf_checks

        return pdf_checks.page_texts(self.pdf)

    @cached_property
    def fonts(self) -> dict:
        from tests import pdf_checks

        return pdf_checks.embedded_fonts(self.pdf)

    @cached_property
    def tagged(self) -> tuple[list, list[dict]]:
        """The structure elements with their characters, and the untagged characters."""
        from tests import pdf_checks

        return pdf_checks.tagged_elements(self.pdf)


@pytest.fixture(scope="session")
def printed_seed():
    """Each seed's document (figures from its JSON, narrative from its published text)
    in the print layout, as HTML and as PDF: rendered once per test run (per xdist
    worker), since a PDF costs about a second."""
    from reports.io import codec
    from reports.printing import pdf
    from tests.seed_text import seed_doc

    printed: dict[int, PrintedSeed] = {}

    def get(index: int) -> PrintedSeed:
        if index not in printed:
            doc = codec.parse(seed_doc(index)).doc
            html = pdf.document_html(doc, pdf=True)
            printed[index] = PrintedSeed(doc, html, pdf.html_to_pdf(html))
        return printed[index]

    return get


@pytest.fixture
def agencies(db) -> dict[str, Agency]:
    """A small tree: a district government above two departments, and an unrelated one."""
    zhenhai = Agency.objects.create(name="宁波市镇海区人民政府", is_government=True)
    office = Agency.objects.create(name="宁波市镇海区人民政府办公室", parent=zhenhai)
    finance = Agency.objects.create(name="宁波市镇海区金融发展服务中心", parent=zhenhai)
    weidong = Agency.objects.create(name="卫东区金融工作局")
    return {"zhenhai": zhenhai, "office": office, "finance": finance, "weidong": weidong}


@pytest.fixture
def tree(agencies):
    """宁波市人民政府 above 镇海区 (moved under it) and 宁波市教育局; 镇海区 above its
    office and 金融发展服务中心."""
    city = Agency.objects.create(name="宁波市人民政府", is_government=True)
    zhenhai = agencies["zhenhai"]
    zhenhai.parent = city
    zhenhai.save()
    education = Agency.objects.create(name="宁波市教育局", parent=city)
    return {**agencies, "city": city, "education": education}


@pytest.fixture
def seed_agencies(agencies) -> dict[str, Agency]:
    """The agencies of the five seed reports (imports never create an agency), the
    small tree of ``agencies`` among them."""
    from tests.helpers import ensure_seed_agencies

    return {a.name: a for a in ensure_seed_agencies()}


def _user(username: str, role: str, agency: Agency) -> User:
    return User.objects.create_user(username, password=PASSWORD, role=role, agency=agency)


@pytest.fixture
def alice(agencies) -> User:
    """Clerk of 宁波市镇海区人民政府办公室."""
    return _user("alice", Role.CLERK, agencies["office"])


@pytest.fixture
def bob(agencies) -> User:
    """Reviewer of 宁波市镇海区人民政府办公室."""
    return _user("bob", Role.REVIEWER, agencies["office"])


@pytest.fixture
def carol(agencies) -> User:
    """Oversight at 宁波市镇海区人民政府, above alice's agency."""
    return _user("carol", Role.OVERSIGHT, agencies["zhenhai"])


@pytest.fixture
def mallory(agencies) -> User:
    """Clerk of an unrelated agency."""
    return _user("mallory", Role.CLERK, agencies["weidong"])


# --- a real browser -----------------------------------------------------------------

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never a browser Playwright downloads)."""
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests
    # make between browser steps are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server):
    """Pages of their own browser contexts (one per person signed in), each keeping the
    console's errors in ``page.console_errors``; all closed when the test ends."""
    contexts = []

    def make():
        context = browser.new_context(
            base_url=live_server.url, locale="zh-CN", viewport={"width": 1400, "height": 1000}
        )
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.console_errors = errors
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def login(page, user, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_selector("#whoami", state="attached")  # signed in, at the inbox (待办)


def screenshot(page, name: str) -> Path:
    """Keep a picture of what the test saw, for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
