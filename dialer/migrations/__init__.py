"""Alembic migrations for the durable record (run with `dialer db upgrade`)."""
