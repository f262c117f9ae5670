"""The public trace page a label's QR opens: history, food safety, genuineness, recall."""

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, text

from app.extensions import db
from tests.farms.factories import make_certification, make_farm
from tests.products.factories import make_product
from tests.support.web import page_text
from tests.traceability.factories import NOW, harvest, make_batch, record, spray
from traceability import labels, services
from traceability.models import LabelScan

PHONE = "Mozilla/5.0 (Linux; Android 12; SM-A135F) Mobile Safari/537.36"


@pytest.fixture
def lychee_batch(app):
    farm = make_farm(name="Vườn vải Cô Lan")
    batch = make_batch(farm, make_product(farm, name="Vải thiều Thanh Hà"), code="VT2606-A")
    spray(batch, 30, phi_days=14)
    record(batch, "fertilising", 25, input="Phân hữu cơ vi sinh", amount="2 kg/gốc")
    harvest(batch, 6, quantity="850")
    record(batch, "packing", 5, packages="170", package_unit="thùng 5 kg")
    return batch


def issue(batch, count=3, format_id="a4-65"):
    run = labels.issue_labels(batch, batch.farm.members[0].user, format_id, count)
    return [(labels.label_address(batch, label.serial), label) for label in labels.run_labels(run)]


def path(address: str) -> str:
    return urlsplit(address).path


def scan(client, address, agent=PHONE):
    return client.get(path(address), headers={"User-Agent": agent})


def test_a_scanned_label_shows_the_batch_history(client, lychee_batch):
    (address, label), *_ = issue(lychee_batch)
    db.session.commit()

    page = scan(client, address)
    text_ = page_text(page)

    assert page.status_code == 200
    assert address.startswith("HTTPS://NONGSAN.TEST/T/") and len(label.serial) == 10
    assert "Vải thiều Thanh Hà" in text_ and "Vườn vải Cô Lan" in text_
    assert "VT2606-A" in text_ and "VN-HPTH-0123" in text_
    assert "Thu hoạch ngày 19/06/2026" in text_
    assert "Phun thuốc" in text_ and "Fipronil" in text_ and "Phân hữu cơ vi sinh" in text_
    assert "Lần phun thuốc cuối cách thu hoạch 24 ngày; yêu cầu 14 ngày." in text_
    assert 'data-testid="chain-ok"' in page.get_data(as_text=True)
    assert "Tem chính hãng" in text_ and "Đây là lần đầu tiên tem này được quét." in text_
    # The diary names the farm, never the account of whoever typed an entry in.
    assert lychee_batch.farm.members[0].user.full_name not in text_


def test_each_scan_is_counted_and_logged_without_an_address(client, lychee_batch):
    (address, label), *_ = issue(lychee_batch)
    db.session.commit()

    scan(client, address)
    second = page_text(scan(client, address))

    assert "Đã quét 2 lần" in second
    logged = db.session.scalars(select(LabelScan).where(LabelScan.label_id == label.id)).all()
    assert [s.device for s in logged] == ["phone", "phone"]
    assert "ip" not in {c.name for c in LabelScan.__table__.columns}


def test_link_previews_are_logged_but_not_counted(client, lychee_batch):
    (address, label), *_ = issue(lychee_batch)
    db.session.commit()

    scan(client, address, agent="Zalo Link Preview Bot")
    scan(client, address)

    db.session.refresh(label)
    assert label.scan_count == 1


def test_a_serial_that_was_never_issued_is_not_genuine(client, lychee_batch):
    issue(lychee_batch)
    db.session.commit()

    page = client.get("/T/ABCDEFGHJK", headers={"User-Agent": PHONE})

    assert page.status_code == 404
    assert "Tem này không phải tem thật" in page_text(page)
    forged = db.session.scalar(select(LabelScan).where(LabelScan.serial == "ABCDEFGHJK"))
    assert forged is not None and forged.label_id is None


COPIED = "có thể đã bị sao chép"


