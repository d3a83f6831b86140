"""Opening databases: migrations on a real SQLite file, backups, refusals that leave files untouched."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from storage.database import DatabaseError, create_db_engine, mask_url, open_database
from storage.migrate import head_revision, upgrade_to
from storage.models import Base

TABLES = {"branch", "zone", "camera", "counter", "staff", "shift", "shift_break", "ticket", "ticket_event",
          "counter_event", "occupancy_sample", "alert", "audit_entry"}


def test_new_file_gets_the_whole_schema_matching_the_models(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'new.db'}")
    try:
        assert db.migration.from_revision is None and db.migration.backup_path is None
        assert db.migration.to_revision == head_revision()
        assert TABLES <= set(inspect(db.engine).get_table_names())
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)
            assert diff == []
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        db.close()


def test_older_schema_is_backed_up_then_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    url = f"sqlite:///{path}"
    engine = create_db_engine(url)
    upgrade_to(engine, url, "0001")
    with engine.begin() as c:
        c.exec_driver_sql("INSERT INTO branch (code, name, timezone, opens, closes, lobby_capacity, is_demo) "
                          "VALUES ('OLD', 'Old branch', 'Asia/Shanghai', '09:00:00', '17:00:00', 50, 0)")
    engine.dispose()
    assert "audit_entry" not in set(sqlite3.connect(path).execute("select name from sqlite_master").fetchall())

    db = open_database(url)
    try:
        report = db.migration
        assert report.from_revision == "0001" and report.to_revision == head_revision()
        assert report.backup_path is not None and report.backup_path.exists()
        assert report.backup_path.name.startswith("old.db.bak-0001-")
        backup = sqlite3.connect(report.backup_path)
        assert backup.execute("select code from branch").fetchall() == [("OLD",)]
        assert backup.execute("select version_num from alembic_version").fetchall() == [("0001",)]
        backup.close()
        assert "audit_entry" in inspect(db.engine).get_table_names()
        with db.engine.connect() as c:
            assert c.exec_driver_sql("select name from branch").fetchall() == [("Old branch",)]
    finally:
        db.close()
    again = open_database(url)  # already at head: no second backup
    assert again.migration.backup_path is None
    again.close()


def test_schema_from_a_newer_console_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "newer.db"
    db = open_database(f"sqlite:///{path}")
    db.close()
    con = sqlite3.connect(path)
    con.execute("update alembic_version set version_num = '9999'")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match="newer version of the console"):
        open_database(f"sqlite:///{path}")
    assert path.read_bytes() == before
    assert not list(tmp_path.glob("newer.db.bak-*"))


def test_not_a_sqlite_file_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    path.write_bytes(b"garbage" * 50)
    with pytest.raises(DatabaseError, match="not a SQLite database") as err:
        open_database(f"sqlite:///{path}")
    assert str(path) in str(err.value)
    assert path.read_bytes() == b"garbage" * 50


def test_folder_that_is_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(DatabaseError, match="is not a directory"):
        open_database(f"sqlite:///{blocker / 'console.db'}")


@pytest.mark.parametrize("url", ["not a url", "nosuchdriver://h/d"])
def test_malformed_urls(url: str) -> None:
    with pytest.raises(DatabaseError) as err:
        open_database(url)
    assert url.split(":")[0] in str(err.value)


def test_unreachable_server_message_hides_the_password() -> None:
    url = "postgresql+psycopg://u:secret@127.0.0.1:1/db"
    with pytest.raises(DatabaseError) as err:
        open_database(url)
    assert "secret" not in str(err.value)
    assert "127.0.0.1" in str(err.value)
    assert "secret" not in mask_url(url)


def test_naive_datetimes_are_refused(tmp_path: Path) -> None:
    from storage.models import Branch, UtcDateTime

    with pytest.raises(ValueError, match="naive"):
        UtcDateTime().process_bind_param(datetime(2026, 1, 1), None)
    value = UtcDateTime().process_bind_param(datetime(2026, 1, 1, 8, tzinfo=ZoneInfo("Asia/Shanghai")), None)
    assert value == datetime(2026, 1, 1, 0, 0)
    assert Branch.__tablename__ == "branch"


# --- PostgreSQL: the same schema and migrations -----------------------------------------------------------------


def test_postgresql_gets_the_same_schema_through_every_migration_and_back() -> None:
    """Each migration in turn on a real PostgreSQL server, with a branch stored at the first; at the head the
    schema matches the models exactly (as on SQLite); then every migration down to nothing."""
    from alembic import command
    from alembic.script import ScriptDirectory

    from storage.migrate import alembic_config
    from tests.pg import fresh_database

    with fresh_database() as url:
        engine = create_db_engine(url)
        try:
            revisions = [r.revision for r in reversed(list(ScriptDirectory.from_config(alembic_config())
                                                           .walk_revisions()))]
            upgrade_to(engine, url, revisions[0])
            with engine.begin() as c:
                c.exec_driver_sql("INSERT INTO branch (code, name, timezone, opens, closes, lobby_capacity, is_demo) "
                                  "VALUES ('OLD', 'Old branch', 'Asia/Shanghai', '09:00:00', '17:00:00', 50, false)")
            for revision in revisions[1:]:
                assert upgrade_to(engine, url, revision).to_revision == revision
            assert revisions[-1] == head_revision()
            with engine.connect() as connection:
                assert TABLES <= set(inspect(connection).get_table_names())
                diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}),
                                        Base.metadata)
                assert diff == []
                assert connection.exec_driver_sql("select name from branch").fetchall() == [("Old branch",)]
            with engine.begin() as connection:
                config = alembic_config(connection)
                command.downgrade(config, "base")
            with engine.connect() as connection:
                assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
        finally:
            engine.dispose()


def test_postgresql_schema_from_a_newer_console_is_refused_untouched() -> None:
    from tests.pg import fresh_database

    with fresh_database() as url:
        open_database(url).close()
        engine = create_db_engine(url)
        with engine.begin() as c:
            c.exec_driver_sql("update alembic_version set version_num = '9999'")
        engine.dispose()
        with pytest.raises(DatabaseError, match="newer version of the console"):
            open_database(url)
        engine = create_db_engine(url)
        with engine.connect() as c:
            assert c.exec_driver_sql("select version_num from alembic_version").scalar() == "9999"
        engine.dispose()


def test_postgresql_wrong_credentials_and_missing_database_are_named() -> None:
    from sqlalchemy.engine import make_url

    from tests.pg import ADMIN_URL, require

    require()
    admin = make_url(ADMIN_URL)
    wrong = admin.set(password="Wrong-password-42").render_as_string(hide_password=False)
    with pytest.raises(DatabaseError) as err:
        open_database(wrong)
    assert f'password authentication failed for user "{admin.username}"' in str(err.value)
    assert "Wrong-password-42" not in str(err.value)
    missing = admin.set(database="no_such_console_db").render_as_string(hide_password=False)
    with pytest.raises(DatabaseError, match='database "no_such_console_db" does not exist'):
        open_database(missing)
