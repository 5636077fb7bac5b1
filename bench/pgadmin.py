"""Creating and dropping the benchmarks' PostgreSQL databases (run.py,
wire_bench.py, generate.py): one maintenance connection to the server's
``postgres`` database, with the credentials of the database's URL."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def prepare_postgres(
    cfg: Mapping[str, Any], *, drop: bool, log: Callable[[str], None] | None = None
) -> None:
    """Drop the database of ``cfg`` (a ``dj_database_url`` dict) when ``drop``,
    then create it if it does not exist. The caller checks the name first."""
    import psycopg
    from psycopg import sql

    name = str(cfg["NAME"])
    conninfo = psycopg.conninfo.make_conninfo(
        dbname="postgres",
        user=cfg.get("USER") or None,
        password=cfg.get("PASSWORD") or None,
        host=cfg.get("HOST") or None,
        port=str(cfg.get("PORT") or "") or None,
    )
    with psycopg.connect(conninfo, autocommit=True) as conn:
        if drop:
            if log:
                log(f"Dropping {name}")
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            if log:
                log(f"Creating {name}")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
