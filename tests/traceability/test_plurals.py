"""Counts read right for one and for several: "1 entry", "2 entries"; "1 day", "2 days"."""

import pytest
from flask_babel import force_locale

from app.errors import DomainError
from app.extensions import db
from tests.app.factories import log_in
from tests.farms.factories import make_farm
from tests.products.factories import make_product
from tests.support.web import page_text
from tests.traceability.factories import harvest, make_batch, spray
from traceability.models import BatchEvent


def _trace(client, batch) -> str:
    db.session.commit()
    return page_text(client.get(f"/trace/{batch.farm.slug}/{batch.code}"))


@pytest.fixture
def batch(app):
    farm = make_farm()
    return make_batch(farm, make_product(farm))


def _entries(batch) -> int:
    return db.session.query(BatchEvent).filter_by(batch_id=batch.id).count()


@pytest.mark.parametrize("language", ["en", "vi"])
def test_history_counts_one_entry_and_several(client, batch, language):
    client.post_form("/language", {"lang": language})
    harvest(batch, 6)
    one = _entries(batch)
    assert one == 1
    first = _trace(client, batch)
    spray(batch, 8, phi_days=1)
    second = _trace(client, batch)

    if language == "en":
        assert "History intact: 1 entry, not changed" in first
        assert "History intact: 2 entries, none changed" in second
    else:
        assert "Nhật ký nguyên vẹn: 1 mục" in first
        assert "Nhật ký nguyên vẹn: 2 mục" in second


def test_the_spraying_interval_counts_days(client, batch):
    client.post_form("/language", {"lang": "en"})
    spray(batch, 7, phi_days=1)
    harvest(batch, 6)
    assert "Last spraying 1 day before harvest; required 1 day." in _trace(client, batch)


def test_the_spraying_interval_in_vietnamese_reads_as_before(client, batch):
    spray(batch, 8, phi_days=2)
    harvest(batch, 6)
    assert "Lần phun thuốc cuối cách thu hoạch 2 ngày; yêu cầu 2 ngày." in _trace(client, batch)


@pytest.mark.parametrize(("count", "said"), [("1", "1 label issued."), ("2", "2 labels issued.")])
def test_issuing_labels_says_how_many_in_the_singular_or_plural(client, batch, count, said):
    harvest(batch, 2)
    db.session.commit()
    log_in(client, batch.farm.members[0].user.phone)
    client.post_form("/language", {"lang": "en"})

    client.post_form(f"/dashboard/batches/{batch.id}/labels", {"format": "a4-65", "count": count})

    assert said in page_text(client.get(f"/dashboard/batches/{batch.id}"))


@pytest.mark.parametrize(("phi_days", "said"), [(1, "needs 1 day before"), (3, "needs 3 days")])
def test_a_harvest_too_early_counts_the_days_to_wait(app, batch, phi_days, said):
    spray(batch, 1, phi_days=phi_days)
    with app.test_request_context(), force_locale("en"):
        with pytest.raises(DomainError) as refused:
            harvest(batch, 0.5)
        assert said in str(refused.value.message)
