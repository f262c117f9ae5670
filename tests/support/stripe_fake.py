"""Stripe's HTTP API answered on this machine: the SDK builds its real requests, and this
client records them and answers like Stripe would, so tests never reach the network."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import stripe


class FakeStripeHTTP(stripe.HTTPClient):
    name = "fake"

    def __init__(self, pay_page_base: str | None = None) -> None:
        super().__init__()
        self.requests: list[tuple[str, str, dict[str, list[str]]]] = []
        self.sessions = 0
        #: Where the hosted payment page lives: Stripe's, or the test app's stand-in for it.
        self.pay_page_base = pay_page_base

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        form = parse_qs(post_data or "")
        self.requests.append((method, url, form))
        if method == "post" and url.endswith("/v1/checkout/sessions"):
            self.sessions += 1
            session_id = f"cs_test_{self.sessions:04d}"
            # Stripe's hosted page, or the test app's stand-in for it (tests/support/probes.py).
            pay_page = (
                f"{self.pay_page_base}/_probe/stripe-pay/{session_id}"
                if self.pay_page_base
                else f"https://checkout.stripe.com/c/pay/{session_id}"
            )
            body = {
                "id": session_id,
                "object": "checkout.session",
                "url": pay_page,
                "payment_status": "unpaid",
                "status": "open",
            }
            return json.dumps(body), 200, {}
        return (
            json.dumps({"error": {"message": "not faked", "type": "invalid_request_error"}}),
            400,
            {},
        )

    def close(self) -> None:
        pass
