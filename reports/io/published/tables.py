"""The three tables of a published report, read from the tokens of their regions.

Each of the template's rows is found by its label (from ``schema``, with the aliases
seen in real reports) and its values read by position in its row where the source has
rows, after the label where it has not. What every cell said is kept (``CellRead``):
the value, the text as published, a note in the cell, and whether the reading is in
doubt, so that the import can show a clerk which cells to check.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reports.io.published.source import SourceError
from reports.io.published.tokens import (
    CellRead,
    Token,
    label_matches,
    norm,
    row_values,
    stream_values,
)
from reports.spec import schema

Address = tuple[str, str, str | None]

ROW_ALIASES: dict[str, tuple[str, ...]] = {
    "normative_documents": ("规范性文件",),
    "fees_10k_yuan": ("行政事业性收费",),
}
ACTIVE_HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "issued": ("本年制发件数", "本年新制发件数", "本年发布件数"),
    "repealed": ("本年废止件数", "本年度止件数", "本年度废止件数", "本年废纸件数", "本年废止数"),
    "in_force": ("现行有效件数", "现行有效数"),
}
APPLICATION_LABELS = (
    tuple(r.label for r in schema.APPLICATION_ROWS)
    + tuple({r.group for r in schema.APPLICATION_ROWS if r.group})
    + (schema.RESULTS_BANNER,)
)
REVIEW_HEADER_WORDS = ("总计", "审结", "维持", "纠正", "结果", "起诉", "复议", "诉讼")
# More rows than this missing from the matrix and it is not the 2021 matrix.
MAX_MISSING_APPLICATION_ROWS = 3


class TableError(SourceError):
    """A table the report must have is not there; ``str()`` says what was found."""


@dataclass
class Tables:
    """What was read: every cell's ``CellRead`` (totals as published) and, per table,
    the lines it spans in its region (for the notes around it)."""

    reads: dict[Address, CellRead] = field(default_factory=dict)
    missing_rows: list[tuple[str, str]] = field(default_factory=list)  # (table, row label)
    extent: dict[str, tuple[int, int]] = field(default_factory=dict)

    def figures(self) -> dict:
        out: dict = {t: {} for t in schema.TABLES}
        for c in schema.CELLS:
            read = self.reads.get(c.address)
            value = read.value if read is not None else None
            if c.col is None:
                out[c.table][c.row] = value
            else:
                out[c.table].setdefault(c.row, {})[c.col] = value
        return out

    def _put(self, cells: list[schema.Cell], reads: list[CellRead]) -> None:
        for c, read in zip(cells, reads, strict=True):
            self.reads[c.address] = read

    def _extent(self, table: str, lines: list[int]) -> None:
        lines = [n for n in lines if n >= 0]
        if lines:
            self.extent[table] = (min(lines), max(lines))

    # --- finding rows -------------------------------------------------------------

    @staticmethod
    def _find(tokens: list[Token], start: int, label: str, aliases=()) -> int | None:
        for i in range(start, len(tokens)):
            if label_matches(tokens[i], label, aliases):
                return i
        return None

    @staticmethod
    def _values(
        tokens: list[Token], at: int, count: int, labels: tuple[str, ...] = ()
    ) -> tuple[list[CellRead], int]:
        """The ``count`` values of the row labelled at ``tokens[at]`` and the index of
        the last token read."""
        start = at + 1
        # A label wrapped by a PDF tool continues on the next line, before the values.
        while (
            start < len(tokens)
            and tokens[start].kind == "text"
            and not any(label_matches(tokens[start], label) for label in labels)
            and len(tokens[start].norm) <= 40
            and start - at <= 2
        ):
            start += 1
        anchor = tokens[start - 1]
        reads = None
        if anchor.row is not None:
            reads = row_values(tokens, start, count, anchor.row)
        if reads is None:
            reads = stream_values(tokens, start, count)
        end = start
        while end < len(tokens) and tokens[end].kind != "text":
            end += 1
        return reads, end - 1

    # --- 二 ---------------------------------------------------------------------

    def active(self, tokens: list[Token]) -> None:
        order = self._active_columns(tokens)
        pos = 0
        used: list[int] = []
        found_any = False
        for table in schema.ACTIVE_TABLES:
            for row_key, row_label in table.rows:
                keys: list[str | None] = list(order) if len(table.value_headers) == 3 else [None]
                cells = [schema.cell("active_disclosure", row_key, k) for k in keys]
                at = self._find(tokens, pos, row_label, ROW_ALIASES.get(row_key, ()))
                if at is None:
                    self.missing_rows.append(("active_disclosure", row_label))
                    self._put(cells, [CellRead(None, missing=True) for _ in cells])
                    continue
                found_any = True
                reads, last = self._values(tokens, at, len(cells))
                self._put(cells, reads)
                used += [tokens[at].line, tokens[last].line]
                pos = at + 1
        if not found_any:
            raise TableError(
                "第二部分未找到“主动公开政府信息情况”的表格（应有规章、行政规范性文件、"
                "行政许可、行政处罚、行政强制、行政事业性收费各行）。"
            )
        self._extent("active_disclosure", used)

    @staticmethod
    def _active_columns(tokens: list[Token]) -> list[str]:
        """The order of 本年制发件数 / 本年废止件数 / 现行有效件数 as the header gives it
        (a header row of PDF text may be one line: the positions in it count)."""
        text = "".join(t.norm for t in tokens if t.kind == "text")
        found: dict[str, int] = {}
        for key, names in ACTIVE_HEADER_ALIASES.items():
            positions = [text.find(norm(n)) for n in names if norm(n) in text]
            if positions:
                found[key] = min(positions)
        if len(found) == 3 and len(set(found.values())) == 3:
            return sorted(found, key=lambda key: found[key])
        return ["issued", "repealed", "in_force"]

    # --- 三 ---------------------------------------------------------------------

    def applications(self, tokens: list[Token]) -> None:
        missing = self.application_rows(tokens)
        if len(missing) > MAX_MISSING_APPLICATION_ROWS:
            found = len(schema.APPLICATION_ROWS) - len(missing)
            raise TableError(
                f"第三部分的申请情况表只找到{found}行（2021年格式应有"
                f"{len(schema.APPLICATION_ROWS)}行），未找到“{missing[0]}”等{len(missing)}行，"
                "无法按国办公开办函〔2021〕30号的格式读取。"
            )

    def application_rows(self, tokens: list[Token]) -> list[str]:
        """Read every row of the matrix that the tokens hold, and return the labels of
        those they do not (``applications`` judges whether that is still the matrix)."""
        pos = 0
        cols = [c.key for c in schema.APPLICATION_COLUMNS]
        used: list[int] = []
        missing: list[str] = []
        for row in schema.APPLICATION_ROWS:
            cells = [schema.cell("applications", row.key, k) for k in cols]
            at = self._find(tokens, pos, row.label)
            if at is None:
                missing.append(row.label)
                self.missing_rows.append(("applications", row.label))
                self._put(cells, [CellRead(None, missing=True) for _ in cells])
                continue
            reads, last = self._values(tokens, at, len(cells), APPLICATION_LABELS)
            self._put(cells, reads)
            used += [tokens[at].line, tokens[last].line]
            pos = at + 1
        self._extent("applications", used)
        return missing

    # --- 四 ---------------------------------------------------------------------

    def review(self, tokens: list[Token]) -> None:
        last_header = None
        for i, token in enumerate(tokens):
            if token.kind == "text" and any(w in token.norm for w in REVIEW_HEADER_WORDS):
                last_header = i
            elif token.kind in ("value", "blank") and last_header is not None:
                break
        if last_header is None:
            raise TableError(
                "第四部分未找到行政复议、行政诉讼情况表（应有行政复议、未经复议直接起诉、"
                "复议后起诉各五栏）。"
            )
        cells = [
            schema.cell("review_litigation", b.key, o.key)
            for b in schema.REVIEW_BLOCKS
            for o in schema.REVIEW_OUTCOMES
        ]
        first_value = next(
            (
                i
                for i in range(last_header + 1, len(tokens))
                if tokens[i].kind in ("value", "blank")
            ),
            None,
        )
        reads = None
        if first_value is not None and tokens[first_value].row is not None:
            row = tokens[first_value].row
            start = next(i for i in range(last_header + 1, len(tokens)) if tokens[i].row == row)
            while start < len(tokens) and tokens[start].kind == "text":
                start += 1
            reads = row_values(tokens, start, len(cells), row)  # type: ignore[arg-type]
        if reads is None:
            reads = stream_values(tokens, last_header + 1, len(cells))
        if all(r.value is None for r in reads) and first_value is None:
            raise TableError("第四部分的行政复议、行政诉讼情况表中没有找到数字。")
        self._put(cells, reads)
        last = first_value if first_value is not None else last_header
        while last + 1 < len(tokens) and tokens[last + 1].kind != "text":
            last += 1
        self._extent("review_litigation", [tokens[last_header].line, tokens[last].line])
