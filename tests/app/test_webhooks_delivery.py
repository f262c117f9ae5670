"""Delivery: after the commit, by the job queue, to a real local listener whose script
verifies the signature; failures wait 1 min, 5, 30, 2 h, 12 h, then are given up; every
attempt is in the log; a paused endpoint's events wait; the owner replays a delivery."""
# ruff: noqa: F811  (the listener fixtures are imported from tests.app.webhook_helpers)

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from app.auth.roles import Role
from app.db import utcnow
from app.extensions import db
from app.webhooks import publish
from app.webhooks import services as webhook_services
from app.webhooks.delivery import BACKOFF, MAX_ATTEMPTS, backoff, deliver, due_delivery_ids
from app.webhooks.jobs import enqueue_due_deliveries
from app.webhooks.signing import endpoint_secret
from tests.app.factories import make_user
from tests.app.webhook_helpers import (  # noqa: F401  (fixtures)
    allow_local,
    deliveries,
    listener,
    operator_endpoint,
    verify,
)
from tests.support.fake_http import Answer


@pytest.fixture
def operator(app):
    return make_user(Role.OPERATOR)


def _publish_one():
    publish("order.paid", {"order": {"id": 7, "total_vnd": 125000}}, farm_id=None)


def test_the_schedule_is_one_five_thirty_minutes_two_and_twelve_hours_then_given_up():
    waits = [backoff(attempt) for attempt in range(1, MAX_ATTEMPTS + 1)]

    assert waits == [
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(hours=2),
        timedelta(hours=12),
        None,
    ]
    assert len(BACKOFF) + 1 == MAX_ATTEMPTS == 6


def test_a_delivery_reaches_the_listener_after_commit_and_its_signature_verifies(
    app, operator, listener
):
    endpoint, secret = operator_endpoint(operator, listener.url)
    _publish_one()
    db.session.flush()
    assert listener.requests == []  # nothing inside the transaction

    db.session.commit()

    [request] = listener.requests
    assert verify(secret, request.headers["nongsan-signature"], request.body)
    assert request.headers["nongsan-event"] == "order.paid"
    event = request.json()
    assert request.headers["nongsan-event-id"] == event["id"]
    assert event["type"] == "order.paid" and event["data"]["order"]["total_vnd"] == 125000
    assert event["created"].endswith("Z")
    [delivery] = deliveries()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    assert delivery.delivered_at is not None
    [attempt] = delivery.attempt_log
    assert (attempt.number, attempt.status_code, attempt.error) == (1, 200, None)
    assert endpoint_secret(endpoint.secret_salt) == secret


def test_a_rolled_back_change_sends_nothing(app, operator, listener):
    operator_endpoint(operator, listener.url)
    db.session.commit()
    _publish_one()
    db.session.rollback()
    db.session.commit()

    assert listener.requests == []
    assert deliveries() == []


def test_a_failure_is_logged_and_retried_after_the_backoff(app, operator, listener):
    operator_endpoint(operator, listener.url)
    listener.answer_next(Answer(500, {"error": "busy"}))
    _publish_one()
    db.session.commit()

    [delivery] = deliveries()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("retrying", 1, 500)
    assert delivery.last_error == "HTTP 500"
    first_try = delivery.attempt_log[0].attempted_at
    assert delivery.next_attempt_at == first_try + timedelta(minutes=1)
    # Not due yet: a second attempt now is not this call's to make.
    assert deliver(delivery.id) is None

    assert deliver(delivery.id, now=first_try + timedelta(minutes=1)) == "delivered"
    [delivery] = deliveries()
    assert [(a.number, a.status_code) for a in delivery.attempt_log] == [(1, 500), (2, 200)]
    assert len(listener.requests) == 2
    # The same event both times: the receiver drops the repeat by its id.
    assert len({r.headers["nongsan-event-id"] for r in listener.requests}) == 1


def test_after_six_failed_attempts_the_delivery_is_given_up(app, operator, listener):
    operator_endpoint(operator, listener.url)
    listener.answer_next(*[Answer(503)] * MAX_ATTEMPTS)
    _publish_one()
    db.session.commit()
    [delivery] = deliveries()
    moment = delivery.attempt_log[0].attempted_at

    for wait in BACKOFF:
        moment += wait
        deliver(delivery.id, now=moment)

    [delivery] = deliveries()
    assert (delivery.status, delivery.attempts) == ("failed", MAX_ATTEMPTS)
    assert [a.number for a in delivery.attempt_log] == list(range(1, MAX_ATTEMPTS + 1))
    assert due_delivery_ids(moment + timedelta(days=2)) == []


def test_an_unreachable_endpoint_is_logged_with_the_reason(app, operator, allow_local):
    operator_endpoint(operator, "http://127.0.0.1:9/nothing-listens")
    _publish_one()
    db.session.commit()

    [delivery] = deliveries()
    assert delivery.status == "retrying" and delivery.last_status_code is None
    assert delivery.attempt_log[0].error


