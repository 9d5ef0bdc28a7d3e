#!/bin/sh
# The django-tasks worker (background exports, imports, PDF renderings and the deadline
# reminders), restarted after every WORKER_MAX_TASKS tasks: WeasyPrint's native memory creeps by ~0.4 MiB per
# PDF and is never given back, so a worker process lives for a bounded number of tasks,
# as gunicorn's max_requests bounds a web worker (deploy/gunicorn.conf.py).
#
#     deploy/worker.sh [db_worker options]     # from the checkout, with its environment
set -u
max_tasks="${WORKER_MAX_TASKS:-200}"
python="${PYTHON:-.venv/bin/python}"
child=""
# The daily deadline reminders run in the worker: queue the first run unless one is.
"$python" manage.py schedule_reminders
trap 'if [ -n "$child" ]; then kill "$child" 2>/dev/null; wait "$child"; fi; exit 0' INT TERM
while :; do
    # Jobs whose worker died (this host's last worker, killed or out of memory) are
    # queued again, or failed with a message, before this one takes new work; the job
    # pages and a cron'd recover_jobs cover workers that died on other hosts.
    "$python" manage.py recover_jobs
    "$python" manage.py db_worker --no-reload --no-startup-delay --max-tasks "$max_tasks" "$@" &
    child=$!
    wait "$child" || sleep 1  # a crash: restart, but never in a tight loop
done
