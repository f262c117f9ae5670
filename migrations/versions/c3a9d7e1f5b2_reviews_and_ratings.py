"""Reviews: a buyer's review of a delivered order line, its photos, revisions and reports;
rating counts and star sums on products and farms

Revision ID: c3a9d7e1f5b2
Revises: b7e2c4d9f1a3
Create Date: 2026-11-30 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "c3a9d7e1f5b2"
down_revision = "b7e2c4d9f1a3"
branch_labels = None
depends_on = None

_RATED = ("product", "farm")


def upgrade():
    for table in _RATED:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(
                sa.Column("rating_count", sa.Integer(), server_default="0", nullable=False)
            )
            batch_op.add_column(
                sa.Column("rating_sum", sa.Integer(), server_default="0", nullable=False)
            )

    op.create_table(
        "review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("farm_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("stars", sa.SmallInteger(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden_reason", sa.String(length=500), nullable=True),
        sa.Column("hidden_by_id", sa.Integer(), nullable=True),
        sa.Column("reply_text", sa.Text(), nullable=True),
        sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replied_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("stars BETWEEN 1 AND 5", name=op.f("ck_review_stars_range")),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_line.id"],
            name=op.f("fk_review_order_line_id_order_line"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user_account.id"], name=op.f("fk_review_author_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["product.id"],
            name=op.f("fk_review_product_id_product"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["farm_id"], ["farm.id"], name=op.f("fk_review_farm_id_farm"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batch.id"], name=op.f("fk_review_batch_id_batch"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["hidden_by_id"], ["user_account.id"], name=op.f("fk_review_hidden_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["replied_by_id"],
            ["user_account.id"],
            name=op.f("fk_review_replied_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review")),
        sa.UniqueConstraint("order_line_id", name=op.f("uq_review_order_line_id")),
    )
    with op.batch_alter_table("review") as batch_op:
        batch_op.create_index(batch_op.f("ix_review_author_id"), ["author_id"])
        batch_op.create_index(batch_op.f("ix_review_farm_id"), ["farm_id"])
        batch_op.create_index(batch_op.f("ix_review_batch_id"), ["batch_id"])
        batch_op.create_index(
            "ix_review_product_visible", ["product_id", "hidden_at", "created_at"]
        )

    op.create_table(
        "review_photo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("display_key", sa.String(length=200), nullable=False),
        sa.Column("thumb_key", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["review.id"],
            name=op.f("fk_review_photo_review_id_review"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_photo")),
    )
    with op.batch_alter_table("review_photo") as batch_op:
        batch_op.create_index(batch_op.f("ix_review_photo_review_id"), ["review_id"])

    op.create_table(
        "review_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("stars", sa.SmallInteger(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("stars BETWEEN 1 AND 5", name=op.f("ck_review_revision_stars_range")),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["review.id"],
            name=op.f("fk_review_revision_review_id_review"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_revision")),
    )
    with op.batch_alter_table("review_revision") as batch_op:
        batch_op.create_index(batch_op.f("ix_review_revision_review_id"), ["review_id"])

    op.create_table(
        "review_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["review.id"],
            name=op.f("fk_review_report_review_id_review"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["user_account.id"],
            name=op.f("fk_review_report_reporter_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_report")),
        sa.UniqueConstraint("review_id", "reporter_id", name="uq_review_report_reporter"),
    )
    with op.batch_alter_table("review_report") as batch_op:
        batch_op.create_index(batch_op.f("ix_review_report_review_id"), ["review_id"])


def downgrade():
    op.drop_table("review_report")
    op.drop_table("review_revision")
    op.drop_table("review_photo")
    op.drop_table("review")
    for table in _RATED:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("rating_sum")
            batch_op.drop_column("rating_count")
