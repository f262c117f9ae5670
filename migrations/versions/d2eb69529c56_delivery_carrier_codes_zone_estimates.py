"""delivery: an order's carrier code (for its tracking page) and each zone's delivery days

Orders shipped before keep the carrier name the farm typed; a name that is one of the
listed carriers gets that carrier's code, any other name "other". Existing zones get an
estimate: 1-2 days inside the farm's own province, 3-5 days anywhere else.

Revision ID: d2eb69529c56
Revises: 6a7750ba7994
Create Date: 2026-11-29 21:10:00

"""

import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "d2eb69529c56"
down_revision = "6a7750ba7994"
branch_labels = None
depends_on = None

#: Words found in the names farms typed, in the order they are tried, with the code they mean
#: (frozen here: orders/carriers.py may list more carriers later).
KNOWN_NAMES = (
    (("ghtk", "giaohangtietkiem"), "ghtk"),
    (("ghn", "giaohangnhanh"), "ghn"),
    (("viettel", "vtp"), "viettel_post"),
    (("vnpost", "vietnampost", "buudien"), "vnpost"),
    (("j&t", "jtexpress", "jnt", "jandt"), "jt_express"),
    (("ninjavan",), "ninja_van"),
    (("bestexpress", "bestinc"), "best_express"),
)
#: Short names that only mean a carrier when they are the whole name.
WHOLE_NAMES = {"jt": "jt_express", "best": "best_express", "ems": "vnpost"}


def carrier_code_for(name):
    """The code for a carrier name as a farm typed it ("Giao Hàng Nhanh", "J&T"), else other."""
    folded = unicodedata.normalize("NFKD", name.replace("Đ", "D").replace("đ", "d").lower())
    squeezed = "".join(
        ch for ch in folded if (ch.isalnum() or ch == "&") and not unicodedata.combining(ch)
    )
    if squeezed in WHOLE_NAMES:
        return WHOLE_NAMES[squeezed]
    for words, code in KNOWN_NAMES:
        if any(word in squeezed for word in words):
            return code
    return "other"


def upgrade():
    with op.batch_alter_table("farm_order", schema=None) as batch_op:
        batch_op.add_column(sa.Column("carrier_code", sa.String(length=20), nullable=True))
    with op.batch_alter_table("delivery_zone", schema=None) as batch_op:
        batch_op.add_column(sa.Column("min_days", sa.Integer(), nullable=False, server_default="3"))
        batch_op.add_column(sa.Column("max_days", sa.Integer(), nullable=False, server_default="5"))

    connection = op.get_bind()
    orders = sa.table(
        "farm_order",
        sa.column("id", sa.Integer),
        sa.column("carrier", sa.String),
        sa.column("carrier_code", sa.String),
    )
    shipped = connection.execute(
        sa.select(orders.c.id, orders.c.carrier).where(orders.c.carrier.is_not(None))
    ).all()
    for order_id, name in shipped:
        connection.execute(
            orders.update()
            .where(orders.c.id == order_id)
            .values(carrier_code=carrier_code_for(name))
        )
    # A zone in the farm's own province is the short trip.
    zones = sa.table(
        "delivery_zone",
        sa.column("settings_id", sa.Integer),
        sa.column("province_code", sa.String),
        sa.column("min_days", sa.Integer),
        sa.column("max_days", sa.Integer),
    )
    settings = sa.table(
        "delivery_settings", sa.column("id", sa.Integer), sa.column("farm_id", sa.Integer)
    )
    farms = sa.table("farm", sa.column("id", sa.Integer), sa.column("province_code", sa.String))
    home_province = (
        sa.select(farms.c.province_code)
        .join(settings, settings.c.farm_id == farms.c.id)
        .where(settings.c.id == zones.c.settings_id)
        .scalar_subquery()
    )
    connection.execute(
        zones.update().where(zones.c.province_code == home_province).values(min_days=1, max_days=2)
    )

    with op.batch_alter_table("delivery_zone", schema=None) as batch_op:
        batch_op.alter_column("min_days", server_default=None, existing_type=sa.Integer())
        batch_op.alter_column("max_days", server_default=None, existing_type=sa.Integer())
        batch_op.create_check_constraint(
            op.f("ck_delivery_zone_days_in_order"), "min_days >= 0 AND max_days >= min_days"
        )


def downgrade():
    with op.batch_alter_table("delivery_zone", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_delivery_zone_days_in_order"), type_="check")
        batch_op.drop_column("max_days")
        batch_op.drop_column("min_days")
    with op.batch_alter_table("farm_order", schema=None) as batch_op:
        batch_op.drop_column("carrier_code")
