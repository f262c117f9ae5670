"""trace: label scanners (the copy warning counts distinct visitors), batch facts sealed in
the hash chain

Revision ID: 5c404f55efb2
Revises: 1f72bc65e52a
Create Date: 2026-11-29 15:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c404f55efb2'
down_revision = '1f72bc65e52a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('label_scanner',
    sa.Column('label_id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['label_id'], ['label.id'], name=op.f('fk_label_scanner_label_id_label')),
    sa.PrimaryKeyConstraint('label_id', 'fingerprint', name=op.f('pk_label_scanner'))
    )


def downgrade():
    op.drop_table('label_scanner')
