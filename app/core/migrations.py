"""Flask-Alembic, made safe for the embedded SQLite database.

On SQLite, Alembic's batch mode changes a table by copying it: create the new table,
copy the rows, DROP the old one, rename. The app turns SQLite's foreign keys on for
every connection (core/database.py), and with them on, that DROP is a DELETE of every
row, cascading to every table that refers to it: rebuilding ``users`` erased every
post, follow, like and comment of a `make run` instance being upgraded. SQLite's own
procedure for altering a table says to switch foreign keys off first, and to run
``PRAGMA foreign_key_check`` after; this does both, on the migration's connection
only, and puts them back on after. (The check runs once the migrations have committed,
so it reports a broken reference rather than undoing the upgrade.) PostgreSQL alters
in place: nothing changes there.
"""

from __future__ import annotations

from typing import Any

from flask_alembic import Alembic


class MigrationError(RuntimeError):
    """After the migrations, some rows point at rows that do not exist."""


class Migrations(Alembic):
    def run_migrations(self, fn: Any, **kwargs: Any) -> None:
        connection = self.migration_context.connection
        if connection is None or connection.dialect.name != "sqlite":
            super().run_migrations(fn, **kwargs)
            return
        if connection.in_transaction():  # Alembic's own read of the version table
            connection.commit()
        raw = connection.connection.dbapi_connection
        if raw is None:
            raise MigrationError("the migration's connection is closed")
        raw.execute("PRAGMA foreign_keys = OFF")  # a no-op inside a transaction: none is open
        try:
            if tuple(raw.execute("PRAGMA foreign_keys").fetchone()) != (0,):
                raise MigrationError("SQLite's foreign keys could not be switched off")
            super().run_migrations(fn, **kwargs)
            broken = raw.execute("PRAGMA foreign_key_check").fetchall()
        finally:
            raw.execute("PRAGMA foreign_keys = ON")
        if broken:
            tables = sorted({str(row[0]) for row in broken})
            raise MigrationError(
                f"after the migrations, {len(broken)} rows of {', '.join(tables)} point at "
                "rows that do not exist; restore the backup taken before upgrading"
            )
