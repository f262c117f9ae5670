"""trace: label scanners (the copy warning counts distinct visitors), batch facts sealed in
the hash chain

Revision ID: 5c404f55efb2
Revises: 1f72bc65e52a
Create Date: 2026-11-29 15:30:00

"""
import hashlib
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c404f55efb2'
down_revision = '1f72bc65e52a'
branch_labels = None
depends_on = None


def facts_anchor(batch_id, farm_id, product_id, growing_area_id, code):
    """traceability.chain.facts_anchor(), frozen here: the form "batch-facts/1" never changes
    (tests/traceability/test_batch_seal.py checks both agree)."""
    content = {
        "form": "batch-facts/1",
        "batch": batch_id,
        "farm": farm_id,
        "product": product_id,
        "growing_area": growing_area_id,
        "code": code,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def seal_batches_without_events(connection):
    """A batch with no entry yet starts its chain from its facts, as new batches do. Batches
    with entries keep their chain (from 64 zeros): verification treats them as legacy, whose
    identity and earlier labels the chain does not cover; their harvest facts and any labels
    issued from now on are still checked."""
    batch = sa.table(
        "batch",
        sa.column("id"),
        sa.column("farm_id"),
        sa.column("product_id"),
        sa.column("growing_area_id"),
        sa.column("code"),
        sa.column("event_count"),
        sa.column("head_hash"),
    )
    rows = connection.execute(
        sa.select(
            batch.c.id, batch.c.farm_id, batch.c.product_id, batch.c.growing_area_id, batch.c.code
        ).where(batch.c.event_count == 0, batch.c.head_hash.is_(None))
    ).all()
    for row in rows:
        connection.execute(
            batch.update().where(batch.c.id == row.id).values(head_hash=facts_anchor(*row))
        )


def upgrade():
    seal_batches_without_events(op.get_bind())
    op.create_table('label_scanner',
    sa.Column('label_id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['label_id'], ['label.id'], name=op.f('fk_label_scanner_label_id_label')),
    sa.PrimaryKeyConstraint('label_id', 'fingerprint', name=op.f('pk_label_scanner'))
    )


def downgrade():
    op.drop_table('label_scanner')
