"""the service directory: listings, imports, problem reports and the directory's version

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 02:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "directory_services",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("publisher", sa.String(length=64), nullable=True),
        sa.Column("fictional", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("organization_name", sa.String(length=255), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("assured_on", sa.Date(), nullable=True),
        sa.Column("staff_checked_on", sa.Date(), nullable=True),
        sa.Column("staff_checked_by", sa.String(length=64), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("record", sa.Text(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_directory_services_publisher", "directory_services", ["publisher"])
    op.create_index("ix_directory_services_country", "directory_services", ["country"])
    op.create_table(
        "directory_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("publisher", sa.String(length=64), nullable=True),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("fictional", sa.Boolean(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("services", sa.Integer(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.Column("problems", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_directory_imports_at", "directory_imports", ["at"])
    op.create_table(
        "directory_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("service_name", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_directory_reports_service_id", "directory_reports", ["service_id"])
    op.create_index("ix_directory_reports_created_at", "directory_reports", ["created_at"])
    op.create_table(
        "directory_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute(sa.text("INSERT INTO directory_state (id, version) VALUES (1, 0)"))


def downgrade() -> None:
    for table in ("directory_state", "directory_reports", "directory_imports", "directory_services"):
        op.drop_table(table)
