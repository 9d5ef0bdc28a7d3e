"""The fonts of the printed report, and a cache of small subsets of them.

A PDF must embed its fonts. The free CJK faces that stand in for the official ones
(SPEC §5) hold 65,000 glyphs each; cutting the few hundred a report uses out of such a
font is what makes a plain WeasyPrint run slow (seconds per face with fontTools). So
each face is cut once, on this machine, down to the common characters (GB 2312, which
covers every character of the seeds, plus ASCII and CJK punctuation), and the PDF
stylesheet names these small fonts first. A rare character outside the subset is
taken by Pango from the next family of the CSS stack, the full system font, so it
still renders; only that rare document pays for the big font.

Nothing here is committed: the subsets are built from the Debian fonts on first use
(or by ``manage.py build_print_fonts``) into ``settings.PRINT_FONT_CACHE``. Debian has
no free 仿宋 font package: ``make fonts`` takes FandolFang (and FandolKai, drawn to
match it) out of the texlive-lang-chinese package without installing TeX, into
``PRINT_FONT_CACHE/sources/fandol`` with its licence (GPL v3 with the font exception,
which lets a document embed the font without the document falling under the GPL).
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import tempfile
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path

import cffi
from django.conf import settings
from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

log = logging.getLogger(__name__)

# Bumped whenever the character set or the way subsets are cut changes.
SUBSET_VERSION = "2"


FONT_FILE_SUFFIXES = (".otf", ".ttf", ".ttc")


@dataclass(frozen=True)
class Face:
    key: str
    family: str  # the @font-face family name the stylesheet uses
    # The free fonts to cut it from, first found wins: fontconfig patterns of installed
    # fonts, or font files under ``source_dir()`` (those `make fonts` fetches).
    sources: tuple[str, ...]
    weight: str = "normal"  # the @font-face weight, so a bold stack finds it as bold


FACES: tuple[Face, ...] = (
    Face("fang", "GOI Fang", ("FandolFang R", "fandol/FandolFang-Regular.otf")),
    Face("song", "GOI Song", ("Noto Serif CJK SC:style=Regular",)),
    Face("song-bold", "GOI Song Bold", ("Noto Serif CJK SC:style=Bold",), weight="bold"),
    Face("hei", "GOI Hei", ("Noto Sans CJK SC:style=Regular",)),
    # FandolKai is drawn as FandolFang's companion: at the body's size its strokes and
    # its characters' height match the body, where AR PL UKai looks smaller and lighter.
    Face("kai", "GOI Kai", ("LXGW WenKai", "fandol/FandolKai-Regular.otf", "AR PL UKai CN")),
)


def subset_characters() -> str:
    """GB 2312 (its 6,763 hanzi and its symbols), ASCII, Latin-1, and the punctuation,
    enclosed numbers and full-width forms Chinese documents use."""
    chars: set[str] = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    ranges = [
        (0x20, 0x7E),
        (0xA0, 0xFF),
        (0x2000, 0x206F),  # general punctuation: — … ‘’ “”
        (0x2100, 0x215F),  # letterlike symbols, number forms
        (0x2160, 0x218F),  # roman numerals
        (0x2460, 0x24FF),  # ① ⑴ ⒈
        (0x3000, 0x303F),  # CJK punctuation: 、。〔〕《》
        (0xFF00, 0xFFEF),  # full-width forms
    ]
    for low, high in ranges:
        chars.update(chr(c) for c in range(low, high + 1))
    return "".join(sorted(chars))


def cache_dir() -> Path:
    return Path(settings.PRINT_FONT_CACHE)


def source_dir() -> Path:
    """Where `make fonts` puts the free fonts Debian does not install as fonts."""
    return cache_dir() / "sources"


def _fc_match(pattern: str) -> tuple[Path, int] | None:
    """The font file fontconfig picks for ``pattern``, if it really is that family."""
    try:
        out = subprocess.run(
            ["fc-match", "--format=%{family}|%{file}|%{index}", pattern],
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    families, _, rest = out.partition("|")
    path, _, index = rest.rpartition("|")
    wanted = pattern.split(":")[0]
    if wanted not in families.split(",") or not path:
        return None
    return Path(path), int(index or 0)


def find_source(face: Face) -> tuple[Path, int] | None:
    for source in face.sources:
        if source.endswith(FONT_FILE_SUFFIXES):
            path = source_dir() / source
            if path.is_file():
                return path, 0
            continue
        found = _fc_match(source)
        if found is not None:
            return found
    return None


def _source_stem(source: Path) -> str:
    return "".join(ch for ch in source.stem.lower() if ch.isalnum())


def _subset_path(face: Face, source: Path, index: int) -> Path:
    # The source's name is part of the file name: a cache shared by checkouts that cut
    # a face from different fonts keeps each one's subset (see ``_stale_subsets``).
    stat = source.stat()
    key = f"{SUBSET_VERSION}|{source}|{index}|{stat.st_size}|{stat.st_mtime_ns}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return cache_dir() / f"{face.key}-{_source_stem(source)}-{digest}.font"


def _stale_subsets(path: Path) -> list[Path]:
    """Earlier cuts of the same face from the same font (an older font file or subset
    version), never another face's nor one cut from another font."""
    prefix = path.name[: -len("0123456789ab.font")]
    return [p for p in path.parent.glob(f"{prefix}{'?' * 12}.font") if p != path]


