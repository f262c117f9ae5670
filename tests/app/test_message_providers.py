"""Zalo ZNS and eSMS, each against a local fake of its HTTP API that checks the request exactly
as the provider documents it; no test reaches the network."""

import json

import pytest
from sqlalchemy import select

from app.extensions import db
from app.messaging import Channel, OutboundMessage, queue_message
from app.messaging.delivery import deliver
from app.messaging.sms import esms_phone
from app.messaging.zalo import parse_templates, zalo_phone
from tests.support.fake_http import Answer, fake_provider

ZNS_OK = {"error": 0, "message": "Success", "data": {"msg_id": "zmsg-81", "sent_time": "1"}}
ESMS_OK = {"CodeResult": "100", "CountRegenerate": 0, "SMSID": "esms-42"}


def _message(message_id: int) -> OutboundMessage:
    db.session.expire_all()
    return db.session.get(OutboundMessage, message_id)


@pytest.fixture
def zalo(app, monkeypatch):
    with fake_provider(Answer(body=ZNS_OK), path="/message/template") as server:
        for key, value in {
            "ZALO_ZNS_ACCESS_TOKEN": "oa-token-1",
            "ZALO_ZNS_TEMPLATES": "farm_new_order=231230, password_code=231231",
            "ZALO_ZNS_URL": server.url,
        }.items():
            monkeypatch.setitem(app.config, key, value)
        yield server


@pytest.fixture
def esms(app, monkeypatch):
    path = "/MainService.svc/json/SendMultipleMessage_V4_post_json/"
    with fake_provider(Answer(body=ESMS_OK), path=path) as server:
        for key, value in {
            "ESMS_API_KEY": "api-key-1",
            "ESMS_SECRET_KEY": "secret-1",
            "ESMS_BRANDNAME": "NONGSANSO",
            "ESMS_URL": server.url,
        }.items():
            monkeypatch.setitem(app.config, key, value)
        yield server


def test_a_zalo_message_is_the_documented_template_request(zalo):
    # When a new-order message goes to a farmer by Zalo
    message = queue_message(
        Channel.ZALO,
        "+84912000111",
        "Đơn mới NS000123 <b>",
        kind="farm_new_order",
        params={"order_number": "NS000123", "farm": "Vải <Thanh Hà>"},
    )
    db.session.commit()

    # Then Zalo got one POST with the OA token header and the template's data
    [request] = zalo.requests
    assert request.path == "/message/template"
    assert request.headers["access_token"] == "oa-token-1"
    assert request.headers["content-type"].startswith("application/json")
    assert request.json() == {
        "phone": "84912000111",
        "template_id": "231230",
        "template_data": {"order_number": "NS000123", "farm": "Vải <Thanh Hà>"},
        "tracking_id": f"nongsan-{message.id}",
    }
    row = _message(message.id)
    assert (row.status, row.provider, row.provider_message_id) == ("sent", "zalo-zns", "zmsg-81")


def test_a_kind_with_no_approved_zalo_template_fails_for_operators_to_see(zalo):
    message = queue_message(Channel.ZALO, "+84912000111", "…", kind="order_shipped")
    db.session.commit()
    assert zalo.requests == []
    row = _message(message.id)
    assert row.status == "failed"
    assert row.last_error == "No approved Zalo template for 'order_shipped'"


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        (Answer(body={"error": -118, "message": "Zalo account not existed"}), "failed"),
        (Answer(body={"error": -124, "message": "Access token invalid"}), "retrying"),
        (Answer(status=503, body="busy"), "retrying"),
        (Answer(status=400, body="{}"), "failed"),
        (Answer(body="<html>not json"), "retrying"),
    ],
)
def test_zalo_errors_are_retried_unless_no_retry_can_help(zalo, answer, status):
    zalo.answer_next(answer)
    message = queue_message(Channel.ZALO, "+84912000111", "…", kind="farm_new_order")
    db.session.commit()
    row = _message(message.id)
    assert row.status == status
    assert row.last_error


def test_an_sms_is_the_documented_esms_brandname_request(esms):
    message = queue_message(Channel.SMS, "+84912000111", "Mã của bạn: 123456", kind="password_code")
    db.session.commit()

    [request] = esms.requests
    assert request.path == "/MainService.svc/json/SendMultipleMessage_V4_post_json/"
    assert json.loads(request.body.decode("utf-8")) == {
        "ApiKey": "api-key-1",
        "SecretKey": "secret-1",
        "Phone": "0912000111",
        "Content": "Mã của bạn: 123456",
        "Brandname": "NONGSANSO",
        "SmsType": "2",
        "IsUnicode": "1",
        "RequestId": f"nongsan-{message.id}",
    }
    row = _message(message.id)
    assert (row.status, row.provider, row.provider_message_id) == ("sent", "esms", "esms-42")