def test_a_paused_endpoints_deliveries_wait_and_go_when_it_is_switched_on(app, operator, listener):
    endpoint, _ = operator_endpoint(operator, listener.url)
    scope = webhook_services.operator_scope(operator)
    webhook_services.set_active(scope, endpoint.id, False)
    db.session.commit()
    # A paused endpoint gets no new event ...
    _publish_one()
    db.session.commit()
    assert deliveries() == [] and listener.requests == []

    # ... and one already queued waits while it is paused.
    webhook_services.set_active(scope, endpoint.id, True)
    _publish_one()
    webhook_services.set_active(scope, endpoint.id, False)
    db.session.commit()
    assert listener.requests == []
    assert [d.status for d in deliveries()] == ["pending"]

    webhook_services.set_active(scope, endpoint.id, True)
    db.session.commit()
    assert enqueue_due_deliveries(grace=timedelta(0)) == 1
    assert len(listener.requests) == 1
    assert [d.status for d in deliveries()] == ["delivered"]


def test_the_owner_replays_a_delivery_with_the_same_event_id_and_body(app, operator, listener):
    endpoint, secret = operator_endpoint(operator, listener.url)
    listener.answer_next(Answer(500))
    _publish_one()
    db.session.commit()
    [original] = deliveries()

    again = webhook_services.replay(
        webhook_services.operator_scope(operator), endpoint.id, original.id
    )
    db.session.commit()

    first, second = listener.requests
    assert second.body == first.body
    assert second.headers["nongsan-event-id"] == first.headers["nongsan-event-id"]
    assert verify(secret, second.headers["nongsan-signature"], second.body)
    replayed = [d for d in deliveries() if d.id == again.id][0]
    assert (replayed.status, replayed.replay_of_id) == ("delivered", original.id)
    assert json.loads(replayed.payload) == json.loads(original.payload)


def test_the_sweeper_sends_a_delivery_whose_job_was_lost(app, operator, listener, monkeypatch):
    operator_endpoint(operator, listener.url)
    monkeypatch.setattr("app.after_commit.after_commit", lambda *a, **k: None)
    monkeypatch.setattr("app.webhooks.events.after_commit", lambda *a, **k: None)
    _publish_one()
    db.session.commit()
    assert listener.requests == []

    assert enqueue_due_deliveries(grace=timedelta(0)) == 1
    assert len(listener.requests) == 1
    assert enqueue_due_deliveries(grace=timedelta(0)) == 0


def test_an_abandoned_claim_is_taken_over_after_the_lease(app, operator, listener, monkeypatch):
    operator_endpoint(operator, listener.url)
    monkeypatch.setattr("app.webhooks.events.after_commit", lambda *a, **k: None)
    _publish_one()
    db.session.commit()
    [delivery] = deliveries()
    delivery.status, delivery.claimed_at = "sending", utcnow() - timedelta(minutes=5)
    db.session.commit()

    assert deliver(delivery.id) == "delivered"


@pytest.mark.parametrize("secret_matches", [True, False])
def test_the_readme_listener_script_accepts_our_signature_and_refuses_another(
    app, operator, allow_local, capsys, secret_matches
):
    import threading
    from http.server import HTTPServer

    from tests.app.webhook_helpers import listener_module

    script = listener_module()
    server = HTTPServer(("127.0.0.1", 0), script.handler_for("whsec_unknown", set()))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        _, secret = operator_endpoint(operator, url)
        key = secret if secret_matches else "whsec_someone_else"
        server.RequestHandlerClass = script.handler_for(key, set())
        _publish_one()
        db.session.commit()
    finally:
        server.shutdown()
        server.server_close()

    [delivery] = deliveries()
    printed = capsys.readouterr()
    if secret_matches:
        assert (delivery.status, delivery.last_status_code) == ("delivered", 200)
        assert "VERIFIED order.paid" in printed.out and "125000" in printed.out
    else:
        assert (delivery.status, delivery.last_status_code) == ("retrying", 400)
        assert "REFUSED" in printed.err


def test_a_second_replay_waits_for_the_first(app, operator, listener, monkeypatch):
    from app.errors import DomainError

    endpoint, _ = operator_endpoint(operator, listener.url)
    _publish_one()
    db.session.commit()
    [original] = deliveries()
    scope = webhook_services.operator_scope(operator)
    # The first replay's job is queued but not yet run (as with a busy worker).
    monkeypatch.setattr("app.webhooks.services.after_commit", lambda *a, **k: None)
    webhook_services.replay(scope, endpoint.id, original.id)
    db.session.commit()
    waiting = len(deliveries())

    with pytest.raises(DomainError):
        webhook_services.replay(scope, endpoint.id, original.id)

    assert len(deliveries()) == waiting
