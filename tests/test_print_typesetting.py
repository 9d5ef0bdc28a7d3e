"""Typesetting of the printed report: which font draws each character, the 楷 headings
beside the 仿宋 body, long unbreakable runs, tables at a page's foot (SPEC §5)."""

from __future__ import annotations

import re
from functools import cache

import pytest
import weasyprint
from fontTools.pens.areaPen import AreaPen
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont

from reports.io import codec
from reports.printing import fonts, pdf
from reports.spec import schema
from tests import pdf_checks
from tests.seed_text import seed_doc

SEEDS = range(5)

# What GB/T 9704 and SPEC §5 ask of each part, in the free fonts `make` installs: the
# face cut as a subset, and the full font of the same family and weight that a
# character outside the subset falls back to (the last entry of the CSS stack).
FANG = ("GOI-Fang", "Noto-Serif-CJK-SC")  # 仿宋 body; FandolFang has no full font beyond
TITLE = ("GOI-Song-Bold", "Noto-Serif-CJK-SC-Bold")  # 小标宋 stand-in, bold
HEI = ("GOI-Hei", "Noto-Sans-CJK-SC")  # 黑体 headings of 一–六, table captions
KAI = ("GOI-Kai", "AR-PL-UKai-CN")  # 楷体 sub-headings
PAGE_NUMBER = ("GOI-Song", "Noto-Serif-CJK-SC")  # 宋体 page numbers

SUBSET_OF = {"GOI-Fang": "fang", "GOI-Song-Bold": "song-bold", "GOI-Hei": "hei"}
SUBSET_OF |= {"GOI-Kai": "kai", "GOI-Song": "song"}


@cache
def subset_cmap(family: str) -> frozenset[int]:
    path = fonts.subset_fonts()[SUBSET_OF[family]]
    return frozenset(TTFont(str(path)).getBestCmap())


def intended(element: pdf_checks.TaggedElement) -> tuple[str, str]:
    if element.type == "H1":
        return TITLE
    if element.type == "H2":
        return HEI
    if element.type == "H3":
        return KAI
    if element.type == "TH" and element.text.startswith("第二十条"):
        return HEI
    return FANG


def wrong_fonts(chars: list[dict], subset: str, fallback: str) -> list[tuple[str, str]]:
    """(character, font) for every character not drawn from the subset of its role, or
    from the full font of the same family and weight when the subset lacks it."""
    wrong = []
    for ch in chars:
        if ch["text"].isspace():
            continue
        family = pdf_checks.font_family(ch["fontname"])
        if family == subset:
            continue
        if family == fallback and not all(ord(c) in subset_cmap(subset) for c in ch["text"]):
            continue
        wrong.append((ch["text"], family))
    return wrong


@pytest.mark.parametrize("index", SEEDS)
def test_every_character_of_the_seed_is_drawn_from_the_family_and_weight_of_its_role(
    index, printed_seed
):
    elements, page_numbers = printed_seed(index).tagged

    kinds = {e.type for e in elements}
    assert {"H1", "H2", "P", "TH", "TD"} <= kinds
    drawn = 0
    for element in elements:
        assert wrong_fonts(element.chars, *intended(element)) == [], element.text[:30]
        drawn += len(element.chars)
    assert wrong_fonts(page_numbers, *PAGE_NUMBER) == []
    # Every character of the page is in some element or is a page number.
    assert drawn > 1000 and len(page_numbers) >= 4 * 5


def test_a_rare_character_in_the_bold_title_stays_bold_and_in_the_body_stays_regular(
    printed_seed,
):
    elements, _ = printed_seed(3).tagged
    rare = "硚"  # seed 003's 硚口区: outside GB 2312, so outside every subset
    assert ord(rare) not in subset_cmap("GOI-Song-Bold")
    assert ord(rare) not in subset_cmap("GOI-Fang")

    def fonts_of(kind: str) -> set[str]:
        return {
            pdf_checks.font_family(ch["fontname"])
            for e in elements
            if e.type == kind
            for ch in e.chars
            if ch["text"] == rare
        }

    assert fonts_of("H1") == {"Noto-Serif-CJK-SC-Bold"}
    assert fonts_of("P") == {"Noto-Serif-CJK-SC"}


def _glyph_metrics(family: str, text: str) -> tuple[float, float]:
    """Mean ink box area and mean ink area of ``text``'s glyphs, in em²."""
    font = TTFont(str(fonts.subset_fonts()[SUBSET_OF[family]]))
    cmap, glyphs, upm = font.getBestCmap(), font.getGlyphSet(), font["head"].unitsPerEm
    boxes, inks = [], []
    for ch in text:
        bounds, area = BoundsPen(glyphs), AreaPen(glyphs)
        glyphs[cmap[ord(ch)]].draw(bounds)
        glyphs[cmap[ord(ch)]].draw(area)
        x0, y0, x1, y1 = bounds.bounds
        boxes.append((x1 - x0) * (y1 - y0) / upm**2)
        inks.append(abs(area.value) / upm**2)
    return sum(boxes) / len(boxes), sum(inks) / len(inks)