def test_one_client_scanning_a_label_forty_times_never_marks_it_copied(app, client, lychee_batch):
    # Given a genuine label and a low warning threshold
    (address, label), *_ = issue(lychee_batch)
    db.session.commit()
    app.config["LABEL_SCAN_WARNING_THRESHOLD"] = 3
    try:
        # When one phone on one address scans it 40 times
        pages = [page_text(scan(client, address)) for _ in range(40)]
        # Then no one, that phone or anyone else, is told it may have been copied
        other = app.test_client()
        elsewhere = page_text(
            other.get(
                path(address),
                headers={"User-Agent": PHONE},
                environ_base={"REMOTE_ADDR": "198.51.100.7"},
            )
        )
    finally:
        app.config["LABEL_SCAN_WARNING_THRESHOLD"] = 20
    assert not any(COPIED in page for page in pages) and COPIED not in elsewhere
    assert "Đã quét 41 lần" in elsewhere  # every scan is still counted
    db.session.refresh(label)
    assert label.scan_count == 41


AGENTS = (
    PHONE,
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0) Firefox/120.0",
    "Mozilla/5.0 (Macintosh) Chrome/120.0",
    "Mozilla/5.0 (Linux; Android 13) Zalo/1.0",
    "Mozilla/5.0 (X11; Linux) Edg/120.0",
    "Mozilla/5.0 (iPad) coc_coc_browser/120",
    "curl/8.0",
)


def test_one_address_changing_its_user_agent_never_marks_a_label_copied(app, lychee_batch):
    # Given a genuine label and a low warning threshold
    (address, _label), *_ = issue(lychee_batch)
    db.session.commit()
    app.config["LABEL_SCAN_WARNING_THRESHOLD"] = 3
    try:
        # When one address scans it with a different browser and system each time
        pages = [
            page_text(
                app.test_client().get(
                    path(address),
                    headers={"User-Agent": agent},
                    environ_base={"REMOTE_ADDR": "203.0.113.5"},
                )
            )
            for agent in AGENTS
        ]
    finally:
        app.config["LABEL_SCAN_WARNING_THRESHOLD"] = 20
    # Then nobody is told it may have been copied: one address is one scanner a day
    assert not any(COPIED in page for page in pages)


def test_scans_by_many_distinct_visitors_above_the_threshold_warn_of_a_copy(app, lychee_batch):
    # Given a genuine label and a threshold of 3 distinct scanners
    (address, _label), *_ = issue(lychee_batch)
    db.session.commit()
    app.config["LABEL_SCAN_WARNING_THRESHOLD"] = 3
    try:
        # When visitors on four different networks scan it
        pages = [
            page_text(
                app.test_client().get(
                    path(address),
                    headers={"User-Agent": PHONE},
                    environ_base={"REMOTE_ADDR": f"203.0.{n}.10"},
                )
            )
            for n in range(1, 5)
        ]
    finally:
        app.config["LABEL_SCAN_WARNING_THRESHOLD"] = 20
    # Then the fourth scanner, and only it, is warned
    assert not any(COPIED in page for page in pages[:3])
    assert COPIED in pages[3] and "4 người khác nhau" in pages[3]


def test_a_scanner_is_a_coarse_keyed_fingerprint_of_network_and_day():
    from datetime import UTC, datetime

    from traceability.scans import scanner_fingerprint

    day = datetime(2026, 6, 25, 3, 0, tzinfo=UTC)
    one = scanner_fingerprint("secret", "203.0.113.5", PHONE, day)
    # The same network and browser family on the same day: one scanner
    assert scanner_fingerprint("secret", "203.0.113.200", PHONE.replace("12", "13"), day) == one
    assert scanner_fingerprint("secret", "::ffff:203.0.113.9", PHONE, day) == one
    # Another browser on the same network and day: the same scanner (a client picks its agent)
    assert scanner_fingerprint("secret", "203.0.113.5", "Mozilla/5.0 (iPhone) Safari", day) == one
    # Another network, day or key: another scanner; never the address itself
    assert scanner_fingerprint("secret", "203.0.114.5", PHONE, day) != one
    assert scanner_fingerprint("secret", "203.0.113.5", PHONE, day.replace(day=26)) != one
    assert scanner_fingerprint("other", "203.0.113.5", PHONE, day) != one
    assert len(one) == 16 and "203" not in one
    v6 = scanner_fingerprint("secret", "2001:db8:1:2::1", PHONE, day)
    assert v6 == scanner_fingerprint("secret", "2001:db8:1:ffff::9", PHONE, day)
    assert scanner_fingerprint("secret", "unknown", PHONE, day)


