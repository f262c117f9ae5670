"""one-time codes (hashed, expiring, single use) and verified phone and e-mail of accounts

Revision ID: 6a7750ba7994
Revises: a3c5e7d21f40
Create Date: 2026-11-29 21:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6a7750ba7994'
down_revision = 'a3c5e7d21f40'
branch_labels = None
depends_on = None

LIVE = sa.text("status = 'live'")


def upgrade():
    op.create_table('one_time_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('destination', sa.String(length=254), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('salt', sa.String(length=32), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('wrong_tries', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("purpose IN ('password_reset', 'verify_phone', 'verify_email')", name=op.f('ck_one_time_code_known_purpose')),
    sa.CheckConstraint("status IN ('live', 'used', 'replaced', 'dead')", name=op.f('ck_one_time_code_known_status')),
    sa.CheckConstraint('wrong_tries >= 0', name=op.f('ck_one_time_code_tries_not_negative')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_one_time_code_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_one_time_code'))
    )
    with op.batch_alter_table('one_time_code', schema=None) as batch_op:
        batch_op.create_index('ix_one_time_code_one_live', ['user_id', 'purpose'], unique=True, sqlite_where=LIVE, postgresql_where=LIVE)
        batch_op.create_index('ix_one_time_code_user_sent', ['user_id', 'created_at'], unique=False)
        batch_op.create_index('ix_one_time_code_destination_sent', ['destination', 'created_at'], unique=False)

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_verified_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('email_verified_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('email_verified_at')
        batch_op.drop_column('phone_verified_at')

    with op.batch_alter_table('one_time_code', schema=None) as batch_op:
        batch_op.drop_index('ix_one_time_code_destination_sent')
        batch_op.drop_index('ix_one_time_code_user_sent')
        batch_op.drop_index('ix_one_time_code_one_live')

    op.drop_table('one_time_code')
