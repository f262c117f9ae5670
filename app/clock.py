"""Today's date where the farms are: seasons, expiry dates and harvests follow Vietnam's
calendar day, not the server's UTC one."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def local_today() -> date:
    return datetime.now(VIETNAM).date()