def test_a_gs1_digital_link_opens_the_page_and_a_wrong_lot_is_refused(client, app):
    farm = make_farm()
    product = make_product(farm, name="Bưởi Thanh Hồng", gtin="8934567890120")
    batch = make_batch(farm, product, code="BT2609-A")
    harvest(batch, 3)
    (address, label), *_ = issue(batch)
    db.session.commit()

    assert path(address) == f"/01/08934567890120/10/BT2609-A/21/{label.serial}"
    assert scan(client, address).status_code == 200
    wrong = f"/01/08934567890120/10/BT2609-B/21/{label.serial}"
    refused = client.get(wrong)
    assert refused.status_code == 404
    assert "được in cho một sản phẩm hoặc lô khác" in page_text(refused)


def test_an_altered_history_is_shown_as_such(client, lychee_batch):
    (address, _label), *_ = issue(lychee_batch)
    db.session.execute(
        text("UPDATE batch_event SET place = 'Trung Quốc' WHERE batch_id = :id AND seq = 3"),
        {"id": lychee_batch.id},
    )
    db.session.commit()

    page = scan(client, address)

    assert 'data-testid="chain-broken"' in page.get_data(as_text=True)
    assert "Nhật ký đã bị sửa đổi" in page_text(page)


def test_a_recall_shows_a_red_banner(client, lychee_batch):
    (address, _label), *_ = issue(lychee_batch)
    services.recall_batch(
        lychee_batch, lychee_batch.farm.members[0].user, "Dư lượng thuốc vượt mức cho phép", NOW
    )
    db.session.commit()

    page = scan(client, address)

    assert 'data-testid="recall-banner"' in page.get_data(as_text=True)
    assert "Dư lượng thuốc vượt mức cho phép" in page_text(page)


def test_an_interval_override_is_shown_on_the_public_page(client, app):
    from app.auth.roles import Role
    from tests.app.factories import make_user

    batch = make_batch()
    spray(batch, 10, phi_days=14)
    harvest(batch, 1, actor=make_user(Role.OPERATOR), phi_override_reason="Xét nghiệm đạt")
    db.session.commit()

    page = page_text(client.get(f"/trace/{batch.farm.slug}/{batch.code}"))

    assert "Xét nghiệm đạt" in page
    assert "Lần phun thuốc cuối cách thu hoạch 9 ngày; yêu cầu 14 ngày." in page


def test_certifications_show_with_expired_ones_marked(client, app):
    from datetime import date

    from app.auth.roles import Role
    from tests.app.factories import make_user

    operator = make_user(Role.OPERATOR)
    farm = make_farm()
    make_certification(
        farm,
        verified_by=operator,
        number="VG-OLD",
        issued_on=date(2020, 1, 1),
        expires_on=date(2022, 1, 1),
    )
    valid = make_certification(farm, verified_by=operator, number="VG-NEW")
    batch = make_batch(farm)
    db.session.commit()

    page = page_text(client.get(f"/trace/{farm.slug}/{batch.code}"))

    assert f"VietGAP VG-NEW · hiệu lực đến {valid.expires_on:%d/%m/%Y}" in page
    assert "VietGAP VG-OLD · hết hạn ngày 01/01/2022" in page


def test_labels_need_a_harvest_and_a_sane_count(app):
    batch = make_batch()
    owner = batch.farm.members[0].user
    from app.errors import DomainError

    with pytest.raises(DomainError):
        labels.issue_labels(batch, owner, "a4-65", 10)
    harvest(batch, 1)
    for count in ("0", "10001", "nhiều"):
        with pytest.raises(DomainError):
            labels.issue_labels(batch, owner, "a4-65", count)
    with pytest.raises(DomainError):
        labels.issue_labels(batch, owner, "a4-99", 10)
    assert labels.issue_labels(batch, owner, "thermal-50x30", 2).count == 2


