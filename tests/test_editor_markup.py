"""The section editor's table cells are written in one pass (``reports.templatetags.grid``
and ``CellInput``), not through a widget template per cell: the markup must be exactly
what Django's widget templates and the table's former template markup wrote, in every
state of a cell (blank, filled, refused input, locked, imported), but for what a blank
cell's title says: a few words about that cell instead of R5's whole message, which
named other cells and made a third of 表三's page."""

from dataclasses import replace

import pytest
from django import forms
from django.template import engines

from reports.io.forms import page_form_class
from reports.models import ImportedCell, ImportLog
from reports.models.provenance import CellState
from reports.printing import render as rendering
from reports.spec import schema
from reports.templatetags.grid import value_cell
from tests.helpers import import_seed, make_report

pytestmark = pytest.mark.django_db

# The markup of a value cell as ``reports/_table.html`` wrote it before the tag, a
# finding's words for one cell (``cell_message``) in its title where it has them.
FORMER_CELL_MARKUP = (
    "{% for c in cells %}"
    '<td{% if c.colspan > 1 %} colspan="{{ c.colspan }}"{% endif %} class="num'
    "{% if c.severity %} has-{{ c.severity }}{% endif %}"
    "{% if c.bound.errors %} has-input-error{% endif %}"
    "{% if c.cell.derived %} derived{% endif %}"
    '{% if c.source %} {{ c.source.css }}{% endif %}"'
    "{% if c.findings or c.source.note or c.source.state == 'blank' or "
    "c.source.state == 'doubtful' %} title=\"{% for f in c.findings %}{{ f.rule }} "
    "{{ f.cell_message|default:f.message }}&#10;{% endfor %}"
    "{% if c.source %}导入：{{ c.source.get_state_display }}"
    "{% if c.source.published %}，原文“{{ c.source.published }}”{% endif %}"
    '{% if c.source.note %}，{{ c.source.note }}{% endif %}{% endif %}"{% endif %}'
    '{% if c.source %} data-source="{{ c.source.state }}"{% endif %}>\n'
    "      {% if c.bound %}{{ c.bound }}{% for e in c.bound.errors %}"
    '<div class="cell-error">{{ e }}</div>{% endfor %}\n'
    '      {% elif editing and c.cell.derived %}<output id="{{ c.cell.anchor }}" '
    'class="total" data-table="{{ c.cell.table }}" data-row="{{ c.cell.row }}" '
    'data-col="{{ c.cell.col }}" aria-label="{{ c.cell.label }}">{{ c.display }}</output>\n'
    '      {% else %}<span id="{{ c.cell.anchor }}">{{ c.display }}</span>{% endif %}\n'
    "    </td>{% endfor %}"
)


class DjangoWidget:
    """A bound cell rendered by Django's own ``TextInput`` templates."""

    def __init__(self, bound: forms.BoundField):
        self.bound = bound
        self.errors = bound.errors

    def __str__(self) -> str:
        widget = forms.TextInput(attrs=self.bound.field.widget.attrs)
        return self.bound.as_widget(widget=widget)


def cells_of(table: rendering.Table) -> list[rendering.ValueCell]:
    return [c for row in table.rows for c in row.cells]


def assert_cells_as_before(table: rendering.Table, editing: bool) -> int:
    reference = engines["django"].from_string(FORMER_CELL_MARKUP)
    checked = 0
    for c in cells_of(table):
        expected_cell = c if c.bound is None else replace(c, bound=DjangoWidget(c.bound))
        expected = reference.render({"cells": [expected_cell], "editing": editing})
        assert value_cell(c, editing) == expected, c.cell.field
        checked += 1
    return checked


def editor_table(report, table: str, data=None, disabled: bool = False, sources=None):
    form = page_form_class(table)(data, instance=report)
    if disabled:
        for field in form.fields.values():
            field.disabled = True
    if data is not None:
        form.is_valid()
    findings = [f for f in report.findings() if f.edit_section == table]
    return rendering.build_table(table, report.figures(), form, findings, sources or {})


@pytest.mark.parametrize("table", list(rendering.TABLE_BUILDERS))
def test_every_cell_of_a_blank_draft_is_written_as_before(agencies, table):
    report = make_report(agencies["office"])
    count = assert_cells_as_before(editor_table(report, table), editing=True)
    assert count == len([c for c in schema.STORED_CELLS if c.table == table]) + len(
        [c for c in schema.CELLS if c.table == table and c.derived]
    )


