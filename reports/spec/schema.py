"""The national template of the annual report (国办公开办函〔2021〕30号), defined once.

Everything else — the model's columns, the forms, the rules, the live totals of the
editing page, the HTML tables, the JSON codec, the PDF, the DOCX and the XLSX — is
derived from the structures in this module: the sections and their narrative fields,
the tables' rows, columns and cells, and the sums that tie totals to their parts. The
labels are facts of the official form and must not be restated anywhere else.

A *cell* is one number of the three tables. Cells are addressed the way the JSON
interchange format (SPEC §4) addresses them: ``(table, row, col)``, where ``table`` is
``active_disclosure``, ``applications`` or ``review_litigation`` and ``col`` is ``None``
for the single-value rows of section 二. Detail cells are stored; totals are derived.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Literal

MAX_COUNT = 2_147_483_647
FEE_DECIMAL_PLACES = 6
FEE_MAX_DIGITS = 18

CellKind = Literal["count", "fee"]

# --- the six sections -------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    key: str
    numeral: str
    heading: str

    @property
    def short(self) -> str:
        return self.heading.split("、", 1)[1]


SECTIONS: tuple[Section, ...] = (
    Section("general", "一", "一、总体情况"),
    Section("active_disclosure", "二", "二、主动公开政府信息情况"),
    Section("applications", "三", "三、收到和处理政府信息公开申请情况"),
    Section("review_litigation", "四", "四、政府信息公开行政复议、行政诉讼情况"),
    Section("problems", "五", "五、存在的主要问题及改进情况"),
    Section("other_matters", "六", "六、其他需要报告的事项"),
)
SECTION_BY_KEY = {s.key: s for s in SECTIONS}

# Sub-sections of 一 created with every new report; agencies add, reorder and remove.
STANDARD_GENERAL_HEADINGS: tuple[str, ...] = (
    "（一）主动公开情况",
    "（二）依申请公开情况",
    "（三）政府信息管理情况",
    "（四）政府信息公开平台建设情况",
    "（五）监督保障情况",
)

# Narrative keys of the JSON "sections" object besides the list "general".
NOTE_KEYS: dict[str, str] = {
    "active_disclosure": "active_disclosure_note",
    "applications": "applications_note",
    "review_litigation": "review_litigation_note",
}

TABLE_NUMERALS = {"active_disclosure": "二", "applications": "三", "review_litigation": "四"}


@dataclass(frozen=True)
class Narrative:
    """A free-text field of the report: its key in the JSON ``sections`` object, the
    model column of the same name, and how a person names it."""

    key: str
    label: str
    section: str  # the section it belongs to; the opening paragraph is its own
    rows: int = 14  # the height of its text box on the editing page


# Every narrative field but the sub-sections of 一 (a list of heading and body), in the
# order of the printed report.
NARRATIVE: tuple[Narrative, ...] = (
    Narrative("opening", "开头段落", "opening"),
    Narrative("active_disclosure_note", "第二部分说明", "active_disclosure", rows=3),
    Narrative("applications_note", "第三部分说明", "applications", rows=3),
    Narrative("review_litigation_note", "第四部分说明", "review_litigation", rows=3),
    Narrative("problems", "五、存在的主要问题及改进情况", "problems"),
    Narrative("other_matters", "六、其他需要报告的事项", "other_matters"),
)
NARRATIVE_BY_KEY = {n.key: n for n in NARRATIVE}
NARRATIVE_KEYS: tuple[str, ...] = tuple(n.key for n in NARRATIVE)


def empty_sections() -> dict:
    """The JSON ``sections`` object of a report with no text."""
    return {"general": [], **{key: "" for key in NARRATIVE_KEYS}}


# The pages a report is edited on, in order; each saves on its own. ``info`` holds the
# title, the opening paragraph and the closing block (落款).
INFO_PAGE = ("info", "基本信息")
EDIT_PAGES: tuple[tuple[str, str], ...] = (INFO_PAGE, *((s.key, s.heading) for s in SECTIONS))
EDIT_PAGE_KEYS = frozenset(key for key, _ in EDIT_PAGES)
INFO_FIELDS: tuple[str, ...] = ("title", "opening", "signature_agency", "signature_date")


def title_for(agency: str, year: int) -> str:
    return f"{agency}{year}年政府信息公开工作年度报告"


# --- section 二: four small tables ------------------------------------------------


@dataclass(frozen=True)
class ActiveTable:
    caption: str
    value_headers: tuple[tuple[str | None, str], ...]  # (column key, header)
    rows: tuple[tuple[str, str], ...]  # (row key, label)
    kind: CellKind = "count"


ACTIVE_CONTENT_HEADER = "信息内容"
ACTIVE_TABLES: tuple[ActiveTable, ...] = (
    ActiveTable(
        "第二十条第（一）项",
        (("issued", "本年制发件数"), ("repealed", "本年废止件数"), ("in_force", "现行有效件数")),
        (("rules", "规章"), ("normative_documents", "行政规范性文件")),
    ),
    ActiveTable("第二十条第（五）项", ((None, "本年处理决定数量"),), (("licensing", "行政许可"),)),
    ActiveTable(
        "第二十条第（六）项",
        ((None, "本年处理决定数量"),),
        (("penalty", "行政处罚"), ("enforcement", "行政强制")),
    ),
    ActiveTable(
        "第二十条第（八）项",
        ((None, "本年收费金额（单位：万元）"),),
        (("fees_10k_yuan", "行政事业性收费"),),
        kind="fee",
    ),
)

# --- section 三: the applications matrix -----------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    group: str | None = None  # the spanning header above it, e.g. 法人或其他组织


APPLICANT_BANNER = "申请人情况"
LEGAL_PERSON_GROUP = "法人或其他组织"
APPLICANT_COLUMNS: tuple[Column, ...] = (
    Column("natural_person", "自然人"),
    Column("commercial", "商业企业", LEGAL_PERSON_GROUP),
    Column("research", "科研机构", LEGAL_PERSON_GROUP),
    Column("social_welfare", "社会公益组织", LEGAL_PERSON_GROUP),
    Column("legal_service", "法律服务机构", LEGAL_PERSON_GROUP),
    Column("other", "其他", LEGAL_PERSON_GROUP),
)
TOTAL_COLUMN = Column("total", "总计")
APPLICATION_COLUMNS: tuple[Column, ...] = (*APPLICANT_COLUMNS, TOTAL_COLUMN)

CORNER_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
RESULTS_BANNER = "三、本年度办理结果"


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    group: str | None = None  # （三）不予公开 etc.; None for ungrouped rows
    in_results: bool = False  # under the banner 三、本年度办理结果
    is_outcome: bool = False  # one of the 21 rows summed into handled_total
    is_total: bool = False  # derived: handled_total


def _rows() -> tuple[Row, ...]:
    outcomes: list[tuple[str | None, list[tuple[str, str]]]] = [
        (None, [("granted", "（一）予以公开")]),
        (None, [("partially_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）")]),
        (
            "（三）不予公开",
            [
                ("denied_state_secret", "1.属于国家秘密"),
                ("denied_law_prohibited", "2.其他法律行政法规禁止公开"),
                ("denied_three_safety_one_stability", "3.危及“三安全一稳定”"),
                ("denied_third_party", "4.保护第三方合法权益"),
                ("denied_internal_affairs", "5.属于三类内部事务信息"),
                ("denied_process_info", "6.属于四类过程性信息"),
                ("denied_enforcement_file", "7.属于行政执法案卷"),
                ("denied_administrative_query", "8.属于行政查询事项"),
            ],
        ),
        (
            "（四）无法提供",
            [
                ("unable_not_held", "1.本机关不掌握相关政府信息"),
                ("unable_needs_creation", "2.没有现成信息需要另行制作"),
                ("unable_unclear", "3.补正后申请内容仍不明确"),
            ],
        ),
        (
            "（五）不予处理",
            [
                ("not_processed_petition", "1.信访举报投诉类申请"),
                ("not_processed_duplicate", "2.重复申请"),
                ("not_processed_publication", "3.要求提供公开出版物"),
                ("not_processed_massive", "4.无正当理由大量反复申请"),
                ("not_processed_confirmation", "5.要求行政机关确认或重新出具已获取信息"),
            ],
        ),
        (
            "（六）其他处理",
            [
                (
                    "other_no_correction",
                    "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
                ),
                (
                    "other_unpaid_fee",
                    "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
                ),
                ("other_other", "3.其他"),
            ],
        ),
    ]
    rows = [
        Row("new_received", "一、本年新收政府信息公开申请数量"),
        Row("carried_over", "二、上年结转政府信息公开申请数量"),
    ]
    for group, members in outcomes:
        rows += [Row(k, label, group, in_results=True, is_outcome=True) for k, label in members]
    rows.append(Row("handled_total", "（七）总计", in_results=True, is_total=True))
    rows.append(Row("carried_forward", "四、结转下年度继续办理"))
    return tuple(rows)


APPLICATION_ROWS: tuple[Row, ...] = _rows()
ROW_BY_KEY = {r.key: r for r in APPLICATION_ROWS}
OUTCOME_ROWS = tuple(r for r in APPLICATION_ROWS if r.is_outcome)
# R1: the left side of the balance equals the right side, per column.
BALANCE_IN = ("new_received", "carried_over")
BALANCE_OUT = ("handled_total", "carried_forward")

# --- section 四: review and litigation ------------------------------------------


@dataclass(frozen=True)
class Block:
    key: str
    label: str
    group: str | None = None


REVIEW_BLOCKS: tuple[Block, ...] = (
    Block("review", "行政复议"),
    Block("litigation_direct", "未经复议直接起诉", "行政诉讼"),
    Block("litigation_after_review", "复议后起诉", "行政诉讼"),
)
REVIEW_OUTCOMES: tuple[Column, ...] = (
    Column("upheld", "结果维持"),
    Column("corrected", "结果纠正"),
    Column("other", "其他结果"),
    Column("pending", "尚未审结"),
    Column("total", "总计"),
)
REVIEW_PARTS = tuple(o.key for o in REVIEW_OUTCOMES if o.key != "total")

# --- the cells -----------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    table: str
    row: str
    col: str | None
    label: str  # how a person names the cell, e.g. "表三 （一）予以公开 · 自然人"
    kind: CellKind = "count"
    derived: bool = False

    # Cached: the rules, the figures and the editor's table read them thousands of
    # times a request. (A frozen dataclass still has an instance dict to cache in.)
    @cached_property
    def field(self) -> str:
        """The model field (and form field) that stores this cell."""
        prefix = {"active_disclosure": "ad", "applications": "app", "review_litigation": "rl"}
        parts = [prefix[self.table], self.row] + ([self.col] if self.col else [])
        return "_".join(parts)

    @cached_property
    def anchor(self) -> str:
        return "cell-" + self.field

    @cached_property
    def address(self) -> tuple[str, str, str | None]:
        return (self.table, self.row, self.col)


def _cells() -> tuple[Cell, ...]:
    cells: list[Cell] = []
    for table in ACTIVE_TABLES:
        for row_key, row_label in table.rows:
            for col_key, header in table.value_headers:
                cells.append(
                    Cell(
                        "active_disclosure",
                        row_key,
                        col_key,
                        f"表二 {table.caption} {row_label} · {header}",
                        kind=table.kind,
                    )
                )
    for row in APPLICATION_ROWS:
        for col in APPLICATION_COLUMNS:
            cells.append(
                Cell(
                    "applications",
                    row.key,
                    col.key,
                    f"表三 {row.label} · {col.label}",
                    derived=row.is_total or col.key == "total",
                )
            )
    for block in REVIEW_BLOCKS:
        name = f"{block.group}（{block.label}）" if block.group else block.label
        for outcome in REVIEW_OUTCOMES:
            cells.append(
                Cell(
                    "review_litigation",
                    block.key,
                    outcome.key,
                    f"表四 {name} · {outcome.label}",
                    derived=outcome.key == "total",
                )
            )
    return tuple(cells)


CELLS: tuple[Cell, ...] = _cells()
STORED_CELLS: tuple[Cell, ...] = tuple(c for c in CELLS if not c.derived)
CELL_BY_ADDRESS: dict[tuple[str, str, str | None], Cell] = {c.address: c for c in CELLS}
CELL_BY_FIELD: dict[str, Cell] = {c.field: c for c in CELLS}
TABLES: tuple[str, ...] = ("active_disclosure", "applications", "review_litigation")


def cell(table: str, row: str, col: str | None = None) -> Cell:
    return CELL_BY_ADDRESS[(table, row, col)]


def stored_cells_of(table: str) -> tuple[Cell, ...]:
    return tuple(c for c in STORED_CELLS if c.table == table)


def page_fields(page: str) -> tuple[str, ...]:
    """The ``Report`` columns an editing page writes (``general`` writes sub-sections)."""
    if page == "info":
        return INFO_FIELDS
    if page == "general":
        return ()
    if page in NOTE_KEYS:
        return (NOTE_KEYS[page], *(c.field for c in stored_cells_of(page)))
    return (page,)


def page_of(field: str) -> str | None:
    """The editing page on which a ``Report`` column is typed (None: none of them)."""
    if field in CELL_BY_FIELD:
        return CELL_BY_FIELD[field].table
    if field in INFO_FIELDS:
        return INFO_PAGE[0]
    if field in NARRATIVE_BY_KEY:
        return NARRATIVE_BY_KEY[field].section
    return None


# --- the sums: every derived cell and the cells it adds up ---------------------------


@dataclass(frozen=True)
class Sum:
    """A derived cell is the sum of its parts. ``rule`` is the rule that checks a total
    arriving from outside (an import) against them, ``parts_label`` how its message
    names the parts."""

    total: Cell
    parts: tuple[Cell, ...]
    rule: str
    parts_label: str


def _sums() -> tuple[Sum, ...]:
    sums: list[Sum] = []
    # In the order totals are derived: a total's parts come before it.
    for row in APPLICATION_ROWS:
        if not row.is_total:
            parts = tuple(cell("applications", row.key, c.key) for c in APPLICANT_COLUMNS)
            sums.append(Sum(cell("applications", row.key, "total"), parts, "R2", "六类申请人之和"))
    for col in APPLICANT_COLUMNS:
        parts = tuple(cell("applications", r.key, col.key) for r in OUTCOME_ROWS)
        sums.append(
            Sum(
                cell("applications", "handled_total", col.key),
                parts,
                "R3",
                "（一）至（六）各项之和",
            )
        )
    handled = tuple(cell("applications", "handled_total", c.key) for c in APPLICANT_COLUMNS)
    sums.append(
        Sum(cell("applications", "handled_total", "total"), handled, "R2", "六类申请人之和")
    )
    for block in REVIEW_BLOCKS:
        parts = tuple(cell("review_litigation", block.key, k) for k in REVIEW_PARTS)
        sums.append(
            Sum(
                cell("review_litigation", block.key, "total"),
                parts,
                "R4",
                "结果维持、结果纠正、其他结果、尚未审结之和",
            )
        )
    return tuple(sums)


SUMS: tuple[Sum, ...] = _sums()
SUM_OF: dict[tuple[str, str, str | None], Sum] = {s.total.address: s for s in SUMS}
