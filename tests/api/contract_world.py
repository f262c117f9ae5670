"""The data the contract run works on: two farms with a row of every kind (the second
someone else's, bought by someone else), and a token per role. Path parameters the fuzzer
draws are swapped for the first farm's ids most of the time, so the operations are
exercised on rows that exist, not only answered 404; then for the second farm's, which
the token must not reach."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.auth.api_scopes import FARM_SCOPES, SCOPES
from app.auth.roles import Role
from app.clock import local_today
from products.services import set_ocop
from tests.api.factories import make_token
from tests.app.factories import make_user
from tests.farms.factories import make_certification, make_farm
from tests.orders.factories import deliver_everywhere, make_order
from tests.products.factories import make_product
from tests.traceability.factories import harvest, make_batch
from traceability.labels import issue_labels, run_labels

OPERATOR_SCOPES = frozenset({"operator:read", "operator:write"})
BUYER_SCOPES = frozenset({"purchases:read"})


@dataclass
class ContractWorld:
    #: role -> (secret, scopes it holds)
    tokens: dict[str, tuple[str, frozenset[str]]]
    #: path parameter name -> an id (or code) of a row the farmer's token reaches
    ids: dict[str, object] = field(default_factory=dict)
    #: the same names -> the rows of another farm (and another buyer), which it must not
    foreign_ids: dict[str, object] = field(default_factory=dict)

    def role_for(self, path: str) -> str:
        if path.startswith("/api/v1/operator"):
            return "operator"
        if path.startswith("/api/v1/me"):
            return "buyer"
        return "farmer"


def build_world() -> ContractWorld:
    farmer, buyer = make_user(Role.FARMER), make_user(Role.BUYER)
    ids = _farm_rows(farmer, buyer)
    foreign_ids = _farm_rows(make_user(Role.FARMER), make_user(Role.BUYER))
    operator = make_user(Role.OPERATOR)
    farm_scopes = FARM_SCOPES | BUYER_SCOPES
    tokens = {
        "farmer": (make_token(farmer, farm_scopes), frozenset(farm_scopes)),
        "buyer": (make_token(buyer, BUYER_SCOPES), BUYER_SCOPES),
        "operator": (make_token(operator, OPERATOR_SCOPES), OPERATOR_SCOPES),
    }
    assert set(SCOPES) == farm_scopes | OPERATOR_SCOPES, "a scope no role's token holds"
    return ContractWorld(tokens, ids, foreign_ids)


def _farm_rows(farmer, buyer) -> dict[str, object]:
    """A farm of `farmer` with a row of every kind an operation names, one bought by `buyer`."""
    farm = deliver_everywhere(make_farm(farmer))
    product = make_product(farm)
    variant = product.variants[0]
    batch = make_batch(farm, product)
    event = harvest(batch, days_ago=1)
    run = issue_labels(batch, farmer, "a4-24", 2)
    order = make_order(variant, buyer=buyer)
    certification = make_certification(farm)
    ocop = set_ocop(
        make_product(farm, publish=False),
        farmer,
        stars=4,
        decision_number="QĐ-123/UBND",
        decision_date=local_today(),
    )
    endpoint, delivery = _webhook(farmer, farm)
    return {
        "endpoint_id": endpoint.id,
        "delivery_id": delivery.id,
        "farm_id": farm.id,
        "product_id": product.id,
        "variant_id": variant.id,
        "batch_id": batch.id,
        "order_id": order.id,
        "batch_code": batch.code,
        "event_id": event.id,
        "run_id": run.id,
        "certification_id": certification.id,
        "certificate_id": ocop.id,
        "province_code": farm.province_code,
        # The public traces: a batch by id or code, by its farm's slug, a label's serial.
        "batch_ref": batch.code,
        "farm_slug": farm.slug,
        "serial": run_labels(run)[0].serial,
    }


def _webhook(farmer, farm):
    """The farm's webhook endpoint and one delivery of its log. Its address is a closed port
    on this machine (local addresses are allowed in tests): a replay fails at once."""
    from app.webhooks import publish
    from app.webhooks.services import create_endpoint, farm_scope

    endpoint, _ = create_endpoint(
        farm_scope(farmer, farm.id), url="http://127.0.0.1:9/", event_types=["order.placed"]
    )
    [delivery] = publish("order.placed", {"order": {"id": 1}}, farm_id=farm.id)
    return endpoint, delivery
