"""Reading PDFs back in tests: text, fonts, glyphs."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont
from pypdf import PdfReader

PAGE_NUMBER = re.compile(r"^— (\d+) —$", re.M)


def reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in reader(data).pages]


def pdf_text(data: bytes) -> str:
    """The text of a PDF, page after page."""
    return "\n".join(page_texts(data))


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _to_unicode(cmap: bytes) -> dict[int, str]:
    """CID -> text of a ToUnicode CMap (bfchar and bfrange entries)."""
    text = cmap.decode("latin-1")
    mapping: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for cid, uni in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            mapping[int(cid, 16)] = bytes.fromhex(uni).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, start in re.findall(
            r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block
        ):
            first = int(start, 16)
            for offset, cid in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                mapping[cid] = chr(first + offset)
    return mapping


@dataclass
class EmbeddedFont:
    name: str
    embedded: bool
    # character -> whether its glyph draws something
    glyphs: dict[str, bool] = field(default_factory=dict)
    notdef_used: bool = False


def embedded_fonts(data: bytes) -> dict[str, EmbeddedFont]:
    """Every font the pages use, with the characters it draws and whether each of
    their glyphs has an outline (a tofu box is glyph 0, .notdef)."""
    fonts: dict[str, EmbeddedFont] = {}
    for page in reader(data).pages:
        resources = page["/Resources"]
        for ref in resources.get("/Font", {}).values():
            font = ref.get_object()
            name = str(font["/BaseFont"])
            if name in fonts:
                continue
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            program = None
            for key in ("/FontFile3", "/FontFile2", "/FontFile"):
                if key in descriptor:
                    program = descriptor[key].get_object().get_data()
            info = EmbeddedFont(name, program is not None)
            fonts[name] = info
            if program is None or "/ToUnicode" not in font:
                continue
            cmap = _to_unicode(font["/ToUnicode"].get_object().get_data())
            tt = TTFont(io.BytesIO(program))
            order = tt.getGlyphOrder()
            glyph_set = tt.getGlyphSet()
            for cid, text in cmap.items():
                if cid == 0:
                    info.notdef_used = True
                    continue
                pen = BoundsPen(glyph_set)
                glyph_set[order[cid]].draw(pen)
                for ch in text:
                    info.glyphs[ch] = pen.bounds is not None
    return fonts


@dataclass
class TaggedElement:
    """One element of a tagged PDF's structure tree, with the characters drawn for it."""

    type: str
    ancestors: tuple[str, ...]
    chars: list[dict] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(ch["text"] for ch in self.chars)


def tagged_elements(data: bytes) -> tuple[list[TaggedElement], list[dict]]:
    """The structure elements that own marked content, in reading order, each with the
    characters (pdfplumber's, with font name and size) of its marked content; and the
    characters outside any structure element (artifacts: page numbers)."""
    import pdfplumber

    elements: list[TaggedElement] = []
    owner: dict[tuple[int, int], TaggedElement] = {}
    with pdfplumber.open(io.BytesIO(data)) as pdf:

        def walk(node: dict, ancestors: tuple[str, ...], current: TaggedElement | None) -> None:
            kind = node.get("type", "")
            # WeasyPrint wraps text in Span elements: the characters belong to the
            # nearest element above them that is not a Span.
            if kind != "Span" or current is None:
                current = TaggedElement(kind, ancestors)
                elements.append(current)
            for mcid in node.get("mcids") or []:
                owner[(node["page_number"], mcid)] = current
            for child in node.get("children", []):
                walk(child, (*ancestors, kind) if kind != "Span" else ancestors, current)

        for root in pdf.structure_tree:
            walk(root, (), None)
        loose: list[dict] = []
        for page in pdf.pages:
            for ch in page.chars:
                element = owner.get((page.page_number, ch.get("mcid")))
                if element is None:
                    loose.append(ch)
                else:
                    element.chars.append(ch)
    return [e for e in elements if e.chars], loose


def font_family(fontname: str) -> str:
    """A PDF font name without its subset tag: ABCDEF+GOI-Song-Bold,-Bold -> GOI-Song-Bold."""
    return fontname.split("+", 1)[-1].split(",", 1)[0]
