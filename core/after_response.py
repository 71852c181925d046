"""Work that runs after the visitor has the whole response: sending email, chiefly.

A person waits for nothing they do not need to see, and a request takes the same time whatever
the work is (asking for a sign-in link for a known address and an unknown one are alike).

The WSGI server calls the response's `close()` once it has written the last byte; Django then sends
`request_finished`, and `run_tasks` runs what the request asked for. It runs before Django closes
the request's database connections (see `connect`), in the request's own thread. Outside a request
(a management command, the shell) a task runs at once.
"""

import logging
import threading

from django.core.signals import request_finished, request_started
from django.db import close_old_connections

logger = logging.getLogger(__name__)
_local = threading.local()


def after_response(task):
    """Run `task()` once the response has been sent, or now when there is no request."""
    tasks = getattr(_local, "tasks", None)
    if tasks is None:
        _run(task)
    else:
        tasks.append(task)


def _start(**kwargs):
    _local.tasks = []


def run_tasks(**kwargs):
    tasks, _local.tasks = getattr(_local, "tasks", None) or [], None
    for task in tasks:
        _run(task)


def _run(task):
    try:
        task()
    except Exception:  # the response has gone: log it, never break the server's loop
        logger.exception("Work after a response failed")


def connect():
    """Called once, from CoreConfig.ready(). Our receiver must run before Django's own
    `close_old_connections`, so that one still closes whatever connection the tasks used."""
    request_started.connect(_start, dispatch_uid="core.after_response.start")
    request_finished.disconnect(close_old_connections)
    request_finished.connect(run_tasks, dispatch_uid="core.after_response.run")
    request_finished.connect(close_old_connections)
