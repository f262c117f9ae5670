"""The same EPCIS document captured at once by several connections, on PostgreSQL: its
events are recorded once (the batch's row lock is taken before the eventIDs are looked up)."""

from __future__ import annotations

import threading
import zlib

import pytest

from app.auth.models import User
from app.extensions import db
from tests.conftest import make_test_app
from tests.support.database import upgrade_schema
from tests.traceability import epcis_documents as docs
from tests.traceability.factories import make_batch
from traceability import services
from traceability.epcis_capture import capture
from traceability.models import Batch

REQUESTS = 4


@pytest.fixture
def committed(request, database_factory, tmp_path):
    name = f"epcis_races_{zlib.crc32(request.node.name.encode())}"
    app = make_test_app(
        database_factory("postgresql", name),
        str(tmp_path),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": REQUESTS + 2},
    )
    upgrade_schema(app)
    with app.app_context():
        batch = make_batch()
        document = docs.document(docs.harvest_event(batch, 5), docs.spraying_event(batch, 40))
        ids = (batch.id, batch.farm.members[0].user_id)
        db.session.commit()
    yield app, ids, document
    with app.app_context():
        db.engine.dispose()


def test_a_document_captured_at_once_is_recorded_once(committed):
    app, (batch_id, user_id), document = committed
    start = threading.Barrier(REQUESTS)
    created: list[int] = []
    lock = threading.Lock()

    def run():
        with app.app_context():
            start.wait()
            result = capture(document, db.session.get(User, user_id), docs.BASE_URL)
            db.session.commit()
            with lock:
                created.append(len(result.created))

    threads = [threading.Thread(target=run) for _ in range(REQUESTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(created) == [0] * (REQUESTS - 1) + [2]
    with app.app_context():
        assert len(services.history(db.session.get(Batch, batch_id))) == 2