def test_kai_sub_headings_are_set_at_the_body_size_and_look_as_large_and_dark(printed_seed):
    elements, _ = printed_seed(1).tagged
    headings = [e for e in elements if e.type == "H3"]
    body = [e for e in elements if e.type == "P" and "Sect" in e.ancestors]
    assert headings and body
    sizes = {round(ch["size"], 1) for e in headings + body for ch in e.chars}
    assert sizes == {16.0}  # 三号, SPEC §5

    # The same characters in both faces: a 楷 face draws them in a box as large and with
    # as much ink as the 仿宋 body (AR PL UKai, the face before, drew them 8 % smaller).
    text = "".join(sorted({c for e in headings for c in e.text if "\u4e00" <= c <= "\u9fff"}))
    assert len(text) >= 10
    kai_box, kai_ink = _glyph_metrics("GOI-Kai", text)
    fang_box, fang_ink = _glyph_metrics("GOI-Fang", text)
    assert abs(kai_box / fang_box - 1) < 0.05
    assert abs(kai_ink / fang_ink - 1) < 0.10


@pytest.mark.django_db
def test_a_long_url_and_a_long_number_wrap_inside_the_text_block():
    doc = seed_doc(1)
    url = "https://www.zh.gov.cn/col/col1229015040/index.html?uid=8056983&pageNum=12&type=zfxxgk"
    number = "9" * 60
    doc["sections"]["problems"] = f"详见本机关门户网站{url}。统计编号{number}。"
    data = pdf.document_pdf(codec.parse(doc).doc)

    elements, _ = pdf_checks.tagged_elements(data)
    # A paragraph broken across pages is one element per page.
    written = doc["sections"]["problems"]
    parts = [e for e in elements if e.type == "P" and pdf_checks.squeeze(e.text) in written]
    chars = [ch for e in parts for ch in e.chars]
    assert "".join(ch["text"] for ch in chars if not ch["text"].isspace()) == written
    mm = 72 / 25.4
    page_width = 210 * mm
    for ch in chars:
        # Odd pages have the 26 mm margin on the right, even ones 28 mm.
        right_margin = 26 if ch["page_number"] % 2 else 28
        assert ch["x1"] <= page_width - right_margin * mm + 0.5, ch["text"]
    lines = {(ch["page_number"], round(ch["top"])) for ch in chars}
    assert len(lines) >= 4  # 88 characters of URL and 60 digits need several lines


def _matrix_page(filler_lines: int) -> str:
    """The applications matrix after ``filler_lines`` one-line paragraphs, in the print
    stylesheet: the line pitch is fixed (28.9 pt), so each count puts its start one
    line lower on the page."""
    html = pdf.document_html(codec.parse(seed_doc(1)).doc, pdf=True)
    head, body = html.split('<article class="gw">')
    matrix = re.search(
        r'<section class="gw-section" id="print-applications">.*?</section>', body, re.S
    )
    assert matrix is not None
    filler = "<p>一行。</p>" * filler_lines
    return f'{head}<article class="gw">{filler}{matrix.group(0)}</article></body></html>'


def _body_rows_per_page(html: str) -> list[int]:
    document = weasyprint.HTML(
        string=html,
        base_url=fonts.cache_dir().resolve().as_uri() + "/",
        url_fetcher=pdf.safe_fetcher(),
    ).render()
    counts = []
    for page in document.pages:
        rows = 0
        stack = [(page._page_box, False)]
        while stack:
            box, in_body = stack.pop()
            tag = getattr(box, "element_tag", None)
            if in_body and tag == "tr" and type(box).__name__ == "TableRowBox":
                rows += 1
            in_body = in_body or (type(box).__name__ == "TableRowGroupBox" and tag == "tbody")
            stack.extend((child, in_body) for child in getattr(box, "children", []))
        counts.append(rows)
    return counts


@pytest.mark.parametrize("filler_lines", [14, 17])
def test_the_matrix_never_starts_at_a_page_foot_with_its_header_and_fewer_than_three_rows(
    filler_lines,
):
    # Worked out by hand from the layout: after 14 lines the page has room for the
    # header and 2 rows, after 17 for the header and 1 (the rule makes both move on).
    counts = _body_rows_per_page(_matrix_page(filler_lines))
    first = next(i for i, n in enumerate(counts) if n)
    assert counts[first] >= 3
    assert sum(counts) == len(schema.APPLICATION_ROWS)  # no row lost or split in two
