"""Benchmark of the region's findings page and the 通报 at 30 and 3,000 agencies.

    make bench-findings   (or: DATABASE_URL=postgres://... .venv/bin/python bench/findings.py)

On the regions of bench/oversight.py (generated once by bench/stack.py, three years
each), an oversight user at the root requests, alternately at 30 and 3,000 agencies,
the open-findings page, its XLSX, the 通报 as a page and as XLSX, and the 通报 as PDF
(rendered every time: the PDF cache is off). Prints each median, the ratio and the SQL
queries, which must not grow with the region. Results also in bench/results-findings.json.
"""

from __future__ import annotations

import argparse
import json
import sys

import stack  # sets Django up: first
from django.test import Client
from django.test.utils import override_settings

SMALL = ("小型示范市人民政府", 30)
# Not bench/oversight.py's large region (150,000 agencies for `make bench`): its 通报 is
# another size, and this region of its own keeps the two from regenerating each other.
LARGE = ("三千机关示范市人民政府", 3000)


def oversight_client(name: str) -> Client:
    from reports.models import Agency, User

    root = Agency.objects.get(name=name)
    client = Client()
    client.force_login(User.objects.get(username=f"demo{root.pk}-oversight"))
    return client


def pages(year: int) -> dict[str, tuple[str, int]]:
    """Each page and how many runs it gets (a PDF costs seconds)."""
    return {
        "findings page": (f"/oversight/findings/?year={year}", 0),
        "findings xlsx": (f"/oversight/findings/export.xlsx?year={year}", 0),
        "通报 page": (f"/oversight/circular/?year={year}", 0),
        "通报 xlsx": (f"/oversight/circular/export.xlsx?year={year}", 0),
        "通报 pdf": (f"/oversight/circular/export.pdf?year={year}", 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--last-year", type=int, default=2025)
    args = parser.parse_args()
    for name, size in (SMALL, LARGE):
        stack.ensure_region(name, size, args.last_year)
    results: dict = {"runs": args.runs, "database": stack.connection.vendor, "pages": {}}
    ok = True
    with override_settings(ROOT_URLCONF=stack.URLCONF, PRINT_PDF_CACHE_SIZE=0):
        small, large = oversight_client(SMALL[0]), oversight_client(LARGE[0])
        print(f"{'page':14} {'30 agencies':>12} {'3000 agencies':>14} {'ratio':>6} {'queries':>9}")
        for page, (url, runs) in pages(args.last_year).items():
            small_ms, large_ms = stack.measure_pair((small, url), (large, url), runs or args.runs)
            small_q, _ = stack.count_queries(small, url)
            large_q, _ = stack.count_queries(large, url)
            ok &= small_q == large_q
            ratio = large_ms / small_ms
            results["pages"][page] = {
                "median_ms_30": round(small_ms, 2),
                "median_ms_3000": round(large_ms, 2),
                "ratio": round(ratio, 2),
                "queries_30": small_q,
                "queries_3000": large_q,
            }
            print(
                f"{page:14} {small_ms:10.1f}ms {large_ms:12.1f}ms {ratio:6.2f} "
                f"{small_q:4d}/{large_q:<4d}"
            )
    print("goal (the same queries at 30 and 3,000 agencies):", "met" if ok else "NOT met")
    out = stack.ROOT / "bench" / "results-findings.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
