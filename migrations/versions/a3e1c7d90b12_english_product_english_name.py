"""products: an optional English name, shown on English pages and found by search

Revision ID: a3e1c7d90b12
Revises: d2eb69529c56
Create Date: 2026-11-29 21:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a3e1c7d90b12"
down_revision = "d2eb69529c56"
branch_labels = None
depends_on = None


def upgrade():
    # Existing products get an empty English name: their pages keep showing the Vietnamese
    # one, and their search copies (search_name) need no change.
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("english_name", sa.String(length=160), server_default="", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.drop_column("english_name")
