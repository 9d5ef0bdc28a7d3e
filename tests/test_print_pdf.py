"""The finished report in the print layout: PDF content, fonts, layout, safety."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.conf import settings

from reports.models import Report
from reports.printing import pdf
from reports.spec import schema
from tests import pdf_checks
from tests.helpers import load_seed
from tests.seed_text import import_printable_seed, seed_doc

SEEDS = range(5)
HOSTILE = (
    '<img src="file:///etc/passwd">'
    '<link rel="stylesheet" href="file:///etc/passwd">'
    "<style>body { background: url(file:///etc/passwd) }</style>"
    '<div style="background: url(http://127.0.0.1:9/beacon)">x</div>'
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _in_order(haystack: str, needles: list[str]) -> list[str]:
    """The needles not found in order (whitespace ignored: lines wrap anywhere)."""
    missing, position = [], 0
    squeezed = pdf_checks.squeeze(pdf_checks.PAGE_NUMBER.sub("", haystack))
    for needle in needles:
        found = squeezed.find(pdf_checks.squeeze(needle), position)
        if found < 0:
            missing.append(needle)
        else:
            position = found + len(pdf_checks.squeeze(needle))
    return missing


def _numbers_between(text: str, start: str, end: str) -> list[str]:
    text = pdf_checks.PAGE_NUMBER.sub("", text)
    region = text[text.index(start) : text.index(end)]
    # Row labels are numbered "1.属于国家秘密"; those numbers are not figures.
    region = re.sub(r"\d+\.(?=\D)", "", region)
    return re.findall(r"\d+(?:\.\d+)?", region)


# The six headings exactly as SPEC §2 gives them.
SPEC_HEADINGS = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
]


def _json_figures(value) -> list[str]:
    """The figures of a seed's JSON table in the order the JSON lists them, which is
    the printed order of the official form (rows, then columns); a blank cell (null)
    prints nothing."""
    if isinstance(value, dict):
        return [f for v in value.values() for f in _json_figures(v)]
    return [] if value is None else [str(value)]


@pytest.mark.parametrize("index", SEEDS)
def test_pdf_text_shows_every_heading_and_figure_of_the_seed_in_order(index, printed_seed):
    seed = load_seed(index)
    doc = seed_doc(index)
    text = "\n".join(printed_seed(index).page_texts)

    subheadings = [s["heading"] for s in doc["sections"]["general"] if s["heading"]]
    assert _in_order(text, [seed["title"], *SPEC_HEADINGS, "2024年1月10日"]) == []
    assert _in_order(text, [SPEC_HEADINGS[0], *subheadings, SPEC_HEADINGS[1]]) == []
    first_paragraph = doc["sections"]["general"][0]["body"].split("\n")[0]
    assert _in_order(text, [SPEC_HEADINGS[0], first_paragraph[:40]]) == []
    # The closing block ends the report: agency and date each on one line of their own.
    lines = [line.strip() for line in pdf_checks.PAGE_NUMBER.sub("", text).splitlines()]
    lines = [line for line in lines if line]
    assert lines[-2:] == [seed["agency"], "2024年1月10日"]

    for table, heading, following in (
        ("active_disclosure", SPEC_HEADINGS[1], SPEC_HEADINGS[2]),
        ("applications", SPEC_HEADINGS[2], SPEC_HEADINGS[3]),
        ("review_litigation", SPEC_HEADINGS[3], SPEC_HEADINGS[4]),
    ):
        assert _numbers_between(text, heading, following) == _json_figures(seed[table]), table


def test_seed_001_prints_on_a4_pages_with_page_numbers_on_every_page(printed_seed):
    data = printed_seed(1).pdf
    reader = pdf_checks.reader(data)
    assert 5 <= len(reader.pages) <= 8
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)
    texts = printed_seed(1).page_texts
    for number, text in enumerate(texts, start=1):
        assert pdf_checks.PAGE_NUMBER.findall(text) == [str(number)]
    assert len(data) < 1_000_000


@pytest.mark.parametrize("index", SEEDS)
def test_every_character_of_the_seed_is_drawn_from_an_embedded_font_without_tofu(
    index, printed_seed
):
    html = printed_seed(index).html
    fonts = printed_seed(index).fonts

    assert fonts and all(f.embedded for f in fonts.values())
    assert not any(f.notdef_used for f in fonts.values())
    drawn = {}
    for f in fonts.values():
        for ch, has_outline in f.glyphs.items():
            drawn[ch] = drawn.get(ch, False) or has_outline
    body = re.sub(r"<head>.*?</head>|<[^>]+>", "", html, flags=re.S)
    characters = {ch for ch in unescape(body) if not ch.isspace()}
    assert len(characters) > 200
    missing = sorted(ch for ch in characters if not drawn.get(ch))
    assert missing == []
    names = " ".join(fonts)
    # The cached subsets carry the text; the CJK faces are embedded, never referenced.
    for family in ("GOI-Song", "GOI-Hei", "GOI-Kai"):
        assert family in names


@pytest.mark.django_db
def test_a_rare_character_outside_the_font_subset_still_renders_from_the_full_font():
    rare = "龘"  # in GB 18030 but not in GB 2312: not in the cached subset
    report = import_printable_seed(1)
    Report.objects.filter(pk=report.pk).update(problems=f"生僻字{rare}测试。")
    report.refresh_from_db()
    fonts = pdf_checks.embedded_fonts(pdf.render_pdf(report))

    carrying = [name for name, f in fonts.items() if f.glyphs.get(rare)]
    assert carrying, "the rare character was not drawn with a real glyph"
    assert all("GOI" not in name for name in carrying)
    assert not any(f.notdef_used for f in fonts.values())


def test_pdf_metadata_names_title_agency_and_chinese_language_and_is_tagged(printed_seed):
    reader = pdf_checks.reader(printed_seed(1).pdf)
    assert reader.metadata.title == load_seed(1)["title"]
    assert reader.metadata.author == "宁波市镇海区人民政府办公室"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "zh-CN"
    assert bool(root["/MarkInfo"]["/Marked"])  # tagged for screen readers
    assert "/StructTreeRoot" in root


@pytest.mark.django_db
def test_hostile_narrative_is_printed_as_text_and_fetches_nothing(monkeypatch):
    report = import_printable_seed(1)
    Report.objects.filter(pk=report.pk).update(problems=HOSTILE, opening=HOSTILE)
    report.refresh_from_db()
    asked: list[str] = []
    real_check = pdf.check_url

    def spy(url: str):
        asked.append(url)
        return real_check(url)

    monkeypatch.setattr(pdf, "check_url", spy)

    html = pdf.render_html(report, pdf=True)
    data = pdf.render_pdf(report)

    assert "<img" not in html
    assert "<link" not in html
    assert 'style="' not in html
    styles = re.findall(r"<style>(.*?)</style>", html, re.S)
    assert len(styles) == 1 and "passwd" not in styles[0] and "beacon" not in styles[0]
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in html
    text = pdf_checks.squeeze("\n".join(pdf_checks.page_texts(data)))
    assert pdf_checks.squeeze('<img src="file:///etc/passwd">') in text
    assert "root:" not in text
    font_dir = settings.PRINT_FONT_CACHE.resolve().as_uri()
    assert asked and all(url.startswith(font_dir) for url in asked)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/beacon",
        "https://example.com/x.png",
        "data:text/plain,hello",
        "file://evil.example/etc/passwd",
    ],
)
def test_the_url_fetcher_refuses_anything_but_the_projects_own_files(url):
    with pytest.raises(pdf.ForbiddenURL):
        pdf.check_url(url)


def test_the_url_fetcher_refuses_a_path_climbing_out_of_the_static_files():
    climbing = (settings.BASE_DIR / "static" / ".." / ".." / ".." / "etc" / "passwd").as_posix()
    with pytest.raises(pdf.ForbiddenURL):
        pdf.check_url("file://" + climbing)
    css = settings.BASE_DIR / "static" / "reports" / "print.css"
    assert pdf.check_url(css.as_uri()) == css.resolve()


def test_long_titles_break_after_the_agency_into_balanced_lines():
    title = "宁波市镇海区人民政府办公室2023年度政府信息公开工作年度报告"
    assert pdf.title_lines(title, "宁波市镇海区人民政府办公室") == [
        "宁波市镇海区人民政府办公室",
        "2023年度政府信息公开工作年度报告",
    ]
    assert pdf.title_lines("某局2023年报告", "某局") == ["某局2023年报告"]
    long_agency = "宁波市镇海区人民政府办公室宁波市镇海区大数据发展管理中心联合"
    lines = pdf.title_lines(long_agency + "2023年政府信息公开工作年度报告", long_agency)
    assert "".join(lines) == long_agency + "2023年政府信息公开工作年度报告"
    widths = [pdf._width(line) for line in lines]
    assert max(widths) <= pdf.TITLE_LINE_WIDTH
    assert max(widths) - min(widths) <= 2


@pytest.mark.django_db
def test_html_print_layout_uses_the_official_font_stack_first():
    report = import_printable_seed(1)
    html = pdf.render_html(report)
    assert '<html lang="zh-CN">' in html
    assert "2024年1月10日" in html
    body_stack = re.search(r"body \{[^}]*font-family: ([^;]*);", html, re.S).group(1)
    assert body_stack.index("仿宋_GB2312") < body_stack.index("Noto Serif CJK SC")
    assert "src: url(" not in html  # the cached subsets are for the PDF only


def test_the_applications_matrix_repeats_its_header_on_every_page_it_spans(printed_seed):
    texts = printed_seed(1).page_texts
    rows = [r.label for r in schema.APPLICATION_ROWS]
    spanned = [
        t for t in texts if any(pdf_checks.squeeze(r) in pdf_checks.squeeze(t) for r in rows)
    ]
    assert len(spanned) >= 2  # seed 001 breaks the matrix across pages
    for text in spanned:
        assert schema.APPLICANT_BANNER in text
        assert pdf_checks.squeeze(schema.CORNER_NOTE) in pdf_checks.squeeze(text)
    # No row is split: every row label with its seven figures sits on one page.
    for row in schema.APPLICATION_ROWS:
        pages = [t for t in spanned if pdf_checks.squeeze(row.label) in pdf_checks.squeeze(t)]
        assert len(pages) == 1, row.label


@pytest.mark.django_db
def test_a_pdf_still_renders_with_full_fonts_when_the_font_cache_cannot_be_written(
    settings, tmp_path
):
    from reports.printing import fonts

    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    settings.PRINT_FONT_CACHE = blocked / "fonts"
    fonts.subset_fonts.cache_clear()
    try:
        report = import_printable_seed(4)
        embedded = pdf_checks.embedded_fonts(pdf.render_pdf(report))
    finally:
        fonts.subset_fonts.cache_clear()
    assert embedded and not any("GOI" in name for name in embedded)
    assert any("Noto-Serif-CJK" in name for name in embedded)
    assert not any(f.notdef_used for f in embedded.values())


def test_cutting_a_face_again_removes_only_its_own_stale_subsets(settings, tmp_path, monkeypatch):
    from reports.printing import fonts

    settings.PRINT_FONT_CACHE = tmp_path
    # What is cut does not matter here, only which files are kept: a few characters
    # instead of GB 2312's 7,000 keep the test quick.
    monkeypatch.setattr(fonts, "subset_characters", lambda: "政府信息公开")
    song = next(f for f in fonts.FACES if f.key == "song")
    stale_song = tmp_path / "song-notoserifcjkregular-000000000000.font"
    other_face = tmp_path / "song-bold-notoserifcjkbold-000000000000.font"
    # A checkout sharing the cache that cuts the face from another font keeps its cut.
    other_source = tmp_path / "song-fandolsongregular-000000000000.font"
    for kept in (stale_song, other_face, other_source):
        kept.write_bytes(b"old")
    path = fonts.build_subset(song)
    assert path is not None and path.exists() and path.parent == tmp_path
    assert path.name.startswith("song-notoserifcjkregular-")
    assert not stale_song.exists()
    assert other_face.exists() and other_source.exists()
    # The next call finds the subset cut and does not cut it again.
    mtime = path.stat().st_mtime_ns
    assert fonts.build_subset(song) == path
    assert path.stat().st_mtime_ns == mtime


def test_page_numbers_sit_right_on_odd_pages_and_left_on_even_pages_below_the_text(
    printed_seed,
):
    pages = pdf_checks.reader(printed_seed(1).pdf).pages
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        found: list[tuple[float, float]] = []

        def visit(text, cm, tm, font_dict, font_size, found=found, number=number):
            if text.strip() == f"— {number} —":
                # The current matrix and text matrix together give the position.
                found.append((cm[4] + tm[4] * cm[0], cm[5] + tm[5] * cm[3]))

        page.extract_text(visitor_text=visit)
        assert found, f"no page number on page {number}"
        x, y = found[-1]
        width = float(page.mediabox.width)
        mm = 72 / 25.4
        assert (x > width / 2) == (number % 2 == 1)
        # Below the 225 mm text block (which ends 35 mm above the bottom edge).
        assert 20 * mm < y < 35 * mm


def test_the_text_block_starts_at_the_binding_margin_mirrored_on_even_pages(printed_seed):
    pages = pdf_checks.reader(printed_seed(1).pdf).pages
    mm = 72 / 25.4
    for number, page in enumerate(pages[:2], start=1):
        starts: list[float] = []
        tops: list[float] = []

        def visit(text, cm, tm, font_dict, font_size, starts=starts, tops=tops):
            if text.strip() and not pdf_checks.PAGE_NUMBER.match(text.strip()):
                starts.append(cm[4] + tm[4] * cm[0])
                tops.append(cm[5] + tm[5] * cm[3])

        page.extract_text(visitor_text=visit)
        left = 28 if number % 2 == 1 else 26
        assert abs(min(starts) / mm - left) < 1, number
        # The first baseline sits just under the 37 mm top margin.
        assert 297 - 37 - 12 < max(tops) / mm < 297 - 37, number
