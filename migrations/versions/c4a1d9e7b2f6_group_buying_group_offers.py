"""group buying: group offers, and the offer an order joined

Revision ID: c4a1d9e7b2f6
Revises: c4a9e1f7b2d6
Create Date: 2026-11-30 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4a1d9e7b2f6'
down_revision = 'c4a9e1f7b2d6'
branch_labels = None
depends_on = None

OPEN = sa.text("status = 'open'")


def upgrade():
    op.create_table(
        'group_offer',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('farm_id', sa.Integer(), nullable=False),
        sa.Column('variant_id', sa.Integer(), nullable=False),
        sa.Column('group_price_vnd', sa.Integer(), nullable=False),
        sa.Column('goal', sa.String(length=10), nullable=False),
        sa.Column('min_count', sa.Integer(), nullable=False),
        sa.Column('max_boxes', sa.Integer(), nullable=False),
        sa.Column('deadline', sa.DateTime(timezone=True), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint('group_price_vnd > 0', name=op.f('ck_group_offer_positive_group_price')),
        sa.CheckConstraint('min_count > 0', name=op.f('ck_group_offer_positive_min_count')),
        sa.CheckConstraint('max_boxes > 0', name=op.f('ck_group_offer_positive_max_boxes')),
        sa.CheckConstraint("goal IN ('buyers', 'boxes')", name=op.f('ck_group_offer_known_goal')),
        sa.CheckConstraint("status IN ('open', 'succeeded', 'failed')", name=op.f('ck_group_offer_known_status')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_group_offer_created_by_id_user_account'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['farm_id'], ['farm.id'], name=op.f('fk_group_offer_farm_id_farm'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['variant_id'], ['variant.id'], name=op.f('fk_group_offer_variant_id_variant'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_group_offer')),
    )
    with op.batch_alter_table('group_offer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_offer_farm_id'), ['farm_id'], unique=False)
        batch_op.create_index('ix_group_offer_one_open', ['variant_id'], unique=True, sqlite_where=OPEN, postgresql_where=OPEN)
        batch_op.create_index('ix_group_offer_status_deadline', ['status', 'deadline'], unique=False)

    with op.batch_alter_table('farm_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('group_offer_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_farm_order_group_offer_id'), ['group_offer_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_farm_order_group_offer_id_group_offer'), 'group_offer', ['group_offer_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('farm_order', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_farm_order_group_offer_id_group_offer'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_farm_order_group_offer_id'))
        batch_op.drop_column('group_offer_id')

    with op.batch_alter_table('group_offer', schema=None) as batch_op:
        batch_op.drop_index('ix_group_offer_status_deadline')
        batch_op.drop_index('ix_group_offer_one_open')
        batch_op.drop_index(batch_op.f('ix_group_offer_farm_id'))

    op.drop_table('group_offer')