def test_with_the_page_cache_each_scan_is_still_counted_and_shows_its_own_label(app, lychee_batch):
    from app.page_cache import init_page_cache

    (first, first_label), (second, second_label), *_ = issue(lychee_batch)
    db.session.commit()
    app.config["PAGE_CACHE_SECONDS"] = 30
    init_page_cache(app)
    try:
        one, two = app.test_client(), app.test_client()
        scan(one, first)
        miss = scan(one, first)
        hit = scan(two, second)
        record(lychee_batch, "shipping", 1, to_whom="Siêu thị Hà Nội")
        db.session.commit()
        after_new_event = scan(two, second)
    finally:
        app.config["PAGE_CACHE_SECONDS"] = 0
        init_page_cache(app)

    assert hit.headers["X-Page-Cache"] == "hit"
    assert second_label.serial in page_text(hit) and first_label.serial not in page_text(hit)
    # The language switch leads to the batch's page, which counts no scan.
    back = f"/trace/{lychee_batch.farm.slug}/VT2606-A"
    assert f'href="/language/en?next={back}"' in hit.get_data(as_text=True)
    assert "Đã quét 2 lần" in page_text(miss)
    assert "Đây là lần đầu tiên tem này được quét." in page_text(hit)
    # A new diary entry is a new version of the batch: the page is rendered again.
    assert after_new_event.headers["X-Page-Cache"] == "miss"
    assert "Siêu thị Hà Nội" in page_text(after_new_event)


def test_the_food_safety_line_names_the_spraying_that_limits_the_harvest(client, app):
    from app.auth.roles import Role
    from tests.app.factories import make_user

    batch = make_batch()
    spray(batch, 20, phi_days=30, product="Thuốc cách ly dài")
    spray(batch, 10, phi_days=3, product="Thuốc cách ly ngắn")
    harvest(batch, 1, actor=make_user(Role.OPERATOR), phi_override_reason="Xét nghiệm đạt")
    db.session.commit()

    page = page_text(client.get(f"/trace/{batch.farm.slug}/{batch.code}"))

    assert "Lần phun thuốc cuối cách thu hoạch 19 ngày; yêu cầu 30 ngày." in page
    assert "Thuốc cách ly dài" in page


def test_one_address_scanning_too_often_is_slowed_down(app, client, lychee_batch):
    (address, _label), *_ = issue(lychee_batch)
    db.session.commit()
    app.config["SCAN_RATE_LIMIT"] = "100 per hour; 3 per minute"  # every limit counts
    try:
        statuses = [scan(client, address).status_code for _ in range(4)]
    finally:
        app.config["SCAN_RATE_LIMIT"] = "120 per minute"

    assert statuses == [200, 200, 200, 429]


def test_a_serial_already_issued_is_never_issued_again(app, lychee_batch, monkeypatch):
    (_address, first), *_ = issue(lychee_batch, count=1)
    drawn = iter([first.serial, "0000000001"])
    monkeypatch.setattr(labels, "new_serial", lambda: next(drawn))

    (_address, second), *_ = issue(lychee_batch, count=1)

    assert second.serial == "0000000001"


def test_under_a_recall_the_page_states_the_recall_first_and_reassures_nothing(client, app):
    # Given a verified, certified farm's batch with a long-past spraying, a label, a recall
    from app.auth.roles import Role
    from farms.services import verify_farm
    from tests.app.factories import make_user

    operator = make_user(Role.OPERATOR)
    farm = make_farm(name="Vườn cam Bắc Quang")
    verify_farm(farm, operator)
    make_certification(farm, verified_by=operator, number="VG-NEW")
    batch = make_batch(farm, make_product(farm, name="Cam sành Hà Giang"), code="CS2611-A")
    spray(batch, 51, phi_days=14)
    harvest(batch, 6, quantity="500")
    (address, label), *_ = issue(batch)
    services.recall_batch(batch, farm.members[0].user, "Dư lượng thuốc vượt mức cho phép", NOW)
    db.session.commit()

    # When a shopper scans its label
    html = scan(client, address).get_data(as_text=True)
    article = html[html.index('data-testid="trace-page"') :]

    # Then the recall is the first thing said, and nothing reads as reassurance
    assert article.index('data-testid="recall-banner"') < article.index('data-testid="genuineness"')
    for reassurance in ("✓", 'class="ok"', 'genuine"', "cert-valid", "badge-verified", "chain-ok"):
        assert reassurance not in article, reassurance
    # The facts are still there, as facts
    text_ = page_text(scan(client, address))
    assert label.serial in text_
    assert "Lần phun thuốc cuối cách thu hoạch 45 ngày; yêu cầu 14 ngày." in text_
    assert "VietGAP VG-NEW" in text_
