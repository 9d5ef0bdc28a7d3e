"""Gunicorn settings for goireport; every value can be overridden by the environment.

    gunicorn -c deploy/gunicorn.conf.py goireport.wsgi

App servers keep no local state (sessions and data in PostgreSQL, stored files on the
shared MEDIA_ROOT, static files collected into the image and served by WhiteNoise), so
any number of them can run behind a load balancer.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# PDF rendering is long; the request limit recycles workers to contain slow leaks.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
