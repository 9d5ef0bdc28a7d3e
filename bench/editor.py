"""Benchmark of the clerk's section editor against the trivial signed-in page.

    make bench-editor   (or: DATABASE_URL=postgres://... .venv/bin/python bench/editor.py)

On a generated region of 30 agencies (bench/stack.py), a clerk opens each page of the
section editor of a draft report; each page's median latency and CPU time are compared
with the trivial signed-in page (session, user, base template) requested alternately
with it. Goal: every page (the largest, 表三, has 144 inputs) within 4× of the floor,
in wall-clock and in CPU time. Results also in bench/results-editor.json.
"""

from __future__ import annotations

import argparse
import json
import sys

import stack  # sets Django up: first
from django.test import Client
from django.test.utils import override_settings

from reports.spec import schema

REGION = ("小型示范市人民政府", 30)
PAGES = tuple(key for key, _ in schema.EDIT_PAGES)
GOAL = 4.0


def clerk_client(last_year: int) -> tuple[Client, int]:
    from reports.models import Agency, Report, User

    root = Agency.objects.get(name=REGION[0])
    clerk = User.objects.get(username=f"demo{root.pk}-clerk")
    report = Report.objects.current().filter(agency=clerk.agency, year=last_year + 1).first()
    if report is None:
        # Next year's draft, pre-filled from the last one as a clerk starts it.
        from reports.io.newyear import start_report

        report = start_report(clerk.agency, last_year + 1, created_by=clerk)
    assert report.can_edit(clerk), "the demo clerk's draft is locked"
    client = Client()
    client.force_login(clerk)
    return client, report.pk


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--last-year", type=int, default=2025)
    args = parser.parse_args()
    stack.ensure_region(*REGION, args.last_year)
    results: dict = {"runs": args.runs, "database": stack.connection.vendor, "pages": {}}
    ok = True
    with override_settings(ROOT_URLCONF=stack.URLCONF):
        client, pk = clerk_client(args.last_year)
        floor = (client, "/bench/trivial-page/")
        print(
            f"{'editor page':18} {'floor':>8} {'page':>8} {'ratio':>6}"
            f" {'cpu floor':>10} {'cpu page':>9} {'ratio':>6} {'queries':>8} {'KiB':>6}"
        )
        for page in PAGES:
            url = f"/reports/{pk}/edit/{page}/"
            (floor_ms, page_ms), (floor_cpu, page_cpu) = stack.measure_pair_cpu(
                floor, (client, url), args.runs
            )
            queries, _ = stack.count_queries(client, url)
            size = len(client.get(url).content) / 1024
            ratio, cpu_ratio = page_ms / floor_ms, page_cpu / floor_cpu
            ok &= ratio <= GOAL and cpu_ratio <= GOAL
            results["pages"][page] = {
                "floor_ms": round(floor_ms, 2),
                "median_ms": round(page_ms, 2),
                "ratio": round(ratio, 2),
                "floor_cpu_ms": round(floor_cpu, 2),
                "cpu_ms": round(page_cpu, 2),
                "cpu_ratio": round(cpu_ratio, 2),
                "queries": queries,
                "kib": round(size, 1),
            }
            print(
                f"{page:18} {floor_ms:6.1f}ms {page_ms:6.1f}ms {ratio:6.2f}"
                f" {floor_cpu:8.1f}ms {page_cpu:7.1f}ms {cpu_ratio:6.2f} {queries:8d} {size:6.1f}"
            )
    goal = f"goal (every editor page ≤ {GOAL:.0f}× the signed-in floor):"
    print(goal, "met" if ok else "NOT met")
    out = stack.ROOT / "bench" / "results-editor.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
