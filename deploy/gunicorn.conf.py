"""gunicorn settings of the web service (deploy/systemd/thidua-web.service).

    gunicorn -c deploy/gunicorn.conf.py emulation.wsgi

Every value may be changed through the environment file (/etc/thidua/thidua.env):

- ``GUNICORN_BIND``: where to listen, ``127.0.0.1:8000`` by default (nginx in front; a
  second app server on another machine listens on its own address, see docs/deploy.md).
- ``GUNICORN_WORKERS``: worker processes, ``2 × CPU + 1`` by default (at most 12): the
  requests are short and mostly wait for PostgreSQL.
- ``GUNICORN_THREADS``: threads per worker (1: plain sync workers).
- ``GUNICORN_TIMEOUT``: seconds a request may take before its worker is restarted (60;
  long work goes to the queue, so a request that long is a fault).
- ``GUNICORN_ACCESS_LOG``: ``-`` (standard output, the journal) by default; empty turns
  it off (the application already logs one line per request, with the user and the
  request id, see emulation/requestlog.py).
"""

from __future__ import annotations

import gc
import multiprocessing
import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number; got {raw!r}.") from None


wsgi_app = "emulation.wsgi:application"
bind = [address.strip() for address in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")]
workers = _int("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 12))
threads = _int("GUNICORN_THREADS", 1)
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# nginx keeps connections to the app servers open (upstream keepalive).
keepalive = 5
# A worker is replaced after this many requests (with jitter), so slow leaks cannot grow.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10
# Loaded once before forking: faster start, less memory; the database connections are
# opened by each worker after the fork (Django opens them on first use).
preload_app = True


def pre_fork(server, worker) -> None:
    """Before each worker is forked: the application loaded by the master (its modules,
    URL patterns, templates) moved out of the garbage collector's sight (gc.freeze). The
    collector then walks only what a worker makes after the fork, about 2 ms less per big
    page (docs/performance.md), and the pages of memory those objects live on stay shared
    between the workers instead of being copied when the collector touches them."""
    gc.freeze()


# Heartbeat files of the workers in memory rather than on a possibly slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# nginx on the same machine or the load balancer's addresses may set X-Forwarded-*.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
# Client (from nginx), request line, status, bytes, time in µs and the request id nginx set.
access_log_format = '%({x-forwarded-for}i)s "%(r)s" %(s)s %(B)s %(D)sus rid=%({x-request-id}i)s'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "thidua-web"
