"""`nongsan trace-verify` exits 0 only when a batch's hash chain holds."""

from sqlalchemy import text

from app.extensions import db
from tests.traceability.factories import harvest, make_batch, spray


def test_trace_verify_accepts_an_intact_history(app):
    batch = make_batch(code="VT2606-A")
    spray(batch, 30)
    harvest(batch, 5)

    result = app.test_cli_runner().invoke(args=["trace-verify", f"{batch.farm.slug}/VT2606-A"])

    assert result.exit_code == 0, result.output
    assert "2 event(s), the hash chain holds" in result.output


def test_trace_verify_fails_on_a_changed_row(app):
    batch = make_batch()
    spray(batch, 30)
    harvest(batch, 5, quantity="500")
    db.session.execute(
        text("UPDATE batch_event SET note = 'sửa lén' WHERE batch_id = :id AND seq = 2"),
        {"id": batch.id},
    )
    db.session.expire_all()

    result = app.test_cli_runner().invoke(args=["trace-verify", str(batch.id)])

    assert result.exit_code == 1
    assert "HISTORY ALTERED at event 2" in result.output


def test_trace_verify_explains_an_unknown_batch(app):
    result = app.test_cli_runner().invoke(args=["trace-verify", "KHONG-CO"])

    assert result.exit_code != 0 and "No batch 'KHONG-CO'" in result.output
