"""A person chooses where messages reach them (e-mail, Zalo, SMS) in their profile; a channel
they have no address for cannot be chosen, and everyone stays reachable."""

import pytest

from app.errors import PermissionDenied
from app.extensions import db
from app.messaging.models import Channel
from app.messaging.recipients import (
    choose_channels,
    chosen_channels,
    guest_recipients,
    user_recipients,
)
from tests.app.factories import log_in, make_user
from tests.support.snapshots import database_snapshot
from tests.support.web import page_text

EMAIL, ZALO, SMS = Channel.EMAIL, Channel.ZALO, Channel.SMS


@pytest.fixture
def farmer(client):
    """A phone-only account: no e-mail address."""
    user = make_user(identifier="0912000777", full_name="Nguyễn Văn Bình")
    db.session.commit()
    log_in(client, "0912000777")
    return user


@pytest.mark.parametrize(
    ("identifiers", "expected"),
    [
        ({"identifier": "0912000777"}, [ZALO]),
        ({"identifier": "binh@example.vn"}, [EMAIL]),
        ({"identifier": "binh@example.vn", "phone": "+84912000777"}, [EMAIL, ZALO]),
    ],
)
def test_until_a_person_chooses_the_defaults_follow_their_addresses(app, identifiers, expected):
    user = make_user(**identifiers)

    assert chosen_channels(user) == expected


def test_a_phone_only_account_is_reached_by_zalo_at_its_number_in_its_language(app):
    user = make_user(identifier="0912000777", language="en")

    assert [(r.channel, r.address, r.language) for r in user_recipients(user)] == [
        (ZALO, "+84912000777", "en")
    ]


def test_a_guest_is_reached_by_email_else_by_zalo(app):
    assert [(r.channel, r.address) for r in guest_recipients("a@b.vn", "+84912000777", "vi")] == [
        (EMAIL, "a@b.vn")
    ]
    assert [(r.channel, r.address) for r in guest_recipients(None, "+84912000777", "vi")] == [
        (ZALO, "+84912000777")
    ]
    assert guest_recipients(None, None, "vi") == []


def test_the_profile_shows_the_choice_with_the_defaults_ticked(client, farmer):
    html = client.get("/profile").get_data(as_text=True)

    assert "Tin nhắn về đơn hàng" in html
    assert 'id="channel-zalo" value="zalo" checked>' in html
    assert 'id="channel-sms" value="sms">' in html
    # No e-mail address: e-mail cannot be ticked, and the page says what to do
    assert 'id="channel-email" value="email" disabled' in html
    assert "Thêm địa chỉ email ở trên để chọn mục này." in page_text(client.get("/profile"))


def test_a_phone_only_farmer_chooses_zalo_and_sms(client, farmer):
    response = client.post_form(
        "/profile/messages", {"channels": ["zalo", "sms"]}, follow_redirects=True
    )

    assert "Đã lưu lựa chọn nhận tin của bạn." in page_text(response)
    db.session.refresh(farmer)
    assert farmer.message_channels == "zalo,sms"
    assert [r.channel for r in user_recipients(farmer)] == [ZALO, SMS]


@pytest.mark.parametrize(
    ("channels", "message"),
    [
        (["email", "zalo"], "Hãy thêm địa chỉ email ở trên trước khi chọn nhận tin qua email."),
        ([], "Hãy chọn ít nhất một cách liên lạc để bạn không bỏ lỡ đơn hàng nào."),
        (["fax"], "Vui lòng chọn trong email, Zalo và SMS."),
    ],
)
def test_a_channel_without_an_address_or_no_channel_is_refused_and_nothing_saved(
    client, farmer, channels, message
):
    before = database_snapshot()

    response = client.post_form("/profile/messages", {"channels": channels})

    assert response.status_code == 422
    assert message in page_text(response)
    assert database_snapshot() == before


def test_an_email_only_account_cannot_choose_sms(client):
    make_user(identifier="binh@example.vn")
    db.session.commit()
    log_in(client, "binh@example.vn")
    before = database_snapshot()

    response = client.post_form("/profile/messages", {"channels": ["sms"]})

    assert "Hãy thêm số di động ở trên trước khi chọn nhận tin qua SMS." in page_text(response)
    assert database_snapshot() == before


def test_a_choice_that_can_no_longer_reach_falls_back_to_the_defaults(app):
    # Given a person who chose e-mail only, then removed the address (kept a phone)
    user = make_user(identifier="binh@example.vn", phone="+84912000777")
    choose_channels(user, user, ["email"])
    user.email = None

    assert chosen_channels(user) == [ZALO]


def test_only_the_person_chooses_their_channels(app):
    user, other = make_user(), make_user()

    with pytest.raises(PermissionDenied):
        choose_channels(other, user, ["sms"])
    assert user.message_channels is None


def test_the_choice_needs_a_login(client):
    response = client.post_form("/profile/messages", {"channels": ["sms"]})

    assert response.status_code == 302 and "/login" in response.headers["Location"]
