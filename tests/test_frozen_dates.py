"""The date-sensitive tests, run again on the days that used to break them.

Tests must hold whatever today is: factories date certificates and seasons from
`local_today()`, and a test that needs a particular day freezes it itself. The tests
imported below once failed or skipped themselves on some day (OCOP decisions and
certificates expiring in 2028, pre-order seasons on 1 January); this module re-runs them
with the clock frozen at each of FROZEN_DATES, so a fixed date creeping back into a factory
fails here at once rather than on that day. To check the whole suite on a day, run it with
an autouse fixture that enters `freeze_time(...)` (not committed: it would hide the real
date from every test).
"""

from __future__ import annotations

import pytest
from freezegun import freeze_time

from tests.farms.test_farm_pages import (  # noqa: F401
    test_unverified_or_expired_certificates_never_show_as_valid,
)
from tests.farms.test_farm_services import (  # noqa: F401
    test_a_certificate_waits_for_an_operator_and_then_counts_until_it_expires,
)
from tests.orders.test_cart_and_checkout import (  # noqa: F401
    test_pre_order_lines_show_their_shipping_date_in_the_cart_and_the_review,
)
from tests.orders.test_placing_orders import (  # noqa: F401
    test_adding_pre_orders_counts_the_places_already_taken,
    test_pre_orders_take_capacity_and_show_the_shipping_date,
)
from tests.products.test_catalog import (  # noqa: F401
    test_certification_filter_counts_only_verified_unexpired_certificates,
    test_ocop_filter_counts_only_verified_unexpired_stars,
    test_season_and_pre_order_filters,
)
from tests.products.test_product_pages import (  # noqa: F401
    test_stars_show_only_when_verified_and_unexpired,
)
from tests.traceability.test_trace_page import (  # noqa: F401
    test_certifications_show_with_expired_ones_marked,
)

#: UTC instants; the comment gives the day in Vietnam (UTC+7), where the farms are.
FROZEN_DATES = {
    "vn-2026-12-31-23h30": "2026-12-31 16:30:00",  # the last half hour of a year
    "vn-2027-01-01": "2026-12-31 17:30:00",  # New Year's Day in Vietnam, still 2026 in UTC
    "vn-2028-01-02": "2028-01-02 03:00:00",
    "vn-2028-02-29": "2028-02-29 03:00:00",
    "vn-2028-06-01": "2028-06-01 03:00:00",
}


@pytest.fixture(autouse=True, params=list(FROZEN_DATES.values()), ids=list(FROZEN_DATES))
def frozen_clock(request):
    # tick: time still moves, so CSRF tokens and rate limits behave as on a real day.
    with freeze_time(request.param, tick=True):
        yield
