"""Databases for the tests: schema built once per session from the migrations, and each
test inside a transaction that is rolled back (SQLAlchemy's "joining a session into an
external transaction" recipe)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import flask_migrate
from flask import Flask
from flask_sqlalchemy.session import Session as FlaskSession

from app.extensions import db


class ConnectionBoundSession(FlaskSession):
    """Flask-SQLAlchemy picks the engine by bind key; in a test we want our one connection."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and self.bind is not None:
            return self.bind
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


def upgrade_schema(app: Flask) -> None:
    with app.app_context():
        flask_migrate.upgrade()


@contextmanager
def rolled_back_transaction(app: Flask) -> Iterator[None]:
    """Everything inside, commits included, is undone at the end."""
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        original_session = db.session
        db.session = db._make_scoped_session(
            {
                "bind": connection,
                "join_transaction_mode": "create_savepoint",
                "class_": ConnectionBoundSession,
            }
        )
        try:
            yield
        finally:
            db.session.remove()
            db.session = original_session
            transaction.rollback()
            connection.close()
