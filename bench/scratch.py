"""A throwaway database beside the configured one, for measuring without touching real data."""

import contextlib
import socket
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import DatabaseError, connection


class throwaway_database:  # noqa: N801 - reads like a function at its `with`
    """Create a test database beside the configured one and destroy it on the way out."""

    def __init__(self, info):
        self.info = info

    def __enter__(self):
        settings_dict = connection.settings_dict
        self.real_name = settings_dict["NAME"]
        self.test_settings = settings_dict.setdefault("TEST", {})
        self.old_test_name = self.test_settings.get("NAME")
        if connection.vendor == "sqlite":
            stem = Path(str(self.real_name)).stem
            test_name = str(Path(settings.BASE_DIR) / "var" / f"benchmark_{stem}.sqlite3")
        else:
            test_name = f"benchmark_{self.real_name}"
        if test_name == self.real_name:
            raise CommandError(f"Refusing to use {test_name}: it is the configured database.")
        self.test_settings["NAME"] = self.test_name = test_name
        self.info(f"Creating the throwaway database {test_name} (migrations)...")
        try:
            connection.creation.create_test_db(
                verbosity=0, autoclobber=True, serialize=False, keepdb=False
            )
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return test_name

    def __exit__(self, *exc_info):
        try:
            if connection.settings_dict["NAME"] == self.test_name:
                connection.creation.destroy_test_db(self.real_name, verbosity=0)
            else:
                # Interrupted inside create_test_db, before it switched over: the configured
                # database is still selected, so drop only the test database, by its own name.
                connection.close()
                with contextlib.suppress(DatabaseError, OSError):  # if it was ever created
                    connection.creation._destroy_test_db(self.test_name, verbosity=0)
        finally:
            self.test_settings["NAME"] = self.old_test_name
            connection.settings_dict["NAME"] = self.real_name
            settings.DATABASES[connection.alias]["NAME"] = self.real_name
        if connection.vendor == "sqlite":
            for suffix in ("-wal", "-shm", "-journal"):
                Path(self.test_name + suffix).unlink(missing_ok=True)
        self.info(f"Destroyed the throwaway database {self.test_name}")
        return False


def database_url():
    """DATABASE_URL for the database this process is connected to now (a throwaway or test one),
    for a server started beside it."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def free_port():
    """A TCP port on 127.0.0.1 nothing is listening on, for such a server."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