def test_a_failing_sms_provider_is_retried_and_then_sends(esms, app):
    # Given eSMS down twice (its "unknown error" and an HTTP 502), then back
    esms.answer_next(
        Answer(body={"CodeResult": "99", "ErrorMessage": "Unknown error"}),
        Answer(status=502, body="bad gateway"),
    )
    message = queue_message(Channel.SMS, "+84912000111", "Don moi", kind="farm_new_order")
    db.session.commit()
    row = _message(message.id)
    assert (row.status, row.last_error) == ("retrying", "eSMS 99: Unknown error")

    assert deliver(message.id, now=row.next_attempt_at) == "retrying"
    assert _message(message.id).last_error == "HTTP 502"
    assert deliver(message.id, now=_message(message.id).next_attempt_at) == "sent"

    # Then the same request id went three times (eSMS drops a repeat it has already sent),
    # ASCII text goes as such (160 characters a part)
    bodies = [r.json() for r in esms.requests]
    assert {b["RequestId"] for b in bodies} == {f"nongsan-{message.id}"}
    assert len(bodies) == 3 and bodies[0]["IsUnicode"] == "0"
    assert _message(message.id).attempts == 3


def test_an_sms_esms_had_already_sent_counts_as_sent(esms):
    esms.answer_next(Answer(body={"CodeResult": "124", "ErrorMessage": "Request exist 1"}))
    message = queue_message(Channel.SMS, "+84912000111", "x", kind="farm_new_order")
    db.session.commit()
    assert _message(message.id).status == "sent"


def test_wrong_esms_credentials_are_given_up_at_once(esms):
    esms.answer_next(Answer(body={"CodeResult": "101", "ErrorMessage": "Authorize Failed"}))
    message = queue_message(Channel.SMS, "+84912000111", "x", kind="farm_new_order")
    db.session.commit()
    row = _message(message.id)
    assert (row.status, row.last_error) == ("failed", "eSMS 101: Authorize Failed")


def test_an_unreachable_provider_is_retried(app, monkeypatch):
    monkeypatch.setitem(app.config, "ESMS_API_KEY", "k")
    monkeypatch.setitem(app.config, "ESMS_URL", "http://127.0.0.1:9/nothing-listens-here")
    message = queue_message(Channel.SMS, "+84912000111", "x", kind="farm_new_order")
    db.session.commit()
    row = _message(message.id)
    assert row.status == "retrying" and row.last_error.startswith("Network:")


def test_phone_numbers_take_each_provider_s_form():
    assert zalo_phone("+84912000111") == "84912000111"
    assert esms_phone("+84912000111") == "0912000111"


def test_zalo_templates_are_read_from_one_setting():
    assert parse_templates(" a=1, b = 2 ,broken,,=3") == {"a": "1", "b": "2"}


def test_nothing_is_sent_anywhere_without_credentials(app):
    queue_message(Channel.SMS, "+84912000111", "x", kind="farm_new_order")
    db.session.commit()
    assert db.session.scalars(select(OutboundMessage.provider)).all() == ["outbox"]


def test_a_code_sent_by_a_real_provider_is_not_kept_in_the_outbox(esms, zalo):
    # Given one-time codes sent through eSMS and Zalo
    sms = queue_message(Channel.SMS, "+84912000111", "Mã: 123456", kind="password_code")
    by_zalo = queue_message(
        Channel.ZALO, "+84912000111", "Mã: 654321", kind="password_code", params={"otp": "654321"}
    )
    notice = queue_message(Channel.SMS, "+84912000111", "Đơn mới NS000001", kind="farm_new_order")
    db.session.commit()

    # Then the providers got the codes, and the outbox keeps neither once they were taken
    assert esms.requests[0].json()["Content"] == "Mã: 123456"
    assert zalo.requests[0].json()["template_data"] == {"otp": "654321"}
    for message in (sms, by_zalo):
        row = _message(message.id)
        assert row.status == "sent"
        assert (row.body, row.params_json) == ("[…]", "{}")
    # An ordinary notice is kept as it was sent
    assert _message(notice.id).body == "Đơn mới NS000001"
