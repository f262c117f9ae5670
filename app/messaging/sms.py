"""Brandname SMS through eSMS.vn, a Vietnamese provider: customer-care messages (SmsType 2)
sent under the registered brand name (ESMS_BRANDNAME).

The request is eSMS's documented JSON call, POST
https://rest.esms.vn/MainService.svc/json/SendMultipleMessage_V4_post_json/ with ApiKey,
SecretKey, Phone, Content, Brandname, SmsType "2", IsUnicode and a RequestId: eSMS refuses a
RequestId it has seen (code 124), so a message sent again after a worker died is not
delivered twice. CodeResult "100" means accepted.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.messaging.http_json import post_json
from app.messaging.models import OutboundMessage
from app.messaging.providers import DeliveryError

DEFAULT_URL = "https://rest.esms.vn/MainService.svc/json/SendMultipleMessage_V4_post_json/"

ACCEPTED = "100"
ALREADY_SENT = "124"
#: Wrong credentials, brand name or template, a locked account, an invalid number: a retry
#: cannot help.
PERMANENT_CODES = frozenset({"101", "102", "104", "118", "119", "146"})


def esms_phone(e164: str) -> str:
    """eSMS takes the national form: +84912345678 -> 0912345678."""
    return "0" + e164.removeprefix("+84") if e164.startswith("+84") else e164.removeprefix("+")


@dataclass(frozen=True)
class EsmsProvider:
    api_key: str
    secret_key: str
    brandname: str
    url: str = DEFAULT_URL
    name: str = "esms"

    @classmethod
    def from_config(cls, config) -> EsmsProvider:
        return cls(
            api_key=config["ESMS_API_KEY"],
            secret_key=config.get("ESMS_SECRET_KEY", ""),
            brandname=config.get("ESMS_BRANDNAME", ""),
            url=config.get("ESMS_URL") or DEFAULT_URL,
        )

    def send(self, message: OutboundMessage) -> str | None:
        answer = post_json(
            self.url,
            {
                "ApiKey": self.api_key,
                "SecretKey": self.secret_key,
                "Phone": esms_phone(message.recipient),
                "Content": message.body,
                "Brandname": self.brandname,
                "SmsType": "2",
                # Vietnamese with its diacritics: 70 characters a part instead of 160, but read
                # as written ("Đơn hàng", not "Don hang").
                "IsUnicode": "1" if not message.body.isascii() else "0",
                "RequestId": f"nongsan-{message.id}",
            },
        )
        code = str(answer.get("CodeResult", ""))
        if code in (ACCEPTED, ALREADY_SENT):
            return str(answer.get("SMSID") or "") or None
        reason = f"eSMS {code or '?'}: {answer.get('ErrorMessage', '')}"[:500]
        raise DeliveryError(reason, permanent=code in PERMANENT_CODES)
