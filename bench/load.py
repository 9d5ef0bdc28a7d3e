"""Load benchmark: simulated clerks, oversight offices and public readers against
gunicorn on PostgreSQL, with the task worker prerendering PDFs, driven by Locust.

    make bench-load   (or: DATABASE_URL=postgres://... .venv/bin/python bench/load.py)

One run, one gunicorn (deploy/gunicorn.conf.py with the README's deployment settings:
DEBUG=false, DB_CONN_MAX_AGE=60) and deploy/worker.sh on a temporary MEDIA_ROOT, three
phases:

1. the mix, for --duration: --clerks clerks, each on their own draft
   (bench/loadusers.py: inbox, report page, a section's editor, a save through the form
   with its CSRF token and version, the editor again, the PDF, the list, with --think
   seconds between clicks), --oversight oversight readers (home, roll-up) and --public
   anonymous readers (public list, a report);
2. the floor: as many users as clerks, signed in as them, request the trivial signed-in
   page (bench/floor.py) without think time;
3. the same clerks' work without think time (and without the PDF, which right after a
   save can only be rendered in the request);

2 and 3 alternate for --capacity-rounds rounds of --capacity-duration seconds each,
with the task worker paused (SIGSTOP), as if on its own host: the web tier's capacity.

With think time a user's throughput is set by the think time, not by the server, so the
throughputs are compared without it: the clerks' as a share of the floor's. Printed per
request type and in total: requests/s, p50/p95/p99 and errors; lost updates, found in
the database afterwards (every save a clerk saw succeed must be a version of its report
holding the value saved, in the clerk's order, and the report's last value); and the
share of the PDF downloads after a save served from the store (``X-PDF-Source:
stored``). Results also in bench/results-load.json.
"""

from __future__ import annotations

# Locust patches the standard library for gevent: before anything else is imported.
import loadusers  # isort: skip
import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import gevent
import stack  # sets Django up
from loadusers import PLAN, Clerk, Floor, Oversight, PublicReader
from locust.env import Environment
from locust.stats import StatsEntry

REGION = "负载示范市人民政府"
PASSWORD = "load-bench-password"
CLERK_REQUESTS = (
    "inbox",
    "report page",
    "section editor",
    "save section",
    "PDF after a save",
    "report list",
)
PRERENDER = "reports.printing.prerender.prerender_pdf"
GOALS = {"ratio": 0.40, "errors": 0, "lost_updates": 0, "pdf_stored": 0.95}


