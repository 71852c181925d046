"""Structured logs: JSON lines with the time, level, logger, message and request id, and never a
live secret: sign-in, invitation, share-link and new-clients tokens in an address are cut out (`redact`), in
our logs and in gunicorn's access log alike."""

import json
import logging
import re
from contextvars import ContextVar
from datetime import UTC, datetime

request_id = ContextVar("request_id", default="-")

# /for-providers/sign-in/<uid>/<token>/, /for-providers/invitation/<uid>/<token>/, /shortlist/s/<token>/,
# /for-providers/new-clients/<token>/ (a provider's "taking new clients" link)
TOKENS = re.compile(
    r"(/(?:sign-in|invitation)/)[^/\s?#\"]+/[^/\s?#\"]+|(/shortlist/s/|/new-clients/)[^/\s?#\"]+"
)


def redact(text):
    """The text with any token in a link replaced by "…"."""
    if "/" not in text:
        return text
    return TOKENS.sub(lambda m: f"{m[1]}…/…" if m[1] else f"{m[2]}…", text)


class RedactTokensFilter(logging.Filter):
    def filter(self, record):
        message = record.getMessage()
        if (clean := redact(message)) != message:
            record.msg, record.args = clean, ()
        return True


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id.get()
        return True


class QuietWarningFilter(logging.Filter):
    """For expected noise (a bad Host header from a scanner): a warning line, no traceback."""

    def filter(self, record):
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.exc_info = record.exc_text = None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
