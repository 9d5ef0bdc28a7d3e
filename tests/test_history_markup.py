"""The 修改记录 table is written in one pass (``reports.templatetags.history_table``) and
each save is compared with the one before it column by column
(``reports.models.history``): the rows must be exactly what the table's former template
markup wrote, and the changes exactly what simple-history's ``diff_against`` finds."""

import itertools
from datetime import UTC, datetime

import pytest
from django.template import engines

from reports.models import GeneralSection, Report
from reports.models.saves import (
    IGNORED_FIELDS,
    SAVE_COLUMNS,
    Change,
    HistoryEntry,
    _label,
    _report_changes,
    _save_rows,
    _saves,
    _show,
    field_history_page,
)
from tests.helpers import make_report

pytestmark = pytest.mark.django_db

# The rows of ``reports/_field_history.html`` as its template markup wrote them.
_WHEN_WHO = (
    '<tr><td class="text-nowrap">{{ entry.at|date:"Y年n月j日 H:i" }}</td>'
    '<td class="text-nowrap history-user">{{ entry.user }}</td>'
)
FORMER_ROWS_MARKUP = (
    "\n    {% for entry in field_history %}\n      {% for c in entry.changes %}\n      "
    + _WHEN_WHO
    + '<td>{{ c.label }}</td><td class="history-old">{{ c.old|truncatechars:200 }}</td>'
    '<td class="history-new">{{ c.new|truncatechars:200 }}</td></tr>\n      {% empty %}\n      '
    + _WHEN_WHO
    + '<td colspan="3">{{ entry.kind }}报告</td></tr>\n      {% endfor %}\n    {% endfor %}\n'
)
ROWS_TAG = "{% load history_table %}\n    {% history_rows field_history %}\n"


def render(markup: str, entries: list[HistoryEntry]) -> str:
    return engines["django"].from_string(markup).render({"field_history": entries})


def test_history_rows_are_the_former_markup_byte_for_byte():
    long_text = "加强政务公开<工作>&“规范”" * 30  # cut at 200 characters, escaped
    entries = [
        # 23:30 UTC is the next day in Beijing: the date is the local one.
        HistoryEntry(datetime(2025, 3, 4, 23, 30, tzinfo=UTC), "张三 <admin>", "新建"),
        HistoryEntry(
            datetime(2025, 3, 6, 1, 5, tzinfo=UTC),
            "O'Brien & 李四",
            "修改",
            [
                Change("表三 · 自然人", "（空白）", "12", "app_new_received_natural_person"),
                Change('五、存在的"问题"', long_text, long_text[:199], "problems"),
                Change("一、总体情况 概述 · 正文", "", "（已删除）", "general"),
                # Exactly as long as shown, one longer, and a combining accent that
                # neither counts nor survives normalisation apart.
                Change("六、其他", "甲" * 200, "乙" * 201, "other_matters"),
                Change("标题", "e\u0301" * 150, "a\u0301" * 201, "title"),
            ],
        ),
        HistoryEntry(datetime(2025, 12, 31, 16, 0, tzinfo=UTC), "", "删除", []),
    ]
    assert render(ROWS_TAG, entries) == render(FORMER_ROWS_MARKUP, entries)
    assert render(ROWS_TAG, []) == render(FORMER_ROWS_MARKUP, [])


def diff_against(new, old) -> list[Change]:
    """The changes as simple-history's own diff finds them."""
    delta = new.diff_against(old, excluded_fields=IGNORED_FIELDS)
    return [Change(_label(c.field), _show(c.old), _show(c.new), c.field) for c in delta.changes]


def test_each_save_shows_what_simple_history_diff_finds(agencies, alice):
    report = make_report(agencies["office"], 2024)
    report.app_new_received_natural_person = 7
    report.problems = "第一次"
    report.save()
    report.app_new_received_natural_person = None
    report.ad_licensing = 3
    report.title = "新标题"
    report.signature_date = datetime(2025, 1, 20).date()
    report.save()
    report.problems = "第一次"  # unchanged: no change listed
    report.save()
    ordered = report.history.order_by("-history_date", "-history_id")
    rows, saves = list(ordered), _saves(list(ordered.values_list(*SAVE_COLUMNS)))
    assert len(rows) >= 4
    assert [s.history_id for s in saves] == [r.history_id for r in rows]
    for (new, old), (new_save, old_save) in zip(
        itertools.pairwise(rows), itertools.pairwise(saves), strict=True
    ):
        assert _report_changes(new_save, old_save) == diff_against(new, old)
    # The SQL compiled once reads the rows the ORM does, on every page.
    assert _save_rows(report.pk, None, 10) == list(ordered.values_list(*SAVE_COLUMNS))
    older = ordered.filter(history_id__lt=rows[1].history_id)
    assert _save_rows(report.pk, rows[1].history_id, 2) == list(
        older.values_list(*SAVE_COLUMNS)[:2]
    )
    newest_two = [c.field for c in _report_changes(saves[1], saves[2])]
    assert newest_two == sorted(
        ["ad_licensing", "app_new_received_natural_person", "signature_date", "title"]
    )


def test_the_report_page_lists_the_changes_of_every_save(client, alice, agencies):
    report = make_report(agencies["office"], 2024)
    GeneralSection.objects.create(report=report, heading="概述", body="旧")
    for value in (5, 6):
        report = Report.objects.get(pk=report.pk)
        report.app_new_received_natural_person = value
        report.save()
    client.force_login(alice)
    page = client.get(f"/reports/{report.pk}/").getvalue().decode()
    entries = field_history_page(report).entries
    expected = render(FORMER_ROWS_MARKUP, entries)
    assert expected.strip() and expected in page
    assert '<td class="history-old">5</td><td class="history-new">6</td>' in page
