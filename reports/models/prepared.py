"""Small read queries whose SQL Django compiles once per process instead of per request.

Every page of the section editor reads last year's report and this year's of the
agency's siblings (a UNION), then the sub-sections of 一 of all of them
(``comparison.read``). Building and compiling these querysets cost Django about 1 ms a
page, and running their SQL 0.15 ms. That 1 ms was half the signed-in floor, more than
the editor's whole margin to its goal of 4× (bench/editor.py), so their SQL is compiled
here once; so is the page's own report row (``views.editor.page_report``), whose 192
columns cost as much again.

The SQL is still Django's, compiled from the queryset with numbered placeholders as its
values. Each run puts the real values where the placeholders were. Rows come back as
``values_list`` tuples, the database's values as they are: a query whose columns the ORM
would convert (dates and decimals on SQLite; none of these on PostgreSQL) is asked
through the ORM instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connections
from django.db.models import QuerySet

# A list value longer than this (an IN of so many) is not worth keeping an SQL for.
LONGEST_LIST = 32
# The placeholders of the two compilations: numbers from here on, and further on. They
# fit a small integer column (a year) as long as a query has few values before a list.
_MARKS = 10_001
_MARKS_APART = 5_000

# Where a parameter of the SQL comes from: a value by name (and its index in a list
# value), or, with no name, a constant of the query.
Slot = tuple[str | None, int | None, Any]
# The values' names, with the length of each list value.
Shape = tuple[tuple[str, int | None], ...]


class PreparedQuery:
    """``build(**values)``'s SQL, compiled once per shape of the values (a list value
    of another length is another IN (...)), run with the values given."""

    def __init__(self, build: Callable[..., QuerySet[Any, Any]]) -> None:
        self.build = build
        self._compiled: dict[Shape, tuple[str, str, list[Slot]] | None] = {}

    def rows(self, **values: int | list[int]) -> list[tuple[Any, ...]]:
        if any(isinstance(v, list) and len(v) > LONGEST_LIST for v in values.values()):
            # Compiled each time: an SQL kept for every length would grow without end.
            return list(self.build(**values))
        shape = tuple(
            (name, len(v) if isinstance(v, list) else None) for name, v in sorted(values.items())
        )
        if shape not in self._compiled:
            self._compiled[shape] = self._compile(shape)
        compiled = self._compiled[shape]
        if compiled is None:  # the ORM converts what the database returns: asked through it
            return list(self.build(**values))
        using, sql, slots = compiled
        params = [
            constant if name is None else _value(values[name], index)
            for name, index, constant in slots
        ]
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _compile(self, shape: Shape) -> tuple[str, str, list[Slot]] | None:
        """The SQL and where its parameters come from; None when the ORM would convert
        a column of the rows (a date on SQLite, say), which the rows are then asked for."""
        # Compiled twice, with two sets of placeholders: a parameter that differs between
        # the two is a value, one that does not is a constant of the query. The
        # placeholders are numbers a small integer column takes (Django finds nothing
        # for a value out of a column's range, without asking the database).
        using, sql, first, converted = self._compiled_with(shape, _MARKS, 1)
        _, again, second, _ = self._compiled_with(shape, _MARKS + _MARKS_APART, 3)
        if sql != again or len(first) != len(second):
            raise ValueError(f"the SQL of {self.build.__qualname__} depends on its values")
        slots: list[Slot] = []
        for (name, index, param), (same_name, same_index, other) in zip(first, second, strict=True):
            if param == other:
                slots.append((None, None, param))
            elif name is not None and (name, index) == (same_name, same_index):
                slots.append((name, index, None))
            else:  # a value the query turned into another (a sum, a text)
                raise ValueError(f"a parameter of {self.build.__qualname__} is not a value")
        placed = {(name, index) for name, index, _ in slots if name is not None}
        if len(placed) != sum(1 if size is None else size for _, size in shape):
            raise ValueError(f"a value of {self.build.__qualname__} is not a parameter of its SQL")
        return None if converted else (using, sql, slots)

    def _compiled_with(
        self, shape: Shape, first_mark: int, step: int
    ) -> tuple[str, str, list[Slot], bool]:
        """The SQL with placeholders from ``first_mark`` on, ``step`` apart (another
        step for the second compilation, so that a value plus one, say, is not taken
        for the next value both times), and where each parameter came from: a
        placeholder's name and index, or None; and whether the ORM converts a column."""
        marks: dict[int, tuple[str, int | None]] = {}
        placeholders: dict[str, int | list[int]] = {}
        mark = first_mark
        for name, size in shape:
            if size is None:
                placeholders[name] = mark
                marks[mark] = (name, None)
                mark += step
            else:
                placeholders[name] = list(range(mark, mark + size * step, step))
                marks.update({mark + i * step: (name, i) for i in range(size)})
                mark += size * step
        queryset = self.build(**placeholders)
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        # The converters ``results_iter`` applies to the selected columns.
        selected = [column for column, _, _ in compiler.select[: compiler.col_count]]
        converted = bool(compiler.get_converters(selected))
        slots: list[Slot] = []
        for param in params:
            key = int(param) if isinstance(param, int) and not isinstance(param, bool) else None
            slots.append((*marks[key], param) if key in marks else (None, None, param))
        return queryset.db, sql, slots, converted


def _value(value: int | list[int], index: int | None) -> int:
    if index is None:
        assert isinstance(value, int)
        return value
    assert isinstance(value, list)
    return value[index]
