"""index the storefront's newest-first order

Revision ID: 0ba5beb84216
Revises: 5d2ca8412840
Create Date: 2026-11-22 00:34:31.254760

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0ba5beb84216'
down_revision = '5d2ca8412840'
branch_labels = None
depends_on = None


def upgrade():
    # The catalog lists published products newest first; without this index every page
    # sorts the whole catalog. Partial and descending, which both SQLite and PostgreSQL know.
    op.execute(
        "CREATE INDEX ix_product_published_order ON product (published_at DESC, id DESC) "
        "WHERE status = 'published'"
    )


def downgrade():
    op.execute("DROP INDEX ix_product_published_order")
