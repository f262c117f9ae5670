"""Demo data: the people of a small marketplace, loaded once and idempotently.

Every record is looked up by a natural key before it is created, so running the seed again
adds only what is missing. `nongsan seed-demo` (demo/cli.py) runs it; the catalog, batches
and orders come from the modules beside this one.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.auth import services as accounts
from app.auth.models import User
from app.auth.roles import Role
from app.extensions import db
from demo.batches import recall_demo_batch, seed_demo_batches
from demo.catalog import seed_demo_catalog
from demo.group_offers import seed_demo_group_offer
from demo.orders import seed_demo_orders
from demo.reviews import seed_demo_reviews
from demo.vouchers import seed_demo_vouchers

DEMO_PASSWORD = "nongsan-demo"


@dataclass(frozen=True)
class DemoPerson:
    full_name: str
    identifier: str
    role: Role
    about: str
    province_code: str
    commune: str
    street: str
    language: str = "vi"


DEMO_PEOPLE = (
    DemoPerson(
        "Ban điều hành Nông Sản Số",
        "admin@nongsan.demo",
        Role.OPERATOR,
        "operator",
        "01",
        "phường Ba Đình",
        "Số 2 Hoàng Văn Thụ",
    ),
    DemoPerson(
        "Nguyễn Văn Thành",
        "0912000101",
        Role.FARMER,
        "Thanh Hà lychee household (Hải Phòng, formerly Hải Dương)",
        "31",
        "xã Thanh Hà",
        "Thôn Thúy Lâm",
    ),
    DemoPerson(
        "Trần Thị Hoa",
        "0912000102",
        Role.FARMER,
        "Thanh Hà lychee household (Hải Phòng, formerly Hải Dương)",
        "31",
        "xã Hà Đông",
        "Thôn Văn Mạc",
    ),
    DemoPerson(
        "Phạm Văn Hùng",
        "0912000103",
        Role.COOP_MANAGER,
        "manager, Thanh Hồng pomelo cooperative (Hải Phòng)",
        "31",
        "xã Hà Nam",
        "Thôn Phú Áng, Thanh Hồng",
    ),
    DemoPerson(
        "Đỗ Thị Lan",
        "0912000104",
        Role.COOP_MANAGER,
        "manager, Tân Cương tea cooperative (Thái Nguyên)",
        "19",
        "xã Tân Cương",
        "Xóm Hồng Thái 2",
    ),
    DemoPerson(
        "Hoàng Văn Sáng",
        "0912000105",
        Role.FARMER,
        "Hà Giang orange grower (Tuyên Quang, formerly Hà Giang)",
        "08",
        "xã Bắc Quang",
        "Thôn Khuổi Hốc",
    ),
    DemoPerson(
        "Lê Minh Anh",
        "minhanh@nongsan.demo",
        Role.BUYER,
        "buyer in Hà Nội",
        "01",
        "phường Hoàn Kiếm",
        "Số 12 Hàng Bạc",
    ),
    DemoPerson(
        "Võ Thị Thu",
        "0987000202",
        Role.BUYER,
        "buyer in Hồ Chí Minh City",
        "79",
        "phường Sài Gòn",
        "Số 45 Lê Lợi",
        language="en",
    ),
)


def database_is_empty() -> bool:
    return db.session.query(User.id).first() is None


def _ensure_person(person: DemoPerson) -> tuple[User, bool]:
    user = accounts.find_user_by_identifier(person.identifier)
    if user is not None:
        return user, False
    user = accounts.register_user(
        person.full_name, person.identifier, DEMO_PASSWORD, language=person.language
    )
    user.role = person.role.value
    accounts.save_default_address(
        user,
        user,
        recipient_name=person.full_name,
        phone=user.phone or "0912000199",
        province_code=person.province_code,
        commune=person.commune,
        street=person.street,
    )
    return user, True


def seed_demo() -> list[tuple[DemoPerson, User, bool]]:
    """Create whatever part of the demo is missing; returns each person and whether it is new."""
    results = []
    for person in DEMO_PEOPLE:
        user, created = _ensure_person(person)
        results.append((person, user, created))
    db.session.flush()
    people = {person.identifier: user for person, user, _ in results}
    seed_demo_catalog(people)
    seed_demo_batches()
    seed_demo_orders(people)  # packed orders say which batch they came from
    seed_demo_vouchers()
    recall_demo_batch(people)
    seed_demo_reviews()  # the delivered orders' buyers say what they thought
    seed_demo_group_offer()
    return results