def prepare(clerks: int, oversight: int, last_year: int) -> None:
    """The region, a clerk account and a fresh draft per clerk (the drafts of the last
    run are deleted, so that every run starts from the same history; their versions
    before the run in ``PLAN.versions``), the oversight accounts."""
    from django.contrib.auth.hashers import make_password
    from django_tasks_db.models import DBTaskResult

    from reports.io.newyear import start_report
    from reports.models import Agency, Report, Role, Status, User

    stack.ensure_region(REGION, max(30, clerks + 1), last_year)
    root = Agency.objects.get(name=REGION)
    agencies = list(root.subtree().exclude(pk=root.pk).order_by("path")[:clerks])
    password = make_password(PASSWORD)  # the real hasher: gunicorn runs the real settings
    PLAN.password, PLAN.clerks, PLAN.oversight = PASSWORD, [], []
    Report.objects.filter(agency__in=agencies, year=last_year + 1).delete()
    versions = {}
    for i, agency in enumerate(agencies):
        user, _ = User.objects.update_or_create(
            username=f"load-clerk-{i}",
            defaults={"role": Role.CLERK, "agency": agency, "password": password},
        )
        report = start_report(agency, last_year + 1, created_by=user)
        PLAN.clerks.append((user.username, report.pk))
        versions[report.pk] = report.version
    for i in range(oversight):
        User.objects.update_or_create(
            username=f"load-oversight-{i}",
            defaults={"role": Role.OVERSIGHT, "agency": root, "password": password},
        )
        PLAN.oversight.append(f"load-oversight-{i}")
    # Tasks of the drafts deleted above, left by a run that was stopped.
    DBTaskResult.objects.filter(task_path=PRERENDER, status__in=("READY", "RUNNING")).delete()
    published = Report.objects.current().filter(agency__in=root.subtree(), status=Status.PUBLISHED)
    PLAN.published = list(published.values_list("pk", flat=True)[:200])
    PLAN.versions = versions


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_site(tmp: Path, args: argparse.Namespace) -> tuple[str, list[subprocess.Popen]]:
    """gunicorn and the task worker(s), as deployed, on a temporary MEDIA_ROOT."""
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "false",
        "DB_CONN_MAX_AGE": os.environ.get("DB_CONN_MAX_AGE", "60"),
        "ALLOWED_HOSTS": "127.0.0.1",
        "MEDIA_ROOT": str(tmp / "media"),
        "STATIC_ROOT": str(tmp / "static"),
        # TLS ends at the balancer; Locust talks plain HTTP to gunicorn, as it would.
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "DJANGO_SETTINGS_MODULE": "goireport.settings",
        "PYTHON": sys.executable,
    }
    if args.workers:
        env["GUNICORN_WORKERS"] = str(args.workers)
    if args.prerender_delay is not None:
        env["PRINT_PDF_PRERENDER_DELAY"] = str(args.prerender_delay)
    manage = [sys.executable, "manage.py"]
    subprocess.run(
        [*manage, "collectstatic", "--noinput", "-v0"], cwd=stack.ROOT, env=env, check=True
    )
    logs = tmp / "logs"
    logs.mkdir()
    processes = []
    for i in range(args.task_workers):
        log = (logs / f"worker{i}.log").open("w")
        # A process group of its own, to pause the worker and its child (``pause``).
        worker = subprocess.Popen(
            ["deploy/worker.sh"],
            cwd=stack.ROOT,
            env=env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        processes.append(worker)
    gunicorn = [str(Path(sys.executable).parent / "gunicorn"), "-c", "deploy/gunicorn.conf.py"]
    log = (logs / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [*gunicorn, "--pythonpath", "bench", "goireport.wsgi"],
        cwd=stack.ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "loadsettings"},
        stdout=log,
        stderr=log,
    )
    processes.append(server)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited:\n{(logs / 'gunicorn.log').read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return f"http://127.0.0.1:{port}", processes
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not listen")


def pause(workers: list[subprocess.Popen], paused: bool) -> None:
    """Stop or continue the task workers (deploy/worker.sh and its db_worker)."""
    for worker in workers:
        os.killpg(worker.pid, signal.SIGSTOP if paused else signal.SIGCONT)


def stop_site(processes: list[subprocess.Popen]) -> None:
    pause(processes[:-1], False)
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_phase(host: str, users: dict[type, int], duration: float) -> tuple[Any, float]:
    """Start ``users``, wait until every one that signs in has, then measure for
    ``duration`` seconds; the users finish the request they are in before they stop."""
    for cls, n in users.items():
        cls.fixed_count = n
    env = Environment(user_classes=list(users), host=host, stop_timeout=60)
    runner = env.create_local_runner()
    signing_in = sum(n for cls, n in users.items() if cls is not PublicReader)
    PLAN.signed_in = 0
    runner.start(sum(users.values()), spawn_rate=sum(users.values()))
    deadline = time.monotonic() + 120
    while PLAN.signed_in < signing_in:
        if time.monotonic() > deadline:
            raise SystemExit(f"only {PLAN.signed_in} of {signing_in} users signed in")
        gevent.sleep(0.1)
    gevent.sleep(PLAN.spread)  # until every user has started
    env.stats.reset_all()
    started = time.monotonic()
    gevent.sleep(duration)
    elapsed = time.monotonic() - started
    snapshot = {key: _copy(entry, env.stats) for key, entry in env.stats.entries.items()}
    runner.stop()
    runner.quit()
    return snapshot, elapsed


def _copy(entry: StatsEntry, stats: Any) -> StatsEntry:
    copy = StatsEntry(stats, entry.name, entry.method)
    copy.extend(entry)
    return copy


def figures(entries: list[StatsEntry], elapsed: float) -> dict[str, Any]:
    total = StatsEntry(None, "", "")  # type: ignore[arg-type]
    for entry in entries:
        total.extend(entry)
    n = total.num_requests
    return {
        "requests": n,
        "rps": round(n / elapsed, 2),
        "p50_ms": total.get_response_time_percentile(0.5) if n else None,
        "p95_ms": total.get_response_time_percentile(0.95) if n else None,
        "p99_ms": total.get_response_time_percentile(0.99) if n else None,
        "errors": total.num_failures,
    }


def lost_updates(versions_before: dict[int, int]) -> tuple[int, int]:
    """How many of the clerks' saves the database does not hold as they were made, out
    of how many: each save must be the version after the one its form came from, with
    the value saved; a report's versions must be those of its saves and no others, and
    each field must hold the last value saved to it."""
    from reports.models import Report

    lost = 0
    by_report: dict[int, list[loadusers.Save]] = {}
    for save in PLAN.saves:
        by_report.setdefault(save.report, []).append(save)
    for pk, before in versions_before.items():
        saves = by_report.get(pk, [])
        report = Report.objects.get(pk=pk)
        history = {h.version: h for h in report.history.filter(version__gt=before)}
        expected = before
        last: dict[str, str] = {}
        for save in saves:
            expected += 1
            stored = history.get(save.base_version + 1)
            if save.base_version + 1 != expected or stored is None:
                lost += 1
            elif str(getattr(stored, save.field)) != save.value:
                lost += 1
            last[save.field] = save.value
        lost += abs(report.version - expected)  # versions that no client saw succeed
        lost += sum(str(getattr(report, f)) != v for f, v in last.items())
    return lost, len(PLAN.saves)


def table(rows: dict[str, dict[str, Any]]) -> None:
    print(f"{'request':26} {'n':>6} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'errors':>6}")
    for name, r in rows.items():
        p = [
            f"{r[k]:>6}" if r[k] is not None else f"{'-':>6}"
            for k in ("p50_ms", "p95_ms", "p99_ms")
        ]
        print(f"{name:26} {r['requests']:6d} {r['rps']:7.2f} {' '.join(p)} {r['errors']:6d}")


def merge(phases: list[tuple[dict, float]]) -> tuple[dict, float]:
    """The stats of several rounds of a phase as one."""
    merged: dict[Any, StatsEntry] = {}
    for entries, _ in phases:
        for key, entry in entries.items():
            merged.setdefault(key, StatsEntry(entry.stats, entry.name, entry.method)).extend(entry)
    return merged, sum(seconds for _, seconds in phases)


def drain(seconds: float = 180) -> None:
    """Wait until the task worker has no PDF left to render from the phase before."""
    from django_tasks_db.models import DBTaskResult

    pending = DBTaskResult.objects.filter(task_path=PRERENDER, status__in=("READY", "RUNNING"))
    deadline = time.monotonic() + seconds
    while pending.exists() and time.monotonic() < deadline:
        gevent.sleep(0.5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clerks", type=int, default=10)
    parser.add_argument("--oversight", type=int, default=2)
    parser.add_argument("--public", type=int, default=3)
    parser.add_argument("--duration", type=float, default=60, help="seconds of the mix")
    parser.add_argument(
        "--capacity-duration", type=float, default=10, help="s of a round of floor or clerks"
    )
    parser.add_argument("--capacity-rounds", type=int, default=2, help="floor, clerks, floor, …")
    parser.add_argument("--think", default="2-6", help="think time between requests, s (low-high)")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: the conf's)")
    parser.add_argument("--task-workers", type=int, default=1, help="deploy/worker.sh processes")
    parser.add_argument("--prerender-delay", type=int, help="PRINT_PDF_PRERENDER_DELAY, s")
    parser.add_argument("--keep-logs", action="store_true", help="keep gunicorn's and the worker's")
    parser.add_argument("--last-year", type=int, default=2025)
    args = parser.parse_args()
    low, _, high = args.think.partition("-")
    think = (float(low), float(high or low))

    prepare(args.clerks, args.oversight, args.last_year)
    load = os.getloadavg()
    tmp = tempfile.mkdtemp(prefix="goireport-load-")
    try:
        host, processes = start_site(Path(tmp), args)
        try:
            # About one round of a clerk's work (six think times).
            PLAN.think, PLAN.spread = think, 6 * sum(think) / 2
            users = {Clerk: args.clerks, Oversight: args.oversight, PublicReader: args.public}
            mix, mix_s = run_phase(host, {k: v for k, v in users.items() if v}, args.duration)
            PLAN.think, PLAN.spread, PLAN.pdf_downloads = (0.0, 0.0), 0.0, False
            drain()
            # The web tier's own capacity: the worker stands still, as if on a host of its
            # own (README, Deployment at scale); its renderings are measured in the mix.
            pause(processes[:-1], True)
            floors, busies = [], []
            # Alternated, so that the load of a shared machine weighs on both alike.
            for _ in range(args.capacity_rounds):
                floors.append(run_phase(host, {Floor: args.clerks}, args.capacity_duration))
                busies.append(run_phase(host, {Clerk: args.clerks}, args.capacity_duration))
            floor, floor_s = merge(floors)
            busy, busy_s = merge(busies)
        finally:
            stop_site(processes)
    finally:
        if args.keep_logs:
            print(f"logs kept in {tmp}/logs")
        else:
            shutil.rmtree(tmp)
    load_after = os.getloadavg()
    return report(args, (mix, mix_s), (floor, floor_s), (busy, busy_s), (load, load_after))


def by_name(phase: tuple[dict, float]) -> dict[str, dict[str, Any]]:
    entries, seconds = phase
    rows = {e.name: figures([e], seconds) for e in entries.values() if e.name != "login"}
    return dict(sorted(rows.items()))


def total(phase: tuple[dict, float], names: tuple[str, ...] | None = None) -> dict[str, Any]:
    entries, seconds = phase
    chosen = [e for e in entries.values() if e.name != "login" and (not names or e.name in names)]
    return figures(chosen, seconds)


def report(args: argparse.Namespace, mix: Any, floor: Any, busy: Any, loads: Any) -> int:
    """Print the figures, compare them with the goals, write bench/results-load.json."""
    clerk, everyone = total(mix, CLERK_REQUESTS), total(mix)
    floor_total, busy_total = total(floor), total(busy)
    logins = sum(
        e.num_failures for p in (mix, floor, busy) for e in p[0].values() if e.name == "login"
    )
    errors = everyone["errors"] + floor_total["errors"] + busy_total["errors"] + logins
    lost, saves = lost_updates(versions_before=PLAN.versions)
    sources = [source for source, _ in PLAN.pdf_sources]
    stored, pdfs = sources.count("stored"), len(sources)
    gaps = {
        source: round(statistics.median(g for s, g in PLAN.pdf_sources if s == source), 1)
        for source in set(sources)
    }
    ratio = busy_total["rps"] / floor_total["rps"] if floor_total["rps"] else 0.0
    share = stored / pdfs if pdfs else 0.0

    who = f"{args.clerks} clerks, {args.oversight} oversight, {args.public} public"
    print(f"mix ({who}; think time {args.think} s; {mix[1]:.0f} s):")
    table({**by_name(mix), "clerk mix": clerk, "all": everyone})
    print(f"without think time, worker paused ({args.clerks} users, {floor[1]:.0f} s each):")
    table({**by_name(floor), **by_name(busy), "clerks (no PDF)": busy_total})
    print(f"load average {loads[0][0]:.1f} before, {loads[1][0]:.1f} after (2 CPUs, shared)")
    print(f"clerk mix throughput without think time: {ratio:.0%} of the floor's")
    print(f"errors: {errors}; lost updates: {lost} of {saves} saves")
    print(f"PDFs after a save from the store: {stored} of {pdfs} ({share:.0%})")
    for source, gap in sorted(gaps.items()):
        print(f"  {source}: downloaded a median {gap} s after the save")
    met = {
        "ratio": ratio >= GOALS["ratio"],
        "errors": errors == GOALS["errors"],
        "lost_updates": lost == GOALS["lost_updates"] and saves > 0,
        "pdf_stored": share >= GOALS["pdf_stored"],
    }
    for goal, ok in met.items():
        print(f"goal {goal} ({GOALS[goal]}):", "met" if ok else "NOT met")
    results = {
        "database": stack.connection.vendor,
        "options": vars(args),
        "load_average": [round(loads[0][0], 1), round(loads[1][0], 1)],
        "mix": {**by_name(mix), "clerk mix": clerk, "all": everyone},
        "floor": floor_total,
        "clerks_without_think_time": {**by_name(busy), "total": busy_total},
        "clerk_ratio": round(ratio, 3),
        "errors": errors,
        "saves": saves,
        "lost_updates": lost,
        "pdf_downloads": {"stored": stored, "rendered": pdfs - stored, "median_gap_s": gaps},
        "goals_met": met,
    }
    out = stack.ROOT / "bench" / "results-load.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0 if all(met.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
