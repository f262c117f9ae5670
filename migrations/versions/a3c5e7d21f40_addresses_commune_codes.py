"""addresses: addresses and checkouts keep the commune's official code beside its name

Existing rows whose commune text names a commune or ward of their province (with or without
accents or "phường"/"xã") get its code; the others keep their text and a NULL code, which is
how the person is asked to choose from the list the next time they use the address.

Revision ID: a3c5e7d21f40
Revises: 6098c79e651e
Create Date: 2026-11-29 21:10:00

"""
import sqlalchemy as sa
from alembic import op

from app.geo import commune_for_name

# revision identifiers, used by Alembic.
revision = 'a3c5e7d21f40'
down_revision = '6098c79e651e'
branch_labels = None
depends_on = None

_TABLES = ('address', 'checkout')


def _match_existing_rows(table_name):
    table = sa.table(
        table_name,
        sa.column('id', sa.Integer),
        sa.column('province_code', sa.String),
        sa.column('commune', sa.String),
        sa.column('commune_code', sa.String),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(table.c.id, table.c.province_code, table.c.commune))
    for row_id, province_code, commune_text in rows.all():
        commune = commune_for_name(province_code, commune_text)
        if commune is not None:
            connection.execute(
                table.update().where(table.c.id == row_id).values(commune_code=commune.code)
            )


def upgrade():
    for table_name in _TABLES:
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.add_column(sa.Column('commune_code', sa.String(length=5), nullable=True))
        _match_existing_rows(table_name)


def downgrade():
    for table_name in _TABLES:
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.drop_column('commune_code')
