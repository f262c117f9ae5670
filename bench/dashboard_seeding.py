"""A province-scale history for the dashboard benchmark, made by PostgreSQL itself.

The catalog (farms, products, variants, OCOP decisions, certificates) comes from
`bench.seeding.seed_scale()`. Everything that happens to it over about 24 months up to now is
then written by `INSERT … SELECT … FROM generate_series` statements, with `random()` seeded by
`setseed()` on one connection (no parallel workers), so the same seed draws the same numbers
(where rows meet in a hash join, which line gets which draw may still differ):
checkouts and their orders (one or two farms each), order lines, the orders' history as
orders.events writes it (placed, paid, confirmed, packed, shipped, delivered, completed,
cancelled when unpaid in time, a few refunds), batches, runs of labels, labels, label scans
(people, link-preview bots, unknown serials) and the batch allocations of part of the shipped
lines. The rows are those the services would have written: every NOT NULL column, check
constraint and foreign key holds, and states are orders/states.py's and orders/events.py's.

What is left out, because no figure reads it and it would cost minutes: the batches' diary
(batch_event rows and their hash chain), the scanners' fingerprints (label_scanner), delivery
zones (orders are delivered, farms keep seed_scale's pickup settings) and mails.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Connection, text

from app.db import utcnow
from app.extensions import db
from app.geo import all_provinces
from app.geo.communes import communes_of
from bench.seeding import seed_scale
from orders.carriers import by_code
from products.models import Unit, Variant
from products.units import stored_unit_label
from traceability.label_formats import FORMATS
from traceability.labels import SERIAL_ALPHABET

#: The history covers this many days up to now.
HISTORY_DAYS = 730
CARRIER_CODE = "ghtk"


#: Products bought before seed_scale's publication date are dated back before their first
#: order (from the records, so it can be run on a database seeded before this step too).
SOLD_BEFORE_LISTED_SQL = """
    UPDATE product p
    SET created_at = least(p.created_at, f.first_sold - interval '1 day'),
        published_at = f.first_sold - interval '1 day' + interval '30 minutes'
    FROM (SELECT v.product_id, min(o.created_at) AS first_sold
          FROM order_line l JOIN farm_order o ON o.id = l.order_id
          JOIN variant v ON v.id = l.variant_id
          GROUP BY v.product_id) f
    WHERE p.id = f.product_id
      AND coalesce(p.published_at, p.created_at) > f.first_sold - interval '1 day'
