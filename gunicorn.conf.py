"""gunicorn, as `make serve` runs it and as a council should: behind a reverse proxy that buffers
whole requests (docs/operations.md, "Deploying"), so a slow client ties up the proxy, not a worker.

Threads per worker mean a few slow or stuck requests cannot hold the whole site; `timeout`
restarts a worker stuck longer than that; the request limits refuse oversized headers at once.
"""

import multiprocessing
import os

from gunicorn.glogging import Logger


class RedactingLogger(Logger):
    """The access log without sign-in, invitation or share-link tokens in the paths."""

    def atoms(self, resp, req, environ, request_time):
        from core.logging import redact

        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()
        }


bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "8"))
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Restart workers now and then, so any slow leak cannot grow without end.
max_requests = 5000
max_requests_jitter = 500
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
# Only the proxy on this machine may say a request came over HTTPS.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
access_log_format = (
    '{"time": "%(t)s", "method": "%(m)s", "path": "%(U)s", "status": %(s)s, '
    '"bytes": %(B)s, "ms": %(M)s, "request_id": "%({x-request-id}o)s"}'
)
errorlog = "-"
logger_class = RedactingLogger
preload_app = True


def when_ready(server):
    """In the master, after the app is loaded and before any worker is forked: build the search
    snapshot, so workers start with it instead of building it on their first search, and share
    its memory (copy-on-write) until a change gives each its own patched copy (docs/performance.md,
    "Memory"). If the database is not reachable yet, the first search in each worker builds it instead."""
    import gc
    import time

    from django.db import connections

    from search import snapshot

    begun = time.perf_counter()
    try:
        built = snapshot.current()
    except Exception as error:  # noqa: BLE001 - the site must still start
        server.log.warning("Could not build the search snapshot before forking: %s", error)
    else:
        server.log.info(
            "Search snapshot built before forking the workers (listings: %s, %.2f s)",
            int(built.alive.sum()),
            time.perf_counter() - begun,
        )
    finally:
        connections.close_all()  # each worker opens its own
    gc.collect()
    gc.freeze()  # the objects made so far are never collected, so their pages stay shared


def worker_exit(server, worker):
    """A worker restarting (`max_requests`) or stopping writes the searches it has counted."""
    from search.services import search_counts_write

    search_counts_write()
