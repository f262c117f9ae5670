"""The test session's PostgreSQL cluster: the starter `make stack` uses too (stack/postgres.py)."""

from stack.postgres import PostgresCluster, PostgresUnavailable, find_postgres_bin

__all__ = ["PostgresCluster", "PostgresUnavailable", "find_postgres_bin"]
