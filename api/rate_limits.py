"""Rate limits on every /api/v1 operation: for a valid token, per farm for a farm key and per
account for a personal token (all of one person's personal tokens share one allowance, and all
keys of one farm another, so minting more does not multiply it, and a cooperative manager's
member farms do not starve each other), per client address for everyone else (public calls,
and bad or missing tokens, so guessing is slow too).

The limits are read from the configuration at each request (API_RATE_LIMIT,
API_ANONYMOUS_RATE_LIMIT), one counter per caller across the whole API. A refusal is a 429
problem with Retry-After, and every operation's document says it may answer so.
"""

from __future__ import annotations

import copy
import time

from flask import current_app
from flask_babel import gettext
from flask_limiter.errors import RateLimitExceeded
from flask_smorest import Blueprint

from api.auth import current_credential
from api.problems import PROBLEM_TYPE, problem
from app.extensions import client_address, limiter

#: The limiter's name for the counters every API blueprint shares.
SCOPE = "api-v1"


def caller_key() -> str:
    credential = current_credential()
    if credential is not None:
        if credential.farm_id is not None:
            return f"api-farm:{credential.farm_id}"
        return f"api-account:{credential.user.id}"
    return f"api-address:{client_address()}"


def caller_limit() -> str:
    name = "API_RATE_LIMIT" if current_credential() is not None else "API_ANONYMOUS_RATE_LIMIT"
    return current_app.config[name]


def too_many_requests(error: RateLimitExceeded):
    breached = limiter.current_limit
    # reset_at is already rounded up to the next whole second.
    wait = max(1, int(breached.reset_at - time.time())) if breached else 60
    return problem(
        429,
        gettext(
            "Too many calls for this token or address. Wait %(seconds)d seconds, then call again.",
            seconds=wait,
        ),
        headers={"Retry-After": str(wait)},
    )


#: The 429 every operation may answer, with the header that says how long to wait.
TOO_MANY_REQUESTS = {
    "description": "Too many calls: a problem, and Retry-After",
    "headers": {
        "Retry-After": {
            "description": "Seconds to wait before calling again",
            "required": True,
            "schema": {"type": "integer", "minimum": 1},
        }
    },
    "content": {PROBLEM_TYPE: {"schema": "Problem"}},
}


def _document_429(doc: dict, doc_info: dict, **kwargs) -> dict:
    doc.setdefault("responses", {})["429"] = copy.deepcopy(TOO_MANY_REQUESTS)
    return doc


def limit_every_operation(blp: Blueprint) -> None:
    """Count each call of the blueprint's operations against its caller's limit."""
    limiter.shared_limit(caller_limit, scope=SCOPE, key_func=caller_key)(blp)
    blp.register_error_handler(RateLimitExceeded, too_many_requests)
    blp._prepare_doc_cbks.append(_document_429)
