"""Alembic environment: runs on the connection backend.server.db.upgrade hands over, or on -x url=..."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from backend.server.db import make_engine
from backend.server.models import Base

config = context.config


def run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("give the database with -x url=...")
    with make_engine(url).begin() as new_connection:
        run(new_connection)
