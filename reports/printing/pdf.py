"""The finished report in the official print layout, as HTML and as PDF.

Both are made from the same template (templates/reports/print.html) fed by the one
rendering model (``render.render_document``), so the PDF and the HTML download never
disagree with the screen. WeasyPrint turns the HTML into the PDF; it is only allowed to
read the project's own static files and the cached font subsets (``SafeFetcher``), so a
URL or a path typed into a narrative can never be fetched.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import os
import tempfile
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string

from reports.models import Report, Status
from reports.printing import fonts
from reports.printing import render as rendering
from reports.spec import schema

logger = logging.getLogger(__name__)

PRINT_CSS = "reports/print.css"
# Characters per line of the title at 22 pt in the 156 mm text block.
TITLE_LINE_WIDTH = 20
PDFA_VARIANT = "pdf/a-3b"
# WeasyPrint identifies a file as one variant only (``pdf_variant`` is PDF/A or PDF/UA),
# so the accessible copy of a published report is a second file: PDF/UA-1, from the
# same HTML and tagged the same.
PDFUA_VARIANT = "pdf/ua-1"


class ForbiddenURL(ValueError):
    pass


def allowed_roots() -> list[Path]:
    """The only places WeasyPrint may read from: the project's static files and the
    font subset cache."""
    roots = [fonts.cache_dir()]
    for entry in settings.STATICFILES_DIRS:
        roots.append(Path(str(entry[1] if isinstance(entry, tuple) else entry)))
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT))
    return [r.resolve() for r in roots]


def check_url(url: str) -> Path:
    """The local file ``url`` names, if WeasyPrint may read it; ForbiddenURL otherwise."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        raise ForbiddenURL(f"refused to fetch {url!r}")
    path = Path(unquote(parts.path)).resolve()
    if not any(path.is_relative_to(root) for root in allowed_roots()):
        raise ForbiddenURL(f"refused to fetch {url!r}")
    return path


class SafeFetcher(weasyprint.urls.URLFetcher):
    """Refuses every URL but the project's own files; WeasyPrint then logs a warning
    and renders without the resource."""

    def fetch(self, url: str, headers: Any = None) -> Any:
        check_url(url)
        return super().fetch(url, headers)


def safe_fetcher() -> SafeFetcher:
    return SafeFetcher()


@cache
def print_css() -> str:
    path = finders.find(PRINT_CSS)
    assert isinstance(path, str), f"{PRINT_CSS} is missing from the static files"
    return Path(path).read_text(encoding="utf-8")


def _width(text: str) -> float:
    """Width in em: half-width characters (digits, Latin) count half."""
    return sum(0.5 if unicodedata.east_asian_width(ch) in "NaH" else 1.0 for ch in text)


def title_lines(title: str, agency: str = "", width: float = TITLE_LINE_WIDTH) -> list[str]:
    """A long title broken into balanced lines, as GB/T 9704 sets it: preferably after
    the agency name, else at the point that makes the lines most nearly equal."""
    title = title.strip()
    if _width(title) <= width:
        return [title] if title else []
    if agency and title.startswith(agency) and len(agency) < len(title):
        head, tail = title[: len(agency)], title[len(agency) :]
        if _width(head) <= width and _width(tail) <= width:
            return [head, tail]
    count = 2
    while _width(title) / count > width:
        count += 1
    lines: list[str] = []
    rest = title
    for remaining in range(count, 1, -1):
        target = _width(rest) / remaining
        best, best_gap = 1, float("inf")
        for cut in range(1, len(rest)):
            gap = abs(_width(rest[:cut]) - target)
            if gap < best_gap and _width(rest[:cut]) <= width:
                best, best_gap = cut, gap
        lines.append(rest[:best])
        rest = rest[best:]
    lines.append(rest)
    return lines


def document_context(doc: dict, pdf: bool) -> dict:
    """What print.html needs for any document: a report's, or a region's roll-up."""
    rendered = rendering.render_document(doc)
    css = print_css()
    if pdf:
        css = fonts.font_face_css() + "\n" + css
    return {
        "rendered": rendered,
        "title_lines": title_lines(rendered.title, doc.get("agency", "")),
        "year": doc.get("year"),
        "css": css,
        "pdf": pdf,
        "number_columns": schema.APPLICATION_COLUMNS,
    }


def render_html(report: Report, pdf: bool = False) -> str:
    """The print layout as one self-contained HTML page (styles inline)."""
    return document_html(report.document(), pdf)


def document_pdf(doc: dict) -> bytes:
    """The print layout of a document that is not a saved report (a roll-up)."""
    return html_to_pdf(document_html(doc, pdf=True))


def document_html(doc: dict, pdf: bool = False) -> str:
    """The print layout of any document as one self-contained HTML page."""
    return render_to_string("reports/print.html", document_context(doc, pdf))


def _cache_path(html: str, variant: str | None) -> Path:
    # The HTML names the font subset files, whose names carry a digest of their source
    # fonts: a changed font or WeasyPrint makes a new key.
    key = hashlib.sha256(
        f"{importlib.metadata.version('weasyprint')}|{variant}|{html}".encode()
    ).hexdigest()
    return Path(settings.PRINT_PDF_CACHE) / f"{key}.pdf"


