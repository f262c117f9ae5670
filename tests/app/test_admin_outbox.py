"""/admin/outbox: operators read every message and how it went, and try a failed one again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.auth.roles import Role
from app.db import utcnow
from app.extensions import db
from app.messaging import queue_message
from app.messaging.models import OutboundMessage
from app.messaging.providers import DeliveryError, OutboxProvider
from tests.app.factories import log_in, make_outbound_message, make_user
from tests.support.queries import assert_fixed_queries
from tests.support.snapshots import database_snapshot
from tests.support.web import page_text


@pytest.fixture
def operator_client(app):
    client = app.test_client()
    log_in(client, make_user(role=Role.OPERATOR).phone)
    return client


def _state(message_id: int) -> tuple:
    db.session.expire_all()
    message = db.session.get(OutboundMessage, message_id)
    return message.status, message.attempts, message.last_error


# Who may look ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [None, Role.BUYER, Role.FARMER, Role.COOP_MANAGER])
def test_only_operators_open_the_outbox_or_a_message(app, role):
    # Given a message, and someone who is not an operator (or nobody signed in)
    message = make_outbound_message(body="Mã của bạn")
    client = app.test_client()
    if role:
        log_in(client, make_user(role=role).phone)

    # When they open the list or the message, then they are refused
    for url in ("/admin/outbox", f"/admin/outbox/{message.id}"):
        response = client.get(url)
        if role is None:
            assert response.status_code == 302 and "/login" in response.headers["Location"]
        else:
            assert response.status_code == 403
            assert "Mã của bạn" not in response.get_data(as_text=True)


@pytest.mark.parametrize("role", [None, Role.BUYER, Role.FARMER])
def test_someone_who_is_not_an_operator_cannot_retry_a_message(app, role):
    # Given a failed message
    message = make_outbound_message(status="failed", attempts=5, last_error="503")
    db.session.commit()
    client = app.test_client()
    if role:
        log_in(client, make_user(role=role).phone)
    before = database_snapshot()

    # When they post "try again", then they are refused and nothing changes
    response = client.post_form(f"/admin/outbox/{message.id}/retry")
    assert response.status_code == (302 if role is None else 403)
    assert database_snapshot() == before


# The list ----------------------------------------------------------------------------------


def test_the_outbox_lists_every_message_newest_first_with_how_it_went(app, operator_client):
    # Given an older mail that was sent and a newer SMS that keeps failing
    now = utcnow()
    make_outbound_message(
        channel="email",
        recipient="an@example.vn",
        kind="order_shipped",
        subject="Đơn NS000007 đang trên đường",
        created_at=now - timedelta(hours=2),
        provider="smtp",
    )
    make_outbound_message(
        channel="sms",
        recipient="+84913555666",
        kind="order_placed",
        status="retrying",
        attempts=2,
        provider="esms",
        last_error="eSMS: CodeResult 104",
        created_at=now - timedelta(minutes=5),
        next_attempt_at=now + timedelta(minutes=4),
    )

    # When the operator opens the outbox
    text = page_text(operator_client.get("/admin/outbox"))

    # Then the newer message comes first, with channel, recipient, kind, status, attempts,
    # next attempt, provider and error; the older one with its subject
    assert text.index("+84913555666") < text.index("an@example.vn")
    assert "SMS · +84913555666 · order_placed" in text
    assert "Chờ thử lại" in text and "2 lần gửi" in text and "qua esms" in text
    assert "lần gửi sau" in text and "eSMS: CodeResult 104" in text
    assert "Đơn NS000007 đang trên đường" in text and "Email · an@example.vn" in text
    assert "1 thất bại" not in text and "1 chờ thử lại" in text


def test_failed_messages_stand_out_with_a_count_and_a_filter_link(app, operator_client):
    # Given three failed messages, one waiting to retry and one sent
    for n in range(3):
        make_outbound_message(recipient=f"+8491300000{n}", status="failed", attempts=5)
    make_outbound_message(status="retrying", attempts=1)
    sent = make_outbound_message(recipient="+84913999999")

    # When the operator opens the outbox
    response = operator_client.get("/admin/outbox")
    html = response.get_data(as_text=True)

    # Then the count heads the page, links to the failed ones, and the rows are marked
    assert "3 thất bại" in page_text(response)
    assert 'href="/admin/outbox?status=failed"' in html
    assert html.count("outbox-row-failed") == 3 and html.count("outbox-row-retrying") == 1
    assert html.count("Thử lại") == 4  # a button on each failed or retrying row
    assert f'data-testid="outbox-message-{sent.id}">' in html

    # And following the link lists only the failed messages
    failed = page_text(operator_client.get("/admin/outbox?status=failed"))
    assert "3 tin nhắn" in failed and "+84913999999" not in failed


def test_the_failed_count_shows_in_the_operators_navigation(app, operator_client):
    make_outbound_message(status="failed", attempts=5)
    make_outbound_message(status="failed", attempts=5)

    for url in ("/admin/farms", "/admin/ocop", "/admin/payouts", "/admin/orders"):
        response = operator_client.get(url)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert 'data-testid="outbox-failed-count">2 thất bại' in html, url
        assert 'href="/admin/outbox"' in html, url


@pytest.mark.parametrize(
    "query, shown, hidden",
    [
        ("channel=email", "an@example.vn", "+84913111222"),
        ("status=failed", "+84913111222", "an@example.vn"),
        ("kind=order_shipped", "an@example.vn", "+84913111222"),
        ("recipient=0913 111 222", "+84913111222", "an@example.vn"),
        ("recipient=AN@EXAMPLE", "an@example.vn", "+84913111222"),
        ("recipient=%25", "no-such", "an@example.vn"),
    ],
)
def test_the_outbox_filters_by_channel_status_kind_and_recipient(
    app, operator_client, query, shown, hidden
):
    make_outbound_message(channel="email", recipient="an@example.vn", kind="order_shipped")
    make_outbound_message(recipient="+84913111222", status="failed", attempts=5)

    text = page_text(operator_client.get(f"/admin/outbox?{query}"))

    assert hidden not in text.split("tin nhắn", 1)[1]
    if shown != "no-such":
        assert shown in text


@pytest.mark.parametrize(
    "query, explained",
    [
        ("channel=fax", "Không có kênh “fax”"),
        ("status=lost", "Không có trạng thái “lost”"),
        ("kind=DROP TABLE", "đã bị bỏ qua"),
        ("page=²", "Số trang phải là số nguyên"),
    ],
)
def test_a_bad_filter_value_is_explained_not_a_server_error(app, operator_client, query, explained):
    make_outbound_message(recipient="+84913111222")

    response = operator_client.get(f"/admin/outbox?{query}")

    assert response.status_code == 200
    assert explained in page_text(response)
    assert "+84913111222" in page_text(response)  # the filter was ignored, not the list


def test_the_outbox_is_paged_with_its_filters_kept(app, operator_client):
    # Given 31 failed SMS (one more than a page) and a mail
    for n in range(31):
        make_outbound_message(recipient=f"+849130{n:05d}", status="failed", attempts=5)
    make_outbound_message(channel="email", recipient="an@example.vn")

    first = operator_client.get("/admin/outbox?status=failed")
    second = operator_client.get("/admin/outbox?status=failed&page=2")

    assert "Trang 1 / 2" in page_text(first)
    assert 'href="/admin/outbox?status=failed&amp;page=2"' in first.get_data(as_text=True)
    assert page_text(second).count("+849130") == 1 and "an@example.vn" not in page_text(second)


def test_the_outbox_runs_a_fixed_number_of_queries(app, operator_client):
    make_outbound_message(status="failed", attempts=5)

    def more():
        for n in range(12):
            make_outbound_message(kind=f"kind_{n}", status="retrying" if n % 2 else "sent")

    response = assert_fixed_queries(operator_client, "/admin/outbox", more)
    assert page_text(response).count("kind_") >= 12


# A message's body, and the secret ones ------------------------------------------------------


def test_a_message_opens_to_show_its_body(app, operator_client):
    message = make_outbound_message(
        channel="email", kind="order_placed", provider="smtp", body="Cảm ơn <b>anh</b> đã đặt."
    )

    response = operator_client.get(f"/admin/outbox/{message.id}")

    assert "Cảm ơn &lt;b&gt;anh&lt;/b&gt; đã đặt." in response.get_data(as_text=True)


@pytest.mark.parametrize("kind", ["password_reset", "password_code", "phone_login_code"])
def test_a_secret_sent_by_a_real_provider_is_masked(app, operator_client, kind):
    message = make_outbound_message(kind=kind, provider="esms", body="Mã đặt lại: 482913")

    response = operator_client.get(f"/admin/outbox/{message.id}")

    assert response.status_code == 200
    assert "482913" not in response.get_data(as_text=True)
    assert 'data-testid="outbox-body-masked"' in response.get_data(as_text=True)


def test_a_secret_kept_in_the_development_outbox_is_shown(app, operator_client):
    message = make_outbound_message(kind="password_code", provider="outbox", body="Mã: 482913")

    assert "Mã: 482913" in operator_client.get(f"/admin/outbox/{message.id}").get_data(as_text=True)


def test_in_production_a_secret_is_masked_even_in_the_outbox(app, operator_client, monkeypatch):
    # A production channel without credentials goes to the outbox: its codes stay hidden
    monkeypatch.setitem(app.config, "NONGSAN_ENV", "production")
    message = make_outbound_message(kind="password_code", provider="outbox", body="Mã: 482913")

    html = operator_client.get(f"/admin/outbox/{message.id}").get_data(as_text=True)

    assert "482913" not in html and 'data-testid="outbox-body-masked"' in html


def test_a_secret_not_yet_sent_is_masked_unless_its_channel_goes_to_the_outbox(
    app, operator_client
):
    # In the tests e-mail goes to a mail provider and SMS to the outbox
    by_mail = make_outbound_message(
        channel="email", kind="password_reset", status="queued", provider=None, body="link-abc"
    )
    by_sms = make_outbound_message(kind="password_code", status="queued", provider=None, body="c-1")

    assert "link-abc" not in operator_client.get(f"/admin/outbox/{by_mail.id}").get_data(
        as_text=True
    )
    assert "c-1" in operator_client.get(f"/admin/outbox/{by_sms.id}").get_data(as_text=True)


# Trying again ------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["sent", "sending", "queued"])
def test_try_again_on_a_message_that_is_not_failing_changes_nothing(app, operator_client, status):
    message = make_outbound_message(status=status, claimed_at=utcnow())
    db.session.commit()
    before = database_snapshot()

    response = operator_client.post_form(f"/admin/outbox/{message.id}/retry")

    assert response.status_code == 302
    assert database_snapshot() == before
    followed = operator_client.get(response.headers["Location"])
    assert "không có gì để gửi lại" in page_text(followed)


def test_try_again_without_the_form_token_changes_nothing(app, operator_client):
    message = make_outbound_message(status="failed", attempts=5)
    db.session.commit()
    before = database_snapshot()

    operator_client.post(f"/admin/outbox/{message.id}/retry", data={"csrf_token": "forged"})

    assert database_snapshot() == before


def test_a_failing_provider_is_shown_and_try_again_delivers_the_message(
    app, operator_client, monkeypatch
):
    # Given an SMS whose provider refuses it for good
    def refuses(provider, message):
        raise DeliveryError("eSMS: brandname not registered", permanent=True)

    monkeypatch.setattr(OutboxProvider, "send", refuses)
    message_id = queue_message(
        "sms", "+84913222333", "Đơn NS000009 đã đặt.", kind="order_placed"
    ).id
    db.session.commit()
    assert _state(message_id) == ("failed", 1, "eSMS: brandname not registered")

    # Then operators see it failed, with the reason
    text = page_text(operator_client.get("/admin/outbox"))
    assert "1 thất bại" in text and "eSMS: brandname not registered" in text

    # When the provider is fixed and the operator presses "try again"
    monkeypatch.undo()
    response = operator_client.post_form(f"/admin/outbox/{message_id}/retry")

    # Then the delivery queued after the commit sends it
    assert response.status_code == 302
    assert _state(message_id) == ("sent", 1, None)
    assert "đang được gửi lại" in page_text(operator_client.get(response.headers["Location"]))
    assert db.session.get(OutboundMessage, message_id).sent_at is not None


def test_a_retry_that_fails_again_waits_for_its_next_attempt(app, operator_client, monkeypatch):
    # Given a failed message whose provider is still down (a passing error this time)
    message = make_outbound_message(status="failed", attempts=5, last_error="timeout")
    db.session.commit()

    def down(provider, message):
        raise DeliveryError("eSMS: HTTP 503")

    monkeypatch.setattr(OutboxProvider, "send", down)

    # When the operator tries again
    operator_client.post_form(f"/admin/outbox/{message.id}/retry")

    # Then it was attempted once more and waits for the next try, not given up
    status, attempts, error = _state(message.id)
    assert (status, attempts, error) == ("retrying", 1, "eSMS: HTTP 503")
    still = db.session.scalar(select(OutboundMessage).where(OutboundMessage.id == message.id))
    assert still.next_attempt_at > utcnow()


def test_the_retry_service_refuses_anyone_but_an_operator(app):
    from app.errors import PermissionDenied
    from app.outbox_review import retry_message

    message = make_outbound_message(status="failed", attempts=5)
    farmer = make_user(role=Role.FARMER)
    before = database_snapshot()

    with pytest.raises(PermissionDenied):
        retry_message(message, farmer)

    assert database_snapshot() == before
