"""Zalo Notification Service (ZNS): a template message to the Zalo account of a phone number.

Zalo sends only templates it has approved for the Official Account, each with named
parameters. ZALO_ZNS_TEMPLATES maps our message kinds to approved template ids
("order_placed=231230,password_code=231231"); a kind with no template cannot go by Zalo and
fails at once (permanently), so operators see it. The request is Zalo's documented one:
POST https://business.openapi.zalo.me/message/template with the OA's `access_token` header and
{"phone": "84…", "template_id", "template_data", "tracking_id"}; the answer is
{"error": 0, "message": "Success", "data": {"msg_id": …}} or a negative error code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from app.messaging.http_json import post_json
from app.messaging.models import OutboundMessage
from app.messaging.providers import DeliveryError

DEFAULT_URL = "https://business.openapi.zalo.me/message/template"

#: Zalo error codes that no retry will change: bad phone number, no Zalo account, the user
#: blocked the OA or cannot receive ZNS, template id or its data invalid.
PERMANENT_ERRORS = frozenset({-108, -109, -111, -112, -117, -118, -119, -131, -139})


def parse_templates(text: str) -> dict[str, str]:
    """ "kind=id,kind=id" -> {kind: id}; blanks and malformed pairs are ignored."""
    pairs = (item.split("=", 1) for item in text.split(",") if "=" in item)
    return {kind.strip(): template.strip() for kind, template in pairs if kind.strip()}


def zalo_phone(e164: str) -> str:
    """Zalo wants the number with its country code and no plus: +84912345678 -> 84912345678."""
    return e164.removeprefix("+")


@dataclass(frozen=True)
class ZaloZnsProvider:
    access_token: str
    templates: dict[str, str]
    url: str = DEFAULT_URL
    name: str = "zalo-zns"

    @classmethod
    def from_config(cls, config) -> ZaloZnsProvider:
        return cls(
            access_token=config["ZALO_ZNS_ACCESS_TOKEN"],
            templates=parse_templates(config.get("ZALO_ZNS_TEMPLATES", "")),
            url=config.get("ZALO_ZNS_URL") or DEFAULT_URL,
        )

    def send(self, message: OutboundMessage) -> str | None:
        template_id = self.templates.get(message.kind)
        if template_id is None:
            raise DeliveryError(f"No approved Zalo template for {message.kind!r}", permanent=True)
        answer = post_json(
            self.url,
            {
                "phone": zalo_phone(message.recipient),
                "template_id": template_id,
                "template_data": json.loads(message.params_json or "{}"),
                "tracking_id": f"nongsan-{message.id}",
            },
            headers={"access_token": self.access_token},
        )
        error = answer.get("error")
        if error != 0:
            reason = f"Zalo error {error}: {answer.get('message', '')}"[:500]
            raise DeliveryError(reason, permanent=error in PERMANENT_ERRORS)
        data = answer.get("data") if isinstance(answer.get("data"), dict) else {}
        return str(data.get("msg_id") or "") or None