def _store_in_cache(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    kept = sorted(path.parent.glob("*.pdf"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in kept[settings.PRINT_PDF_CACHE_SIZE :]:
        old.unlink(missing_ok=True)


def html_to_pdf(html: str, variant: str | None = None) -> bytes:
    """The PDF of ``html``. A clerk downloads the same unchanged draft again and again:
    the PDF of an identical page is kept (at most PRINT_PDF_CACHE_SIZE of them) and
    served without loading WeasyPrint at all."""
    return html_to_pdf_from_store(html, variant)[0]


def html_to_pdf_from_store(html: str, variant: str | None = None) -> tuple[bytes, bool]:
    """``html_to_pdf``, and whether the PDF came from the store (rendered before, e.g.
    by the worker after the last save: ``reports.printing.prerender``)."""
    cached = _cache_path(html, variant) if settings.PRINT_PDF_CACHE_SIZE > 0 else None
    if cached is not None and cached.exists():
        try:
            cached.touch()
            return cached.read_bytes(), True
        except OSError:  # gone meanwhile, or a read-only disk: render it
            pass
    data = _render_pdf_now(html, variant)
    if cached is not None:
        try:
            _store_in_cache(cached, data)
        except OSError:
            # A full or read-only MEDIA_ROOT costs the next download a rendering,
            # never this one its PDF.
            logger.warning("could not cache a rendered PDF in %s", cached.parent, exc_info=True)
    return data, False


def _render_pdf_now(html: str, variant: str | None) -> bytes:
    document = weasyprint.HTML(
        string=html,
        base_url=fonts.cache_dir().resolve().as_uri() + "/",
        url_fetcher=safe_fetcher(),
    )
    # Tagged: screen readers get headings, paragraphs and table structure.
    return document.write_pdf(pdf_variant=variant, pdf_tags=True)


def render_pdf(report: Report, variant: str | None = None) -> bytes:
    return html_to_pdf(render_html(report, pdf=True), variant)


def report_pdf(report: Report) -> bytes:
    """What a download serves: the stored PDF of a published report, never re-rendered,
    else the PDF of the current draft: from the store when it was rendered already
    (after its last save, by the worker), rendered now otherwise. A report published
    before its PDF was stored gets it stored now, once."""
    return report_pdf_from_store(report)[0]


def report_pdf_from_store(report: Report) -> tuple[bytes, bool]:
    """``report_pdf``, and whether it was served from the store (not rendered now)."""
    rendered_now = False
    if report.status == Status.PUBLISHED and not report.published_pdf:
        try:
            store_published_pdf(report)
        except PdfNotStored as failed:
            # Served as it would have been stored; stored on a later download.
            logger.warning("could not store the published PDF of report %s", report.pk)
            return failed.data, False
        rendered_now = True
    if report.published_pdf:
        try:
            with report.published_pdf.open("rb") as f:
                return f.read(), not rendered_now
        except OSError:
            # The stored file is unreadable (a lost volume): the same rendering of the
            # same published content, rather than no PDF.
            logger.exception("stored PDF of report %s unreadable", report.pk)
            return render_pdf(report, PDFA_VARIANT), False
    return html_to_pdf_from_store(render_html(report, pdf=True))


def accessible_pdf(report: Report) -> bytes:
    """A published report as PDF/UA-1, beside its stored PDF/A-3b archive. The same
    page, so the same bytes every time: kept in the PDF store by a digest of its HTML
    (the worker puts it there after publication, ``prerender``) rather than in the
    database, and rendered again only if the store dropped it."""
    return accessible_pdf_from_store(report)[0]


def accessible_pdf_from_store(report: Report) -> tuple[bytes, bool]:
    """``accessible_pdf``, and whether it came from the store."""
    if report.status != Status.PUBLISHED:
        raise ValueError(f"report {report.pk} is not published")
    return html_to_pdf_from_store(render_html(report, pdf=True), PDFUA_VARIANT)


class PdfNotStored(Exception):
    """The published PDF was rendered but could not be written to MEDIA_ROOT."""

    def __init__(self, data: bytes):
        self.data = data
        super().__init__("published PDF rendered but not stored")


def store_published_pdf(report: Report) -> Report:
    """Render the published report once as PDF/A-3b and store it with the report.
    Idempotent: a report that already has its PDF keeps it unchanged."""
    with transaction.atomic():
        locked = Report.objects.select_for_update().select_related("agency").get(pk=report.pk)
        if locked.published_pdf:
            report.published_pdf = locked.published_pdf
            return locked
        if locked.status != Status.PUBLISHED:
            raise ValueError(f"report {report.pk} is not published")
        data = render_pdf(locked, PDFA_VARIANT)
        try:
            locked.published_pdf.save(f"report-{locked.pk}.pdf", ContentFile(data), save=False)
        except OSError as exc:
            raise PdfNotStored(data) from exc
        Report.objects.filter(pk=locked.pk).update(published_pdf=locked.published_pdf.name)
    report.published_pdf = locked.published_pdf
    return locked


def store_after_publication(sender: type, report: Report, **kwargs: Any) -> None:
    """Receiver of ``workflow.report_published``, sent once a publication is committed:
    a rendering failure must not undo the publication, and a report whose PDF could not
    be stored gets it stored on its first download (``report_pdf``)."""
    try:
        store_published_pdf(report)
    except Exception:
        logger.exception("could not store the published PDF of report %s", report.pk)
