"""Writing a published report as text, the way Word, PDF tools, Markdown and HTML do.

Tests use it to produce reports the parser has not seen (other figures, other layouts)
and to introduce one variant of SPEC §6 at a time.
"""

from __future__ import annotations

from reports.spec import schema

HEADINGS = [s.heading for s in schema.SECTIONS]


def _fmt(value) -> str:
    return "" if value is None else str(value)


def table_rows(doc: dict, labels: dict | None = None) -> dict[str, list[list[str]]]:
    """The three tables as lists of rows of cell texts (PDF-like geometry)."""
    labels = labels or {}
    ad = doc["active_disclosure"]
    heads = labels.get("active_headers", ["本年制发件数", "本年废止件数", "现行有效件数"])
    two = [
        ["第二十条第（一）项", "", "", ""],
        ["信息内容", *heads],
        ["规章", *(_fmt(ad["rules"][k]) for k in ("issued", "repealed", "in_force"))],
        [
            labels.get("normative_documents", "行政规范性文件"),
            *(_fmt(ad["normative_documents"][k]) for k in ("issued", "repealed", "in_force")),
        ],
        ["第二十条第（五）项", "", "", ""],
        ["信息内容", "本年处理决定数量", "", ""],
        ["行政许可", _fmt(ad["licensing"]), "", ""],
        ["第二十条第（六）项", "", "", ""],
        ["信息内容", "本年处理决定数量", "", ""],
        ["行政处罚", _fmt(ad["penalty"]), "", ""],
        ["行政强制", _fmt(ad["enforcement"]), "", ""],
        ["第二十条第（八）项", "", "", ""],
        ["信息内容", "本年收费金额（单位：万元）", "", ""],
        ["行政事业性收费", _fmt(ad["fees_10k_yuan"]), "", ""],
    ]
    cols = labels.get("columns", ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"])
    three = [
        [schema.CORNER_NOTE, "", "申请人情况", "", "", "", "", "", "总计"],
        ["", "", "自然人", "法人或其他组织", "", "", "", "", ""],
        ["", "", "", *cols, ""],
    ]
    apps = doc["applications"]
    order = [c.key for c in schema.APPLICATION_COLUMNS]
    for row in schema.APPLICATION_ROWS:
        values = [_fmt(apps[row.key][k]) for k in order]
        label = labels.get(row.key, row.label)
        three.append([label, "", *values])
    rl = doc["review_litigation"]
    outcomes = ["结果 维持", "结果 纠正", "其他 结果", "尚未 审结", "总计"]
    four = [
        ["行政复议", "", "", "", "", "行政诉讼"] + [""] * 9,
        [*outcomes, "未经复议直接起诉", "", "", "", "", "复议后起诉", "", "", "", ""],
        [""] * 5 + outcomes + outcomes,
        [_fmt(rl[b.key][o.key]) for b in schema.REVIEW_BLOCKS for o in schema.REVIEW_OUTCOMES],
    ]
    return {"active_disclosure": two, "applications": three, "review_litigation": four}


def published_text(
    doc: dict,
    style: str = "pdf",
    headings: list[str] | None = None,
    labels: dict | None = None,
) -> str:
    """A whole report. ``style``: pdf (TAB rows), word (one cell per line), markdown,
    html. A value in ``doc`` may be a string such as "/" to write that text."""
    headings = headings or HEADINGS
    tables = table_rows(doc, labels)
    out: list[str] = []
    title = doc.get("title") or schema.title_for(doc["agency"], doc["year"])
    if style == "html":
        return _html(doc, title, headings, tables)
    h = "# " if style == "markdown" else ""
    out += [h + title, "", "根据《中华人民共和国政府信息公开条例》编制本报告。", ""]
    out += [h + headings[0], "本年度工作正常开展。"]
    out += [
        "（一）主动公开情况。本年度主动公开政府信息30条。",
        "（二）依申请公开情况",
        "本年度收到申请若干件。",
    ]
    for key, heading in zip(
        ("active_disclosure", "applications", "review_litigation"), headings[1:4], strict=True
    ):
        out += ["", h + heading, ""]
        out += _table(tables[key], style)
    out += ["", h + headings[4], "存在的问题是公开内容不够丰富。", ""]
    out += [h + headings[5], "本年度未收取信息处理费。", "", doc["agency"], "2024年1月10日"]
    return "\n".join(out) + "\n"


def _table(rows: list[list[str]], style: str) -> list[str]:
    if style == "pdf":
        return ["\t".join(row) for row in rows]
    if style == "markdown":
        width = max(len(r) for r in rows)
        lines = ["| " + " | ".join(rows[0] + [""] * (width - len(rows[0]))) + " |"]
        lines.append("|" + "---|" * width)
        lines += ["| " + " | ".join(r + [""] * (width - len(r))) + " |" for r in rows[1:]]
        return lines
    # word: one cell per line with a leading TAB, a blank line between rows;
    # lines: the same without TABs (text copied from a web page), blank cells dropped
    lines: list[str] = []
    for row in rows:
        if style == "lines":
            lines += [cell for cell in row if cell]
        else:
            lines += ["\t" + cell for cell in row]
        lines.append("")
    return lines


def _html(doc: dict, title: str, headings: list[str], tables: dict) -> str:
    def table(rows):
        body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
        return f"<table border='1'>{body}</table>"

    parts = [f"<html><body><h1>{title}</h1><p>根据条例编制本报告。</p>"]
    parts.append(f"<h2>{headings[0]}</h2><p>（一）主动公开情况。本年度主动公开政府信息30条。</p>")
    for key, heading in zip(
        ("active_disclosure", "applications", "review_litigation"), headings[1:4], strict=True
    ):
        parts.append(f"<h2>{heading}</h2>{table(tables[key])}")
    parts.append(f"<h2>{headings[4]}</h2><p>存在的问题是公开内容不够丰富。</p>")
    parts.append(f"<h2>{headings[5]}</h2><p>本年度未收取信息处理费。</p>")
    parts.append(f"<p>{doc['agency']}</p><p>2024年1月10日</p></body></html>")
    return "".join(parts)
