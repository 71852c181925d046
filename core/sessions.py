"""Sessions in the database, forgiving a database that is down.

Django's store raises when it cannot read the session, and several middlewares read it before any
view (authentication, the audit trail's actor): a visitor with a session cookie would get the
plain 503 page from the first of them, and lose what they were sending (a problem report's words).
Here a session that cannot be read is empty for that request, and is never written back, so the
view answers as it would for a new visitor and nothing stored is overwritten.
"""

import logging

from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.db import DatabaseError

logger = logging.getLogger(__name__)


class SessionStore(DatabaseStore):
    unreadable = False

    def load(self):
        try:
            return super().load()
        except DatabaseError as error:
            logger.warning("Session could not be read (%s): treated as empty", type(error).__name__)
            self.unreadable = True
            return {}

    def save(self, must_create=False):
        if self.unreadable:
            return
        super().save(must_create=must_create)

    def cycle_key(self):
        if self.unreadable:
            return
        super().cycle_key()
