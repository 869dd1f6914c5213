"""staff enrolment links, server-side pending sign-ins, per-source throttles, escalating locks

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06 20:40:00

Existing accounts keep working: enrolled accounts sign in as before (their wrong-code
count starts again at zero). An account that never set up its authenticator needs an
enrolment link (`python -m wizard staff reset-totp NAME`): a password alone no longer
opens enrolment.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN, not a batch copy: on SQLite a batch copy drops and recreates
    # staff_users, and with foreign keys on that deletes every session (ON DELETE CASCADE).
    op.add_column("staff_users", sa.Column("needs_unlock", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("staff_users", sa.Column("locked_at", sa.DateTime(), nullable=True))
    op.add_column("staff_users", sa.Column("locked_after", sa.Integer(), nullable=True))
    # The old counter reset at each lock and counted passwords too; start the new one clean.
    op.execute(sa.text("UPDATE staff_users SET failed_attempts = 0"))
    op.add_column("staff_sessions", sa.Column("agent", sa.String(length=32), nullable=True))

    op.create_table(
        "staff_enrolments",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["staff_users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("staff_enrolments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_enrolments_user_id"), ["user_id"], unique=False)

    op.create_table(
        "staff_pending_logins",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("enrolment_id", sa.String(length=64), nullable=True),
        sa.Column("totp_sealed", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["enrolment_id"], ["staff_enrolments.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["staff_users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("staff_pending_logins", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_pending_logins_enrolment_id"), ["enrolment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_staff_pending_logins_user_id"), ["user_id"], unique=False)

    op.create_table(
        "staff_source_throttles",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_failed_at", sa.DateTime(), nullable=False),
        sa.Column("blocked_until", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["staff_users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "source"),
    )


def downgrade() -> None:
    # On SQLite the batch copy of staff_users below ends every staff session (see upgrade).
    op.drop_table("staff_source_throttles")
    with op.batch_alter_table("staff_pending_logins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_pending_logins_user_id"))
        batch_op.drop_index(batch_op.f("ix_staff_pending_logins_enrolment_id"))
    op.drop_table("staff_pending_logins")
    with op.batch_alter_table("staff_enrolments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_enrolments_user_id"))
    op.drop_table("staff_enrolments")
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.drop_column("agent")
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.drop_column("locked_after")
        batch_op.drop_column("locked_at")
        batch_op.drop_column("needs_unlock")
