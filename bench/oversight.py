"""Benchmark of the oversight pages at scale, on PostgreSQL.

    make bench   (or: DATABASE_URL=postgres://... .venv/bin/python bench/oversight.py)

Generates (once; --fresh to redo) two regions with generate_demo_data — 30 agencies and
3,000 agencies, three years each — then measures in-process, through the whole Django
stack (middleware, sessions, templates), the median latency of:

- the oversight inbox, the oversight home, the roll-up, the findings page, a report
  page and the public list of the region's reports at 3,000 agencies (``--large N``:
  150,000 in issue 14) against 30 (goal: ratio ≤ 2, the same queries, a response at
  most twice the small region's);
- the report page against a trivial Django view (goal: ≤ 5×).

It also prints the number of SQL queries of each page, which must not grow with the
region. Results go to stdout and to bench/results-oversight.json.
"""

from __future__ import annotations

import argparse
import json
import sys

import stack  # sets Django up: first
from django.db import connection
from django.test import Client
from django.test.utils import override_settings

ROOT = stack.ROOT
SMALL = ("小型示范市人民政府", 30)
LARGE = ("示范市人民政府", 3000)
count_queries = stack.count_queries
measure_pair = stack.measure_pair


def region_client(name: str, year: int) -> tuple[Client, dict[str, str]]:
    from reports.models import Agency, Report, User

    root = Agency.objects.get(name=name)
    client = Client()
    client.force_login(User.objects.get(username=f"demo{root.pk}-oversight"))
    report = (
        Report.objects.filter(year=year, agency__parent=root, agency__is_government=False)
        .order_by("agency__path")
        .first()
    )
    return client, {
        "inbox": "/",
        "oversight home": f"/oversight/?year={year}",
        "roll-up": f"/oversight/rollup/?year={year}",
        "findings": f"/oversight/findings/?year={year}",
        "report page": f"/reports/{report.pk}/",
        # The public list of the region's published reports, newest year first.
        "public list": f"/public/?region={root.pk}",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--fresh", action="store_true", help="regenerate both regions")
    parser.add_argument("--last-year", type=int, default=2025)
    parser.add_argument(
        "--large",
        type=int,
        default=LARGE[1],
        help="agencies of the larger region (150,000: ~8 CPU-minutes to generate, from prototypes)",
    )
    args = parser.parse_args()
    large = (LARGE[0], args.large)
    if connection.vendor != "postgresql":
        print("warning: not PostgreSQL; the goals are stated for PostgreSQL", file=sys.stderr)
    for name, size in (SMALL, large):
        stack.ensure_region(name, size, args.last_year, args.fresh)

    results: dict = {
        "runs": args.runs,
        "database": connection.vendor,
        "prepared_statements": bool(
            connection.settings_dict.get("OPTIONS", {}).get("prepare_threshold")
        ),
        "sizes": [SMALL[1], large[1]],
        "pages": {},
    }
    with override_settings(ROOT_URLCONF=stack.URLCONF):
        clients = {size: region_client(name, args.last_year) for name, size in (SMALL, large)}
        small_client, small_urls = clients[SMALL[1]]
        large_client, large_urls = clients[large[1]]
        head = f"{large[1]} agencies"
        print(
            f"{'page':16} {'30 agencies':>12} {head:>16} {'ratio':>6} {'queries':>9}"
            f" {'response':>14}"
        )
        ok = True
        for page in small_urls:
            small_ms, large_ms = measure_pair(
                (small_client, small_urls[page]), (large_client, large_urls[page]), args.runs
            )
            small_q, small_bytes = count_queries(small_client, small_urls[page])
            large_q, large_bytes = count_queries(large_client, large_urls[page])
            ratio = large_ms / small_ms
            ok &= ratio <= 2 and small_q == large_q and large_bytes <= 2 * small_bytes
            results["pages"][page] = {
                "median_ms_30": round(small_ms, 2),
                f"median_ms_{large[1]}": round(large_ms, 2),
                "ratio": round(ratio, 2),
                "queries_30": small_q,
                f"queries_{large[1]}": large_q,
                "bytes_30": small_bytes,
                f"bytes_{large[1]}": large_bytes,
            }
            print(
                f"{page:16} {small_ms:10.1f}ms {large_ms:14.1f}ms {ratio:6.2f} "
                f"{small_q:4d}/{large_q:<4d} {small_bytes // 1024:5d}/{large_bytes // 1024} KiB"
            )
        print("\nslowest query of each page at the larger size, as PostgreSQL ran it:")
        for page, url in large_urls.items():
            ms, plan = stack.explain_slowest(large_client, url)
            results["pages"][page]["slowest_query_ms"] = round(ms, 2)
            results["pages"][page]["slowest_query_plan"] = plan
            print(f"--- {page}: {ms:.1f} ms\n{plan}\n")
        report = (large_client, large_urls["report page"])
        trivial_ms, report_ms = measure_pair((large_client, "/bench/trivial/"), report, args.runs)
        floor_ms, report2_ms = measure_pair(
            (large_client, "/bench/trivial-page/"), report, args.runs
        )
        vs_trivial = report_ms / trivial_ms
        vs_floor = report2_ms / floor_ms
        ok &= vs_floor <= 5
        results["trivial_view_ms"] = round(trivial_ms, 2)
        results["trivial_signed_in_page_ms"] = round(floor_ms, 2)
        results["report_vs_trivial_view"] = round(vs_trivial, 2)
        results["report_vs_trivial_signed_in_page"] = round(vs_floor, 2)
        print(
            f"trivial view (HttpResponse)          {trivial_ms:8.1f}ms"
            f"  report page {report_ms:.1f}ms"
        )
        print(
            f"trivial signed-in page (base.html)   {floor_ms:8.1f}ms"
            f"  report page {report2_ms:.1f}ms"
        )
        print(f"report page / bare trivial view:      {vs_trivial:.1f}×")
        print(f"report page / trivial signed-in page: {vs_floor:.1f}× (goal ≤ 5×)")
        print(
            "goals (ratio ≤ 2, same queries, response ≤ 2× the small one's, "
            "report ≤ 5× signed-in floor):",
            "met" if ok else "NOT met",
        )
    out = ROOT / "bench" / "results-oversight.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
