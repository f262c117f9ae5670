"""POST a JSON body and read a JSON answer, for the message providers' HTTP APIs."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from app.messaging.providers import DeliveryError

TIMEOUT_SECONDS = 10


def post_json(url: str, body: dict, headers: dict[str, str] | None = None) -> dict:
    """The provider's JSON answer. Network trouble, a 5xx or an unreadable answer is a
    DeliveryError worth retrying; a 4xx is a permanent one (the request itself is wrong)."""
    request = urllib.request.Request(
        url,
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            raw = response.read(1_000_000)
    except urllib.error.HTTPError as error:
        raise DeliveryError(f"HTTP {error.code}", permanent=400 <= error.code < 500) from error
    except (urllib.error.URLError, OSError) as error:
        raise DeliveryError(f"Network: {error}") from error
    try:
        answer = json.loads(raw)
    except ValueError as error:
        raise DeliveryError("The provider's answer is not JSON") from error
    if not isinstance(answer, dict):
        raise DeliveryError("The provider's answer is not a JSON object")
    return answer
