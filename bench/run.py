"""Benchmark: the PDF export of seed 001 against a plain WeasyPrint run.

Every timing is a whole process, started afresh, as a clerk's click or a cron job pays
it. Four processes are timed, each several times (median):

  plain/hb      python -m weasyprint on the print HTML of seed 001 with the system's full
                Noto CJK fonts, WeasyPrint subsetting them with HarfBuzz (libharfbuzz-subset)
  plain/ft      the same, WeasyPrint subsetting with fontTools, as it does on a machine
                without libharfbuzz-subset (the 16 s case of the issue)
  plain/subset  python -m weasyprint on the very HTML the export renders (the cached font
                subsets): what WeasyPrint alone costs, without Django, for this document
  export        manage.py export_report ID --format pdf (cached font subsets), the PDF
                cache emptied before each run: a first download
  export/ft     the same, fontTools subsetting forced
  export/warm   the same with the PDF of the unchanged report cached: a repeated download

Usage: .venv/bin/python bench/run.py [--runs N]   (make bench)
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

# Imported before anything else in a timed process: makes WeasyPrint believe that
# libharfbuzz-subset is missing, so that it subsets with fontTools.
FORCE_FONTTOOLS = "import weasyprint.pdf.fonts as f; f.harfbuzz_subset = None; "


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, cwd=BASE_DIR, check=True, capture_output=True)
    return time.perf_counter() - start


def pdf_facts(path: Path) -> str:
    from pypdf import PdfReader

    pages = len(PdfReader(str(path)).pages)
    return f"{pages} pages, {path.stat().st_size / 1024:.0f} KiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    # Byte-compiled as pip compiled WeasyPrint and Django when it installed them, and as a
    # deployment would be: where PYTHONDONTWRITEBYTECODE is set, every export process
    # would otherwise compile the project's modules afresh.
    for package in ("goireport", "reports"):
        compileall.compile_dir(BASE_DIR / package, quiet=1)

    work = Path(tempfile.mkdtemp(prefix="goireport-bench-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
        "MEDIA_ROOT": str(work / "media"),
        "DJANGO_SETTINGS_MODULE": "goireport.settings",
        "PYTHONPATH": str(BASE_DIR),
    }
    os.environ.update(env)
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.core.management import call_command

    from reports.printing import fonts, pdf
    from tests.seed_text import import_printable_seed

    call_command("migrate", verbosity=0)
    report = import_printable_seed(1)

    start = time.perf_counter()
    built = fonts.subset_fonts()
    print(f"font subsets ready in {time.perf_counter() - start:.2f} s: {len(built)} faces")
    for path in built.values():
        print(f"  {path} ({path.stat().st_size / 1e6:.1f} MB)")

    # The very HTML the export renders, without the @font-face rules of the subsets: its
    # font stacks fall to the full system fonts (Noto Serif CJK SC and the others).
    html = pdf.render_html(report, pdf=True)
    subsets = fonts.font_face_css()
    assert subsets and subsets in html
    plain_html = work / "seed001.html"
    plain_html.write_text(html.replace(subsets, ""), encoding="utf-8")

    subset_html = work / "seed001-subsets.html"
    subset_html.write_text(html, encoding="utf-8")

    outputs = {
        "plain/hb": work / "plain-hb.pdf",
        "plain/ft": work / "plain-ft.pdf",
        "plain/subset": work / "plain-subset.pdf",
        "export": work / "export.pdf",
        "export/ft": work / "export-ft.pdf",
        "export/warm": work / "export-warm.pdf",
    }
    manage = ["manage.py", "export_report", str(report.pk), "--format", "pdf", "--output"]
    commands = {
        "plain/hb": [PYTHON, "-m", "weasyprint", str(plain_html), str(outputs["plain/hb"])],
        "plain/ft": [
            PYTHON,
            "-c",
            FORCE_FONTTOOLS + "import sys; from weasyprint.__main__ import main; "
            "main(sys.argv[1:])",
            str(plain_html),
            str(outputs["plain/ft"]),
        ],
        "plain/subset": [
            PYTHON,
            "-m",
            "weasyprint",
            str(subset_html),
            str(outputs["plain/subset"]),
        ],
        "export": [PYTHON, *manage, str(outputs["export"])],
        "export/ft": [
            PYTHON,
            "-c",
            FORCE_FONTTOOLS + "import sys; from django.core.management import "
            "execute_from_command_line as run; run(['manage.py', *sys.argv[1:]])",
            *manage[1:],
            str(outputs["export/ft"]),
        ],
        "export/warm": [PYTHON, *manage, str(outputs["export/warm"])],
    }
    pdf_cache = work / "media" / "cache" / "pdf"

    # Round robin, so that a burst of load on the machine weighs on every process alike.
    times: dict[str, list[float]] = {name: [] for name in commands}
    timed([PYTHON, *manage, str(work / "warm-up.pdf")], env)  # fills the PDF cache
    for _ in range(args.runs):
        for name, cmd in commands.items():
            if name != "export/warm":
                shutil.rmtree(pdf_cache, ignore_errors=True)
                times[name].append(timed(cmd, env))
                timed([PYTHON, *manage, str(work / "warm-up.pdf")], env)
            else:
                times[name].append(timed(cmd, env))
    medians: dict[str, float] = {}
    for name, runs in times.items():
        medians[name] = statistics.median(runs)
        spread = ", ".join(f"{t:.2f}" for t in runs)
        print(f"{name:12} median {medians[name]:6.2f} s  ({spread})  {pdf_facts(outputs[name])}")

    print()
    for a, b in [
        ("export", "plain/ft"),
        ("export/warm", "plain/ft"),
        ("export/ft", "plain/ft"),
        ("plain/subset", "plain/ft"),
        ("export", "plain/hb"),
        ("export/warm", "plain/hb"),
    ]:
        print(f"{a:12} / {b:8} : {medians[a] / medians[b]:.3f}")
    size = outputs["export"].stat().st_size
    print(f"export PDF size         : {size / 1024:.0f} KiB  (goal < 1024 KiB)")


if __name__ == "__main__":
    main()
