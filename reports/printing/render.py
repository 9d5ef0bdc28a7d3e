"""The rendering model of a report: one structure that every output reads.

The HTML pages (the editing forms and the read-only report) and later the PDF, DOCX
and XLSX exports walk the same tables built here from ``schema``, so they can never
disagree about labels, merged cells or values.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.forms import BaseForm, BoundField

from reports.rules import Finding
from reports.spec import figures as fig
from reports.spec import schema
from reports.spec.calendar import chinese_date
from reports.spec.numbers import format_fee


# Slots: a table page builds a few hundred labels and cells a request, and every
# object with a dict of its own is more work for the garbage collector.
@dataclass(slots=True)
class Label:
    text: str
    colspan: int = 1
    rowspan: int = 1
    css: str = ""


# How a cell is marked, the gravest first.
_LEVELS = ("error", "warning", "info")


@dataclass(slots=True)
class ValueCell:
    cell: schema.Cell
    value: object
    colspan: int = 1
    bound: BoundField | None = None
    findings: Sequence[Finding] = ()
    # Where an imported value came from (an ``ImportedCell``), for the editing page.
    source: Any = None

    @property
    def display(self) -> str:
        if self.value is None:
            return ""
        if isinstance(self.value, Decimal):
            return format_fee(self.value) or ""
        return str(self.value)

    @property
    def severity(self) -> str:
        """How to mark the cell. A blank cell (R5) is plain to see, so it gets a light
        mark instead of the red frame that would cover a whole new draft."""
        # One pass without generators: a blank table's every cell asks.
        best = len(_LEVELS)
        for f in self.findings:
            if f.rule != "R5" and f.severity in _LEVELS:
                best = min(best, _LEVELS.index(f.severity))
        if best < len(_LEVELS):
            return _LEVELS[best]
        return "blank" if self.findings else ""


@dataclass(slots=True)
class TableRow:
    labels: list[Label]
    cells: list[ValueCell] = field(default_factory=list)
    css: str = ""


@dataclass
class Table:
    key: str
    columns: int
    header: list[list[Label]]
    rows: list[TableRow]
    # The header rows repeat on every printed page; caption rows inside the body
    # (section 二) do not.
    css: str = ""


class _Binder:
    """Looks up, for each cell, its value, its bound form field and its findings."""

    def __init__(
        self,
        figures: fig.Figures,
        form: BaseForm | None,
        findings: list[Finding],
        sources: dict[str, Any] | None = None,
    ):
        self.figures = figures
        self.form = form
        self.sources = sources or {}
        self.by_cell: dict[tuple, list[Finding]] = defaultdict(list)
        for f in findings:
            for address in f.cells:
                self.by_cell[address].append(f)

    def __call__(self, c: schema.Cell, colspan: int = 1) -> ValueCell:
        bound = None
        if self.form is not None and not c.derived and c.field in self.form.fields:
            bound = self.form[c.field]
        return ValueCell(
            c,
            fig.get(self.figures, c),
            colspan,
            bound,
            self.by_cell.get(c.address, ()),
            self.sources.get(c.field),
        )


def active_disclosure_table(bind: _Binder) -> Table:
    rows: list[TableRow] = []
    for t in schema.ACTIVE_TABLES:
        rows.append(TableRow([Label(t.caption, colspan=4, css="caption")], css="caption-row"))
        span = 3 // len(t.value_headers)
        rows.append(
            TableRow(
                [Label(schema.ACTIVE_CONTENT_HEADER, css="head")]
                + [Label(h, colspan=span, css="head") for _, h in t.value_headers],
                css="head-row",
            )
        )
        for row_key, row_label in t.rows:
            cells = [
                bind(schema.cell("active_disclosure", row_key, col_key), span)
                for col_key, _ in t.value_headers
            ]
            rows.append(TableRow([Label(row_label)], cells))
    return Table("active_disclosure", 4, [], rows)


def applications_table(bind: _Binder) -> Table:
    cols = schema.APPLICATION_COLUMNS
    header = [
        [
            Label(schema.CORNER_NOTE, colspan=3, rowspan=3, css="corner"),
            Label(schema.APPLICANT_BANNER, colspan=len(cols)),
        ],
        [],
        [],
    ]
    seen_groups: set[str] = set()
    for col in cols:
        if col.group is None:
            header[1].append(Label(col.label, rowspan=2))
        else:
            if col.group not in seen_groups:
                seen_groups.add(col.group)
                width = sum(1 for c in cols if c.group == col.group)
                header[1].append(Label(col.group, colspan=width))
            header[2].append(Label(col.label))

    results = [r for r in schema.APPLICATION_ROWS if r.in_results]
    group_sizes: dict[str, int] = defaultdict(int)
    for r in results:
        if r.group:
            group_sizes[r.group] += 1

    rows: list[TableRow] = []
    seen_groups = set()
    for r in schema.APPLICATION_ROWS:
        labels: list[Label] = []
        if not r.in_results:
            labels.append(Label(r.label, colspan=3))
        else:
            if r is results[0]:
                labels.append(Label(schema.RESULTS_BANNER, rowspan=len(results), css="banner"))
            if r.group is None:
                labels.append(Label(r.label, colspan=2))
            else:
                if r.group not in seen_groups:
                    seen_groups.add(r.group)
                    labels.append(Label(r.group, rowspan=group_sizes[r.group], css="group"))
                labels.append(Label(r.label))
        cells = [bind(schema.cell("applications", r.key, col.key)) for col in cols]
        rows.append(TableRow(labels, cells, css="total-row" if r.is_total else ""))
    return Table("applications", 3 + len(cols), header, rows)


def review_table(bind: _Binder) -> Table:
    outcomes = schema.REVIEW_OUTCOMES
    width = len(outcomes)
    top: list[Label] = []
    second: list[Label] = []
    seen: set[str] = set()
    for block in schema.REVIEW_BLOCKS:
        if block.group is None:
            top.append(Label(block.label, colspan=width, rowspan=2))
        else:
            if block.group not in seen:
                seen.add(block.group)
                n = sum(1 for b in schema.REVIEW_BLOCKS if b.group == block.group)
                top.append(Label(block.group, colspan=width * n))
            second.append(Label(block.label, colspan=width))
    third = [Label(o.label) for _ in schema.REVIEW_BLOCKS for o in outcomes]
    cells = [
        bind(schema.cell("review_litigation", b.key, o.key))
        for b in schema.REVIEW_BLOCKS
        for o in outcomes
    ]
    return Table(
        "review_litigation",
        width * len(schema.REVIEW_BLOCKS),
        [top, second, third],
        [TableRow([], cells)],
    )


TABLE_BUILDERS = {
    "active_disclosure": active_disclosure_table,
    "applications": applications_table,
    "review_litigation": review_table,
}


def build_table(
    table: str,
    figures: fig.Figures,
    form: BaseForm | None = None,
    findings: list[Finding] | None = None,
    sources: dict[str, Any] | None = None,
) -> Table:
    """One table; ``sources`` maps cell fields to where an import read them from."""
    return TABLE_BUILDERS[table](_Binder(figures, form, findings or [], sources))


# --- the whole report --------------------------------------------------------------


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").split("\n") if line.strip()]


@dataclass
class Subsection:
    heading: str
    paragraphs: list[str]


@dataclass
class RenderedSection:
    key: str
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    subsections: list[Subsection] = field(default_factory=list)
    table: Table | None = None


@dataclass
class RenderedReport:
    title: str
    opening: list[str]
    sections: list[RenderedSection]
    signature_agency: str
    signature_date: str


def render_document(doc: dict, findings: list[Finding] | None = None) -> RenderedReport:
    """The report as read by a person: title, opening, six sections, signature."""
    bind = _Binder(doc, None, findings or [])
    narrative = doc.get("sections") or {}
    sections: list[RenderedSection] = []
    for s in schema.SECTIONS:
        rs = RenderedSection(s.key, s.heading)
        if s.key == "general":
            rs.subsections = [
                Subsection(sub.get("heading", ""), paragraphs(sub.get("body", "")))
                for sub in narrative.get("general") or []
            ]
        elif s.key in schema.NOTE_KEYS:
            rs.paragraphs = paragraphs(narrative.get(schema.NOTE_KEYS[s.key], ""))
            rs.table = TABLE_BUILDERS[s.key](bind)
        else:
            rs.paragraphs = paragraphs(narrative.get(s.key, ""))
        sections.append(rs)
    signature = doc.get("signature") or {}
    return RenderedReport(
        title=doc.get("title", ""),
        opening=paragraphs(narrative.get("opening", "")),
        sections=sections,
        signature_agency=signature.get("agency") or doc.get("agency", ""),
        signature_date=chinese_date(signature.get("date")),
    )