def _cut_with_harfbuzz(source: Path, index: int, chars: str) -> bytes | None:
    """HarfBuzz cuts a 65,000-glyph font in a fraction of a second; fontTools needs
    about 20 s. It is used when libharfbuzz-subset is installed."""
    ffi = cffi.FFI()
    ffi.cdef(
        """
        typedef struct hb_blob_t hb_blob_t;
        typedef struct hb_face_t hb_face_t;
        typedef struct hb_set_t hb_set_t;
        typedef struct hb_subset_input_t hb_subset_input_t;
        hb_blob_t *hb_blob_create_from_file_or_fail(const char *file_name);
        void hb_blob_destroy(hb_blob_t *blob);
        const char *hb_blob_get_data(hb_blob_t *blob, unsigned int *length);
        hb_face_t *hb_face_create(hb_blob_t *blob, unsigned int index);
        void hb_face_destroy(hb_face_t *face);
        hb_blob_t *hb_face_reference_blob(hb_face_t *face);
        void hb_set_add(hb_set_t *set, uint32_t codepoint);
        hb_subset_input_t *hb_subset_input_create_or_fail(void);
        void hb_subset_input_destroy(hb_subset_input_t *input);
        hb_set_t *hb_subset_input_unicode_set(hb_subset_input_t *input);
        void hb_subset_input_set_flags(hb_subset_input_t *input, unsigned value);
        hb_face_t *hb_subset_or_fail(hb_face_t *source, const hb_subset_input_t *input);
        """
    )
    try:
        hb = ffi.dlopen("libharfbuzz.so.0")
        hb_subset = ffi.dlopen("libharfbuzz-subset.so.0")
    except OSError:
        return None
    blob = hb.hb_blob_create_from_file_or_fail(str(source).encode())
    if blob == ffi.NULL:
        return None
    face = hb.hb_face_create(blob, index)
    subset_input = hb_subset.hb_subset_input_create_or_fail()
    try:
        unicodes = hb_subset.hb_subset_input_unicode_set(subset_input)
        for ch in chars:
            hb.hb_set_add(unicodes, ord(ch))
        hb_subset.hb_subset_input_set_flags(subset_input, 0x1)  # NO_HINTING
        result = hb_subset.hb_subset_or_fail(face, subset_input)
        if result == ffi.NULL:
            return None
        out_blob = hb.hb_face_reference_blob(result)
        length = ffi.new("unsigned int *")
        data = bytes(ffi.buffer(hb.hb_blob_get_data(out_blob, length), length[0]))
        hb.hb_blob_destroy(out_blob)
        hb.hb_face_destroy(result)
        return data or None
    finally:
        hb_subset.hb_subset_input_destroy(subset_input)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)


def _cut_with_fonttools(source: Path, index: int, chars: str) -> bytes:
    options = subset.Options()
    options.hinting = False
    options.notdef_outline = True
    options.name_IDs = ["*"]
    font = TTFont(str(source), fontNumber=index, lazy=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in chars])
    subsetter.subset(font)
    out = BytesIO()
    font.save(out)
    return out.getvalue()


def _to_truetype(data: bytes) -> bytes:
    """CFF outlines turned into TrueType (quadratic) ones, once, when the subset is cut.

    WeasyPrint cuts the glyphs a document uses out of each embedded font on every
    rendering; TrueType glyphs are stored one by one and cost little to cut, whereas a
    CFF table is decoded and re-encoded whole (seconds with fontTools). The PDFs come out
    smaller too. Curves are approximated within one font unit (1/1000 em): invisible.
    """
    font = TTFont(BytesIO(data))
    if "CFF " not in font:
        return data
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
        "maxComponentDepth",
    ):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    font["post"].formatType = 3.0  # no glyph names: the PDF needs glyph ids only
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"
    out = BytesIO()
    font.save(out)
    return out.getvalue()


def build_subset(face: Face) -> Path | None:
    """The cached subset of ``face``, cut now if it is not cached yet; None when no
    source font is installed (the stylesheet then falls back to system fonts)."""
    found = find_source(face)
    if found is None:
        log.warning("No source font for %s (%s)", face.family, ", ".join(face.sources))
        return None
    source, index = found
    path = _subset_path(face, source, index)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    chars = subset_characters()
    data = _cut_with_harfbuzz(source, index, chars)
    if data is None:
        data = _cut_with_fonttools(source, index, chars)
    data = _to_truetype(data)
    # Written aside and renamed: a concurrent reader never sees half a font.
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
    for stale in _stale_subsets(path):
        stale.unlink(missing_ok=True)
    return path


@cache
def subset_fonts() -> dict[str, Path]:
    """Face key -> cached subset file, for every face whose source is installed."""
    fonts: dict[str, Path] = {}
    for face in FACES:
        try:
            path = build_subset(face)
        except Exception:
            # A PDF must still come out: without the subset, the stylesheet's stack
            # falls to the full system font, slower but correct.
            log.exception("Could not cut the font subset %s", face.family)
            continue
        if path is not None:
            fonts[face.key] = path
    return fonts


def font_face_css() -> str:
    """@font-face rules naming the cached subsets, for the PDF stylesheet only."""
    rules = []
    by_key = {f.key: f for f in FACES}
    for key, path in subset_fonts().items():
        face = by_key[key]
        rules.append(
            f'@font-face {{ font-family: "{face.family}"; font-weight: {face.weight}; '
            f'src: url("{path.resolve().as_uri()}"); }}'
        )
    return "\n".join(rules)
