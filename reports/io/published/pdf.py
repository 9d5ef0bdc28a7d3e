"""A PDF with a text layer as lines, read with pdfplumber: the tables it draws (ruled
cells, merged cells ``None``) as rows, the text around them as lines in reading order,
page by page. A table without rules comes out as lines whose cells are separated by
spaces, which the tokeniser splits. A PDF without any text (a scan) is refused: OCR is
not attempted."""

from __future__ import annotations

import io
import re
import unicodedata

from reports.io.published.source import Line, SourceError, row

MAX_PAGES = 200
# Kangxi radicals and CJK radical supplements that some PDF producers emit for the
# common characters (⼀ for 一): what the reader means is the unified character.
_RADICALS = re.compile("[\u2e80-\u2ef3\u2f00-\u2fd5]")


def _unify(text: str) -> str:
    return _RADICALS.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)


def _inside(obj: dict, boxes: list[tuple[float, float, float, float]]) -> bool:
    x = (obj["x0"] + obj["x1"]) / 2
    y = (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)


def _page_lines(page) -> list[Line]:
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]
    blocks: list[tuple[float, list[Line]]] = []
    for table in tables:
        rows = []
        for cells in table.extract():
            made = row([None if c is None else _unify(c).replace("\n", "") for c in cells])
            if made is not None:
                rows.append(made)
        blocks.append((table.bbox[1], rows))
    outside = page.filter(lambda obj: obj.get("object_type") != "char" or not _inside(obj, boxes))
    for text_line in outside.extract_text_lines(x_tolerance=2, return_chars=False):
        text = _unify(text_line["text"]).strip()
        if text:
            blocks.append((text_line["top"], [Line(text)]))
    blocks.sort(key=lambda b: b[0])
    return [line for _, lines in blocks for line in lines]


def pdf_lines(data: bytes) -> list[Line]:
    # pdfplumber (and pdfminer under it) takes ~0.15 s to import: loaded only when a
    # PDF comes, not by every process that imports the importer.
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    lines: list[Line] = []
    chars = 0
    try:
        with pdfplumber.open(io.BytesIO(data)) as document:
            if len(document.pages) > MAX_PAGES:
                raise SourceError(
                    f"PDF共{len(document.pages)}页，超过{MAX_PAGES}页，不像一份年度报告。"
                )
            for page in document.pages:
                chars += len(page.chars)
                lines.extend(_page_lines(page))
                lines.append(Line(""))
    except PDFPasswordIncorrect:
        raise SourceError("PDF文件有密码保护，无法读取；请上传未加密的文件。") from None
    except (PDFSyntaxError, ValueError, KeyError, TypeError) as exc:
        raise SourceError(
            f"PDF文件已损坏或格式不正确（{type(exc).__name__}），无法读取。"
        ) from None
    if chars == 0:
        raise SourceError(
            "这份PDF没有文字层（可能是扫描件或图片），无法读取其中的文字和表格。"
            "请上传发布时的Word文档或可复制文字的PDF（本系统不做文字识别）。"
        )
    return lines