@pytest.mark.parametrize("table", list(rendering.TABLE_BUILDERS))
def test_every_cell_of_a_filled_report_is_written_as_before_editable_or_locked(
    seed_agencies, table
):
    report = import_seed(1)
    assert_cells_as_before(editor_table(report, table), editing=True)
    assert_cells_as_before(editor_table(report, table, disabled=True), editing=True)
    # The read-only report page and the roll-up use the same cells without a form.
    assert_cells_as_before(rendering.build_table(table, report.figures()), editing=False)


def test_refused_input_is_written_as_before_with_its_message_and_aria_attributes(agencies):
    report = make_report(agencies["office"])
    data = {c.field: "1" for c in schema.stored_cells_of("applications")}
    data["app_new_received_natural_person"] = "-2"
    data["app_new_received_commercial"] = '"><script>'
    table = editor_table(report, "applications", data)
    assert_cells_as_before(table, editing=True)
    refused = next(c for c in cells_of(table) if c.cell.field == "app_new_received_natural_person")
    html = value_cell(refused, True)
    assert 'aria-invalid="true"' in html
    assert "表三 一、本年新收政府信息公开申请数量 · 自然人：不能为负数" in html
    assert 'value="&quot;&gt;&lt;script&gt;"' in value_cell(
        next(c for c in cells_of(table) if c.cell.field == "app_new_received_commercial"), True
    )


def test_imported_cells_are_written_as_before_with_their_source(agencies):
    report = make_report(agencies["office"])
    log = ImportLog.objects.create(report=report, filename="x.docx", kind="docx")
    cells = schema.stored_cells_of("applications")
    states = [
        (CellState.DOUBTFUL, "22", "其中修订16件"),
        (CellState.BLANK, "", ""),
        (CellState.READ, "3", ""),
        (CellState.CONFIRMED, '<b>"&', "注：<i>"),
    ]
    for c, (state, published, note) in zip(cells, states, strict=False):
        ImportedCell.objects.create(
            log=log, field=c.field, state=state, published=published, note=note
        )
    table = editor_table(report, "applications", sources=log.cells_by_field())
    assert_cells_as_before(table, editing=True)
    first = value_cell(cells_of(table)[0], True)
    assert 'data-source="doubtful"' in first
    assert "导入：存疑，原文“22”，其中修订16件" in first


def test_cell_input_writes_what_django_text_input_writes():
    cell = schema.cell("applications", "new_received", "natural_person")
    form = page_form_class("applications")({cell.field: 'a "b" <c>'}, initial={}, instance=None)
    form.is_valid()
    bound = form[cell.field]
    widget = forms.TextInput(attrs=bound.field.widget.attrs)
    assert str(bound) == bound.as_widget(widget=widget)
    assert str(bound).startswith(f'<input type="text" name="{cell.field}" value="a &quot;b')


def test_a_cell_is_marked_by_its_gravest_finding_a_blank_only_lightly():
    from reports.rules import Finding

    cell = schema.STORED_CELLS[0]

    def mark(*found: tuple[str, str]) -> str:
        findings = [Finding(rule, severity, "说明") for rule, severity in found]
        return rendering.ValueCell(cell, None, findings=findings).severity

    assert mark() == ""
    assert mark(("R5", "error")) == "blank"
    assert mark(("R5", "error"), ("R8", "info")) == "info"
    assert mark(("R8", "info"), ("R7", "warning")) == "warning"
    assert mark(("R8", "info"), ("R2", "error"), ("R7", "warning")) == "error"


R5_IN_A_CELL = "R5 本单元格空白，没有数据请填写0。&#10;"


def test_a_blank_cell_says_in_a_few_words_that_it_is_blank(agencies):
    report = make_report(agencies["office"])
    table = editor_table(report, "applications")
    blank = next(c for c in cells_of(table) if c.cell.field == "app_new_received_natural_person")
    html = value_cell(blank, True)
    assert f'title="{R5_IN_A_CELL}"' in html
    assert "等144个单元格" not in html


def test_the_editor_page_gives_the_whole_blank_cells_message_once(client, alice, agencies):
    report = make_report(agencies["office"])
    client.force_login(alice)
    response = client.get(f"/reports/{report.pk}/edit/applications/")
    html = response.content.decode()
    assert response.status_code == 200
    whole = "表三有空白单元格："
    assert html.count(whole) == 1
    assert "完成的报告不得留空，没有数据请填写0。" in html
    blank_inputs = len(schema.stored_cells_of("applications"))
    assert html.count(R5_IN_A_CELL) == blank_inputs
    # 表三 of a blank draft: 144 inputs; before, each cell's title repeated the
    # whole message (~45 KiB of the page's ~160 KiB).
    assert len(response.content) < 130 * 1024
