"""The rows of a report table (``reports/_table.html``), written in one pass.

A table of the template holds up to 144 value cells and 40 labels; as template markup
each cost a dozen tag and variable nodes, which made the section editor many times
slower than a plain signed-in page (bench/editor.py). These tags write the very same
``<th>`` and ``<td>`` from the rendering model: for a value cell its findings, the
import source, the bound input (from Django's ``BoundField``, so disabled and aria
attributes stay Django's) and its errors.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from functools import cache, lru_cache
from typing import Any

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString, mark_safe

from reports.io.forms import CellInput
from reports.io.forms import html_escape as _e
from reports.printing.render import Label, TableRow, ValueCell
from reports.spec import schema

register = template.Library()

# The whitespace of the template markup this tag replaced, kept so that pages stay
# byte-for-byte the same.
_OPEN = "\n      "
_CLOSE = "\n    </td>"
_ROW_OPEN = "\n    "
_ROW_CLOSE = "\n  </tr>\n  "
_HEAD_ROW_CLOSE = "</tr>\n  "


def _css(c: ValueCell, has_errors: bool, annotated: Collection[str] = ()) -> str:
    css = "num"
    if severity := c.severity:
        css += f" has-{severity}"
    if has_errors:
        css += " has-input-error"
    if c.cell.derived:
        css += " derived"
    if c.source is not None:
        css += f" {_e(c.source.css)}"
    if c.cell.field in annotated:
        css += " has-annotation"
    return css


@lru_cache(maxsize=1024, typed=True)  # typed: a safe string is not escaped
def _finding_line(rule: str, message: str) -> str:
    """A finding as a cell's title lists it. One finding marks many cells (R5 every
    blank cell of a table), so each is escaped once."""
    return f"{_e(rule)} {_e(message)}&#10;"


def _title(c: ValueCell) -> str | None:
    """What hovering over the cell says: its findings and where an import read it."""
    source = c.source
    if not (
        c.findings
        or (source is not None and (source.note or source.state in ("blank", "doubtful")))
    ):
        return None
    text = "".join([_finding_line(f.rule, f.in_cell) for f in c.findings])
    if source is not None:
        text += f"导入：{_e(source.get_state_display())}"
        if source.published:
            text += f"，原文“{_e(source.published)}”"
        if source.note:
            text += f"，{_e(source.note)}"
    return text


def _input(bound: BoundField, errors: Sequence[object]) -> str:
    """``str(bound)`` of a cell's input: the attributes ``BoundField.as_widget`` adds
    for the request (a cell is never required and has no help text), in Django's
    order, without its three look-ups of the errors per cell."""
    field = bound.field
    widget = field.widget
    if (
        not isinstance(widget, CellInput)
        or field.required
        or field.help_text
        or field.localize
        or field.show_hidden_initial
        or "aria-describedby" in widget.attrs
    ):
        return str(bound)
    attrs: dict[str, Any] = {}
    if field.disabled:
        attrs["disabled"] = True
    if errors:
        attrs["aria-invalid"] = "true"
        if bound.auto_id:
            attrs["aria-describedby"] = f"{bound.auto_id}_error"
    return widget.render(bound.html_name, bound.value(), attrs)


# What a cell writes of the template definition, escaped once per process (by the
# cell's field name, whose hash Python keeps): a table writes a few hundred of them.


@cache
def _field_attr(field: str) -> str:
    return f' data-field="{_e(field)}"'


@cache
def _output_tag(field: str) -> str:
    """The opening tag of a total's ``<output>`` on an editing page."""
    cell = schema.CELL_BY_FIELD[field]
    return (
        f'<output id="{_e(cell.anchor)}" class="total" data-table="{_e(cell.table)}" '
        f'data-row="{_e(cell.row)}" data-col="{_e(cell.col)}" '
        f'aria-label="{_e(cell.label)}">'
    )


@cache
def _span_tag(field: str) -> str:
    return f'<span id="{_e(schema.CELL_BY_FIELD[field].anchor)}">'


def _content(c: ValueCell, editing: bool, errors: Sequence[object]) -> str:
    cell = c.cell
    if c.bound is not None:
        if not errors:
            return f"{_input(c.bound, errors)}{_OPEN}"
        messages = "".join(f'<div class="cell-error">{_e(e)}</div>' for e in errors)
        return f"{_input(c.bound, errors)}{messages}{_OPEN}"
    if editing and cell.derived:
        return f"{_output_tag(cell.field)}{_e(c.display)}</output>{_OPEN}"
    return f"{_span_tag(cell.field)}{_e(c.display)}</span>"


def value_cell(
    c: ValueCell, editing: bool = False, annotated: Collection[str] | None = None
) -> str:
    """One ``<td>`` of a table: read-only, or with its input on an editing page.
    ``annotated``, on an editing page that shows 批注: the cells with an open one
    (marked), and every cell then names its field for choosing it."""
    # BoundField.errors makes an empty list for every cell without errors; the form's
    # own errors are the same list where there are some.
    bound = c.bound
    errors = bound.form.errors.get(bound.name, ()) if bound is not None else ()
    html = "<td"
    if c.colspan > 1:
        html += f' colspan="{c.colspan}"'
    html += f' class="{_css(c, bool(errors), annotated or ())}"'
    if annotated is not None:
        html += _field_attr(c.cell.field)
    title = _title(c)
    if title is not None:
        html += f' title="{title}"'
    if c.source is not None:
        html += f' data-source="{_e(c.source.state)}"'
    return f"{html}>{_OPEN}{_content(c, editing, errors)}{_CLOSE}"


@register.simple_tag
def value_cells(
    cells: list[ValueCell], editing: bool = False, annotated: Collection[str] | None = None
) -> SafeString:
    """The ``<td>`` of a row's value cells, one after the other."""
    return mark_safe("".join(value_cell(c, editing, annotated) for c in cells))


def _spans(label: Label) -> str:
    html = ""
    if label.colspan > 1:
        html += f' colspan="{label.colspan}"'
    if label.rowspan > 1:
        html += f' rowspan="{label.rowspan}"'
    return html


@register.simple_tag
def header_rows(header: list[list[Label]]) -> SafeString:
    """The ``<tr>`` of the table's head, each followed by the template's whitespace."""
    html = ""
    for row in header:
        html += "<tr>"
        for label in row:
            scope = "colgroup" if label.colspan > 1 else "col"
            html += (
                f'<th scope="{scope}"{_spans(label)} class="{_e(label.css)}">{_e(label.text)}</th>'
            )
        html += _HEAD_ROW_CLOSE
    return mark_safe(html)


@register.simple_tag
def body_rows(
    rows: list[TableRow], editing: bool = False, annotated: Collection[str] | None = None
) -> SafeString:
    """The ``<tr>`` of the table's body: its labels, then its value cells."""
    html = ""
    for row in rows:
        html += f'<tr class="{_e(row.css)}">{_ROW_OPEN}'
        for label in row.labels:
            html += f'<th scope="row"{_spans(label)} class="{_e(label.css)}">{_e(label.text)}</th>'
        html += _ROW_OPEN
        html += "".join([value_cell(c, editing, annotated) for c in row.cells])
        html += _ROW_CLOSE
    return mark_safe(html)
