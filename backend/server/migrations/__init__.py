"""Alembic migrations of the reference server's database."""