"""


@dataclass(frozen=True)
class Scale:
    farms: int = 110_000
    #: 1,500 per province of 34: seed_scale gives the first 51,000 farms one product each.
    products: int = 51_000
    orders: int = 1_000_000
    scans: int = 5_000_000
    batches: int = 30_000
    seed: int = 2026

    @property
    def checkouts(self) -> int:
        """About one checkout in seven buys from two farms."""
        return max(1, round(self.orders / 1.15))


def seed_dashboard(scale: Scale, say: Callable[[str], None] = print) -> dict[str, float]:
    """Seed everything (the caller has migrated the database and made its operators); the
    seconds each stage took, by stage."""
    timings: dict[str, float] = {}
    start = time.perf_counter()
    made_farms, made_products = seed_scale(scale.farms, scale.products, seed=scale.seed)
    timings["farms and products (seed_scale)"] = time.perf_counter() - start
    seconds = timings["farms and products (seed_scale)"]
    say(f"  {made_farms:,} farms, {made_products:,} products (seed_scale): {seconds:.1f} s")
    labels = _unit_labels()
    with db.engine.connect() as connection:
        history = _History(connection, scale, utcnow(), labels)
        for name, stage in history.stages():
            start = time.perf_counter()
            rows = stage()
            timings[name] = time.perf_counter() - start
            connection.commit()
            say(f"  {name}: {rows:,} rows in {timings[name]:.1f} s")
    return timings


def _unit_labels() -> list[dict]:
    """The label an order line keeps for each kind of variant the catalog has (a handful)."""
    rows = db.session.execute(text("SELECT DISTINCT unit, pack_kg, custom_unit FROM variant")).all()
    labels = []
    for unit, pack_kg, custom_unit in rows:
        variant = Variant(
            unit=Unit(unit).value,
            pack_kg=Decimal(pack_kg) if pack_kg is not None else None,
            custom_unit=custom_unit,
        )
        labels.append(
            {
                "unit": unit,
                "pack_kg": pack_kg,
                "custom_unit": custom_unit,
                "label": stored_unit_label(variant),
            }
        )
    db.session.rollback()
    return labels


class _History:
    """The SQL stages, on one connection: its temporary tables carry the plan between them."""

    def __init__(self, connection: Connection, scale: Scale, now: datetime, labels: list[dict]):
        self.connection = connection
        self.scale = scale
        self.now = now
        self.labels = labels

    def stages(self) -> list[tuple[str, Callable[[], int]]]:
        return [
            ("plan (temporary tables)", self.plan),
            ("checkouts", self.checkouts),
            ("orders and order lines", self.orders),
            ("order events", self.order_events),
            ("products listed before their first order", self.listed_before_sold),
            ("batches, label runs and labels", self.batches),
            ("label scans", self.scans),
            ("label counters", self.label_counters),
            ("batch allocations", self.allocations),
            ("sequences", self.sequences),
        ]

    def run(self, sql: str, **params) -> int:
        return self.connection.execute(text(sql), params).rowcount

    def value(self, sql: str, **params):
        return self.connection.execute(text(sql), params).scalar()

    def _base(self, table: str) -> int:
        return int(self.value(f"SELECT coalesce(max(id), 0) FROM {table}"))

    # The plan ----------------------------------------------------------------------------

    def plan(self) -> int:
        self.run("SET max_parallel_workers_per_gather = 0")
        self.run("SET work_mem = '256MB'")
        # setseed takes a number in [-1, 1]: the same seed, the same draws in the same order.
        self.value("SELECT setseed(:seed)", seed=(self.scale.seed % 10_000) / 10_000)
        self.bases = {
            t: self._base(t)
            for t in ("checkout", "farm_order", "order_line", "batch", "label_run", "label")
        }
        self.run(
            """
            CREATE TEMP TABLE bench_variant AS
            SELECT p.farm_id, v.id AS variant_id, p.id AS product_id, p.name AS product_name,
                   v.price_vnd, v.weight_grams, v.unit, v.pack_kg, v.custom_unit,
                   ''::text AS unit_label,
                   row_number() OVER (PARTITION BY p.farm_id ORDER BY v.id) - 1 AS vrn
            FROM variant v JOIN product p ON p.id = v.product_id
            WHERE p.status = 'published'
            """
        )
        for label in self.labels:
            self.run(
                """
                UPDATE bench_variant SET unit_label = :label
                WHERE unit = :unit AND pack_kg IS NOT DISTINCT FROM :pack_kg
                  AND custom_unit IS NOT DISTINCT FROM :custom_unit
                """,
                **label,
            )
        self.run("CREATE INDEX ON bench_variant (farm_id, vrn)")
        # The farms that can sell (a published product), numbered within their province.
        self.run(
            """
            CREATE TEMP TABLE bench_seller AS
            SELECT farm_id, province_code, nv,
                   row_number() OVER (PARTITION BY province_code ORDER BY farm_id) - 1 AS rn
            FROM (SELECT v.farm_id, f.province_code, count(*) AS nv
                  FROM bench_variant v JOIN farm f ON f.id = v.farm_id
                  GROUP BY v.farm_id, f.province_code) s
            """
        )
        self.run("CREATE INDEX ON bench_seller (province_code, rn)")
        # Provinces ranked in an order of their own (by the seed), the first selling most.
        self.run(
            """
            CREATE TEMP TABLE bench_province AS
            SELECT province_code, count(*) AS sellers,
                   row_number() OVER (ORDER BY md5(province_code || :seed)) - 1 AS rank
            FROM bench_seller GROUP BY province_code
            """,
            seed=str(self.scale.seed),
        )
        self.provinces = int(self.value("SELECT count(*) FROM bench_province"))
        # Where buyers live: one official commune per province, for the checkout's address.
        self.run("CREATE TEMP TABLE bench_commune (province_code text, code text, name text)")
        for province in all_provinces():
            commune = communes_of(province.code)[0]
            self.run(
                "INSERT INTO bench_commune VALUES (:p, :c, :n)",
                p=province.code,
                c=commune.code,
                n=commune.name,
            )
        return int(self.value("SELECT count(*) FROM bench_variant"))

    # Checkouts and orders ----------------------------------------------------------------

    def checkouts(self) -> int:
        codes = [province.code for province in all_provinces()]
        # Buyers in Hà Nội and Hồ Chí Minh City buy most; times lean to the recent months.
        self.run(
            """
            CREATE TEMP TABLE bench_checkout AS
            SELECT :base + g AS id,
                   CAST(:now AS timestamptz)
                     - make_interval(secs => :span * power(random(), 1.25)) AS created_at,
                   (ARRAY['cod', 'cod', 'cod', 'cod', 'cod', 'bank_transfer', 'bank_transfer',
                          'bank_transfer', 'stripe', 'stripe'])[1 + floor(random() * 10)::int]
                     AS payment_method,
                   CASE WHEN r < 0.22 THEN '01' WHEN r < 0.44 THEN '79'
                        ELSE (CAST(:codes AS text[]))[1 + floor(random() * :provinces)::int]
                   END AS province_code
            FROM (SELECT g, random() AS r FROM generate_series(1, :count) g) s
            """,
            base=self.bases["checkout"],
            now=self.now,
            span=HISTORY_DAYS * 86_400,
            codes=codes,
            provinces=len(codes),
            count=self.scale.checkouts,
        )
        return self.run(
            """
            INSERT INTO checkout (id, buyer_id, access_token, contact_name, contact_phone,
                contact_email, province_code, commune, commune_code, street, payment_method,
                language, stripe_session_id, stripe_session_url, created_at)
            SELECT c.id, NULL, md5(c.id || ':' || :seed) || c.id, 'Khách ' || c.id,
                   '+8491' || lpad((c.id % 10000000)::text, 7, '0'), NULL, c.province_code,
                   m.name, m.code, 'Số ' || (1 + c.id % 200) || ' đường Trần Phú',
                   c.payment_method, 'vi',
                   CASE WHEN c.payment_method = 'stripe' THEN 'cs_bench_' || c.id END, NULL,
                   c.created_at
            FROM bench_checkout c JOIN bench_commune m ON m.province_code = c.province_code
            ORDER BY c.id
            """,
            seed=str(self.scale.seed),
        )

    def orders(self) -> int:
        scale = self.scale
        # Each order: a province (by rank, skewed), a farm of it (skewed: some sell a lot),
        # what becomes of it (r_fate), and the times of each step; a step later than now has
        # not happened yet.
        self.run(
            """
            CREATE TEMP TABLE bench_order AS
            SELECT o.id, o.checkout_id, s.farm_id, s.nv, c.payment_method AS method,
                   c.created_at AS t0, o.r_fate, o.r_pay, o.r_fee,
                   least(s.nv, 1 + floor(power(o.r_lines, 2) * 3))::int AS nlines,
                   floor(o.r_vstart * s.nv)::int AS vstart
            FROM (
                SELECT :order_base + g AS id,
                       :checkout_base + 1
                         + floor((g - 1)::numeric * :checkouts / :orders)::bigint AS checkout_id,
                       least(:provinces - 1, floor(:provinces * power(random(), 1.8)))::int
                         AS prank,
                       random() AS r_farm, random() AS r_fate, random() AS r_pay,
                       random() AS r_lines, random() AS r_vstart, random() AS r_fee
                FROM generate_series(1, :orders) g
            ) o
            JOIN bench_province p ON p.rank = o.prank
            JOIN bench_seller s ON s.province_code = p.province_code
                 AND s.rn = floor(p.sellers * power(o.r_farm, 2))::bigint
            JOIN bench_checkout c ON c.id = o.checkout_id
            """,
            order_base=self.bases["farm_order"],
            checkout_base=self.bases["checkout"],
            checkouts=scale.checkouts,
            orders=scale.orders,
            provinces=self.provinces,
        )
        self.run(
            """
            CREATE TEMP TABLE bench_plan AS
            SELECT *,
                   CASE WHEN refund THEN t_deliver + interval '2 days' END AS t_refund,
                   CASE WHEN NOT refund AND t_deliver IS NOT NULL
                        THEN t_deliver + interval '5 days' END AS t_complete,
                   CASE WHEN method = 'cod' AND t_deliver IS NOT NULL
                        THEN t_deliver + interval '1 minute' ELSE t_paid END AS t_pay
            FROM (
                SELECT *,
                       t_ship + make_interval(secs => 172800 + r_pay * 172800) AS t_deliver
                FROM (
                    SELECT *,
                           t_pack + interval '8 hours' AS t_ship
                    FROM (
                        SELECT *,
                               CASE WHEN t_cancel IS NULL
                                    THEN coalesce(t_paid, t0) + interval '20 hours' END AS t_pack
                        FROM (
                            SELECT *,
                                   CASE WHEN unpaid THEN t0 + CASE method
                                            WHEN 'stripe' THEN interval '1 hour'
                                            ELSE interval '24 hours' END
                                        WHEN method = 'cod' AND r_fate < 0.06
                                        THEN t0 + make_interval(secs => 7200 + r_pay * 72000)
                                   END AS t_cancel,
                                   CASE WHEN method <> 'cod' AND NOT unpaid THEN
                                        t0 + make_interval(secs => CASE method
                                            WHEN 'stripe' THEN 60 + r_pay * 1200
                                            ELSE 600 + r_pay * 36000 END)
                                   END AS t_paid
                            FROM (
                                SELECT *,
                                       method <> 'cod' AND r_fate < CASE method
                                           WHEN 'stripe' THEN 0.05 ELSE 0.10 END AS unpaid,
                                       r_fate > 0.99 AS refund
                                FROM bench_order
                            ) a
                        ) b
                    ) c
                ) d
            ) e
            """
        )
        # Only what has happened by now counts.
        self.run(
            """
            UPDATE bench_plan SET
                t_cancel = CASE WHEN t_cancel <= :now THEN t_cancel END,
                t_pack = CASE WHEN t_pack <= :now THEN t_pack END,
                t_ship = CASE WHEN t_ship <= :now THEN t_ship END,
                t_deliver = CASE WHEN t_deliver <= :now THEN t_deliver END,
                t_complete = CASE WHEN t_complete <= :now THEN t_complete END,
                t_refund = CASE WHEN t_refund <= :now THEN t_refund END,
                t_pay = CASE WHEN t_pay <= :now THEN t_pay END
            """,
            now=self.now,
        )
        self.run("CREATE UNIQUE INDEX ON bench_plan (id)")
        self.run(
            """
            CREATE TEMP TABLE bench_line AS
            SELECT :line_base + row_number() OVER (ORDER BY p.id, k) AS id, p.id AS order_id,
                   v.variant_id, v.product_id, v.product_name, v.unit_label, v.price_vnd,
                   v.weight_grams, (1 + floor(power(random(), 3) * 5))::int AS quantity
            FROM bench_plan p
            CROSS JOIN LATERAL generate_series(1, p.nlines) k
            JOIN bench_variant v ON v.farm_id = p.farm_id AND v.vrn = (p.vstart + k) % p.nv
            """,
            line_base=self.bases["order_line"],
        )
        carrier = by_code(CARRIER_CODE)
        orders = self.run(
            """
            INSERT INTO farm_order (id, number, checkout_id, farm_id, status, payment_status,
                payment_method, delivery_method, subtotal_vnd, delivery_fee_vnd, total_vnd,
                pay_before, stock_released_at, carrier, carrier_code, tracking_number,
                cancel_reason, recall_hold, created_at)
            SELECT p.id,
                   'NS' || CASE WHEN p.id < 1000000 THEN lpad(p.id::text, 6, '0')
                                ELSE p.id::text END,
                   p.checkout_id, p.farm_id,
                   CASE WHEN p.t_refund IS NOT NULL THEN 'refunded'
                        WHEN p.t_cancel IS NOT NULL THEN 'cancelled'
                        WHEN p.t_complete IS NOT NULL THEN 'completed'
                        WHEN p.t_deliver IS NOT NULL THEN 'delivered'
                        WHEN p.t_ship IS NOT NULL THEN 'shipped'
                        WHEN p.t_pack IS NOT NULL THEN 'packed'
                        WHEN p.method = 'cod' OR p.t_pay IS NOT NULL THEN 'confirmed'
                        ELSE 'awaiting_payment' END,
                   CASE WHEN p.t_refund IS NOT NULL THEN 'refunded'
                        WHEN p.t_pay IS NOT NULL THEN 'paid' ELSE 'unpaid' END,
                   p.method, 'delivery', l.subtotal, fee.vnd, l.subtotal + fee.vnd,
                   CASE p.method WHEN 'stripe' THEN p.t0 + interval '1 hour'
                                 WHEN 'bank_transfer' THEN p.t0 + interval '24 hours' END,
                   p.t_cancel,
                   CASE WHEN p.t_ship IS NOT NULL THEN :carrier END,
                   CASE WHEN p.t_ship IS NOT NULL THEN :carrier_code END,
                   CASE WHEN p.t_ship IS NOT NULL THEN 'S' || p.id || '.BN' END,
                   CASE WHEN p.t_cancel IS NOT NULL AND p.method = 'cod'
                        THEN 'Khách đổi ý' END,
                   NULL, p.t0
            FROM bench_plan p
            JOIN (SELECT order_id, sum(price_vnd * quantity) AS subtotal
                  FROM bench_line GROUP BY order_id) l ON l.order_id = p.id
            CROSS JOIN LATERAL (
                SELECT CASE WHEN p.r_fee < 0.2 THEN 0
                            ELSE 15000 + floor(p.r_fee * 4) * 5000 END AS vnd
            ) fee
            ORDER BY p.id
            """,
            carrier=carrier.name,
            carrier_code=carrier.code,
        )
        lines = self.run(
            """
            INSERT INTO order_line (id, order_id, variant_id, product_name, unit_label,
                unit_price_vnd, quantity, line_total_vnd, weight_grams, ships_on)
            SELECT id, order_id, variant_id, product_name, unit_label, price_vnd, quantity,
                   price_vnd * quantity, weight_grams * quantity, NULL
            FROM bench_line ORDER BY id
            """
        )
        return orders + lines

    def order_events(self) -> int:
        """The history orders.events writes, step by step, for the steps that happened."""
        carrier = by_code(CARRIER_CODE)
        return self.run(
            """
            INSERT INTO order_event (order_id, kind, from_state, to_state, actor_id, note,
                created_at)
            SELECT order_id, kind, from_state, to_state, NULL, note, at FROM (
                SELECT id AS order_id, 1 AS step, 'status' AS kind, NULL AS from_state,
                       CASE WHEN method = 'cod' THEN 'confirmed' ELSE 'awaiting_payment' END
                         AS to_state,
                       'placed' AS note, t0 AS at
                FROM bench_plan
                UNION ALL
                SELECT id, 2, 'payment', 'unpaid', 'paid',
                       CASE method WHEN 'stripe' THEN 'paid by card'
                                   ELSE 'transfer confirmed by farm' END, t_pay
                FROM bench_plan WHERE method <> 'cod' AND t_pay IS NOT NULL
                UNION ALL
                SELECT id, 3, 'status', 'awaiting_payment', 'confirmed', '', t_pay
                FROM bench_plan WHERE method <> 'cod' AND t_pay IS NOT NULL
                UNION ALL
                SELECT id, 4, 'status',
                       CASE WHEN method = 'cod' THEN 'confirmed' ELSE 'awaiting_payment' END,
                       'cancelled',
                       CASE WHEN method = 'cod' THEN 'Khách đổi ý'
                            ELSE 'payment time ran out' END,
                       t_cancel
                FROM bench_plan WHERE t_cancel IS NOT NULL
                UNION ALL
                SELECT id, 5, 'status', 'confirmed', 'packed', '', t_pack
                FROM bench_plan WHERE t_pack IS NOT NULL
                UNION ALL
                SELECT id, 6, 'status', 'packed', 'shipped',
                       :carrier || ' S' || id || '.BN', t_ship
                FROM bench_plan WHERE t_ship IS NOT NULL
                UNION ALL
                SELECT id, 7, 'status', 'shipped', 'delivered', '', t_deliver
                FROM bench_plan WHERE t_deliver IS NOT NULL
                UNION ALL
                SELECT id, 8, 'payment', 'unpaid', 'paid', 'cash collected', t_pay
                FROM bench_plan WHERE method = 'cod' AND t_pay IS NOT NULL
                UNION ALL
                SELECT id, 9, 'status', 'delivered', 'completed', '', t_complete
                FROM bench_plan WHERE t_complete IS NOT NULL
                UNION ALL
                SELECT id, 10, 'status', 'delivered', 'refunded', 'hàng dập, hoàn tiền', t_refund
                FROM bench_plan WHERE t_refund IS NOT NULL
                UNION ALL
                SELECT id, 11, 'payment', 'paid', 'refunded', 'hàng dập, hoàn tiền', t_refund
                FROM bench_plan WHERE t_refund IS NOT NULL
            ) e
            ORDER BY order_id, at, step
            """,
            carrier=carrier.name,
        )

    def listed_before_sold(self) -> int:
        """seed_scale dates products anywhere in the last two years; one bought earlier is
        dated back to a day before its first order, so nothing is sold before it is listed."""
        return self.run(SOLD_BEFORE_LISTED_SQL)

    # Traceability ------------------------------------------------------------------------

    def batches(self) -> int:
        # A batch of a product a selling farm publishes, recorded after it was published; most
        # are harvested a few days later, and most harvested ones get labels the day after.
        self.run(
            """
            CREATE TEMP TABLE bench_product AS
            SELECT row_number() OVER (ORDER BY p.id) - 1 AS rn, p.id AS product_id, p.farm_id,
                   greatest(coalesce(p.published_at, p.created_at),
                            CAST(:now AS timestamptz) - make_interval(days => :days)) AS since
            FROM product p WHERE p.status = 'published'
            """,
            now=self.now,
            days=HISTORY_DAYS,
        )
        self.run("CREATE INDEX ON bench_product (rn)")
        products = int(self.value("SELECT count(*) FROM bench_product"))
        self.run(
            """
            CREATE TEMP TABLE bench_batch AS
            SELECT b.*, CASE WHEN harvest_at <= :now THEN harvest_at END AS harvested_at,
                   CASE WHEN r_recall < 0.005 AND harvest_at + interval '10 days' <= :now
                        THEN harvest_at + interval '10 days' END AS recalled_at,
                   CASE WHEN r_labels < 0.85 AND harvest_at + interval '1 day' <= :now
                        THEN harvest_at + interval '1 day' END AS labelled_at
            FROM (
                SELECT :base + g AS id, p.product_id, p.farm_id, t.created_at,
                       t.created_at + make_interval(days => 3 + floor(r_harvest * 18)::int)
                         AS harvest_at,
                       r_recall, r_labels, r_status, r_quantity
                FROM (SELECT g, floor(random() * :products)::bigint AS rn, random() AS r_time,
                             random() AS r_harvest, random() AS r_recall, random() AS r_labels,
                             random() AS r_status, random() AS r_quantity
                      FROM generate_series(1, :count) g) s
                JOIN bench_product p ON p.rn = s.rn
                CROSS JOIN LATERAL (
                    SELECT p.since + (CAST(:now AS timestamptz) - p.since) * s.r_time
                      AS created_at
                ) t
            ) b
            """,
            base=self.bases["batch"],
            now=self.now,
            products=products,
            count=self.scale.batches,
        )
        batches = self.run(
            """
            INSERT INTO batch (id, farm_id, product_id, growing_area_id, code, status,
                harvested_on, quantity, unit, head_hash, event_count, created_by_id,
                created_at, recalled_at, recall_reason, recalled_by_id)
            SELECT b.id, b.farm_id, b.product_id, NULL, 'LO' || b.id,
                   CASE WHEN b.recalled_at IS NOT NULL THEN 'recalled'
                        WHEN b.harvested_at IS NULL THEN 'growing'
                        WHEN b.r_status < 0.3 THEN 'sold_out'
                        ELSE 'packed' END,
                   CAST((b.harvested_at AT TIME ZONE 'Asia/Ho_Chi_Minh') AS date),
                   CASE WHEN b.harvested_at IS NOT NULL
                        THEN round((100 + b.r_quantity * 4900)::numeric, 2) END,
                   'kg', NULL, 0, NULL, b.created_at, b.recalled_at,
                   CASE WHEN b.recalled_at IS NOT NULL
                        THEN 'Dư lượng thuốc bảo vệ thực vật vượt ngưỡng' END,
                   CASE WHEN b.recalled_at IS NOT NULL THEN
                        (SELECT min(id) FROM user_account WHERE role = 'operator') END
            FROM bench_batch b ORDER BY b.id
            """
        )
        formats = sorted(FORMATS)
        runs = self.run(
            """
            INSERT INTO label_run (id, batch_id, format, count, issued_by_id, created_at,
                drawing_requested_at)
            SELECT :base + row_number() OVER (ORDER BY b.id), b.id,
                   (CAST(:formats AS text[]))[1 + floor(random() * :format_count)::int],
                   10 + floor(random() * 41)::int, NULL, b.labelled_at, NULL
            FROM bench_batch b WHERE b.labelled_at IS NOT NULL
            ORDER BY b.id
            """,
            base=self.bases["label_run"],
            formats=formats,
            format_count=len(formats),
        )
        # A serial: four random characters, then the label's id in six characters of the
        # same alphabet (Crockford's base32), so that no two are alike.
        id_chars = " || ".join(
            f"substr(:alphabet, 1 + ((id >> {shift}) & 31)::int, 1)"
            for shift in (25, 20, 15, 10, 5, 0)
        )
        random_chars = " || ".join(["substr(:alphabet, 1 + floor(random() * 32)::int, 1)"] * 4)
        labels = self.run(
            f"""
            INSERT INTO label (id, serial, batch_id, run_id, scan_count, first_scanned_at,
                last_scanned_at)
            SELECT id, {random_chars} || {id_chars}, batch_id, run_id, 0, NULL, NULL
            FROM (
                SELECT :base + row_number() OVER (ORDER BY r.id, k) AS id, r.batch_id,
                       r.id AS run_id
                FROM label_run r CROSS JOIN LATERAL generate_series(1, r.count) k
                WHERE r.id > :run_base
            ) l
            ORDER BY id
            """,
            base=self.bases["label"],
            run_base=self.bases["label_run"],
            alphabet=SERIAL_ALPHABET,
        )
        self.labels_made = labels
        return batches + runs + labels

    def scans(self) -> int:
        if not self.labels_made:
            return 0
        # Scans come soon after the labels are printed, and fade; some labels are scanned
        # far more than others. 4 % are link previews (bots: logged, not counted) and 1 %
        # unknown serials (no label).
        return self.run(
            """
            INSERT INTO label_scan (label_id, batch_id, serial, scanned_at, device)
            SELECT CASE WHEN s.r_kind >= 0.01 THEN l.id END,
                   CASE WHEN s.r_kind >= 0.01 THEN l.batch_id END,
                   CASE WHEN s.r_kind >= 0.01 THEN l.serial
                        ELSE upper(substr(md5(s.g::text), 1, 11)) END,
                   r.created_at + (CAST(:now AS timestamptz) - r.created_at)
                     * power(s.r_time, 4),
                   CASE WHEN s.r_kind >= 0.01 AND s.r_kind < 0.05 THEN 'bot'
                        WHEN s.r_device < 0.85 THEN 'phone'
                        WHEN s.r_device < 0.9 THEN 'tablet'
                        ELSE 'desktop' END
            FROM (SELECT g, :base + 1 + floor(:labels * power(random(), 1.3))::bigint AS label_id,
                         random() AS r_kind, random() AS r_time, random() AS r_device
                  FROM generate_series(1, :count) g) s
            JOIN label l ON l.id = s.label_id
            JOIN label_run r ON r.id = l.run_id
            """,
            base=self.bases["label"],
            labels=self.labels_made,
            now=self.now,
            count=self.scale.scans,
        )

    def label_counters(self) -> int:
        """What counting each scan would have left on its label (people only)."""
        return self.run(
            """
            UPDATE label SET scan_count = s.n, first_scanned_at = s.first,
                             last_scanned_at = s.last
            FROM (SELECT label_id, count(*) AS n, min(scanned_at) AS first,
                         max(scanned_at) AS last
                  FROM label_scan
                  WHERE label_id > :base AND device <> 'bot'
                  GROUP BY label_id) s
            WHERE label.id = s.label_id
            """,
            base=self.bases["label"],
        )

    def allocations(self) -> int:
        """About half the lines shipped say which batch they were packed from: the latest
        batch of the product recorded before the order was packed."""
        return self.run(
            """
            INSERT INTO batch_allocation (order_line_id, batch_id, quantity)
            SELECT l.id, b.id, l.quantity
            FROM bench_line l
            JOIN bench_plan p ON p.id = l.order_id
            CROSS JOIN LATERAL (
                SELECT batch.id FROM batch
                WHERE batch.product_id = l.product_id AND batch.harvested_on IS NOT NULL
                  AND batch.created_at <= p.t_pack
                ORDER BY batch.created_at DESC LIMIT 1
            ) b
            WHERE p.t_ship IS NOT NULL AND random() < 0.55
            ORDER BY l.id
            """
        )

    def sequences(self) -> int:
        for table in ("checkout", "farm_order", "order_line", "batch", "label_run", "label"):
            self.value(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" (SELECT coalesce(max(id), 1) FROM {table}))"
            )
        return 6
