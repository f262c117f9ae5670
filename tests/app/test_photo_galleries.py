"""Farm and product photos share one gallery: a limit, and positions without gaps."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from app.errors import DomainError
from app.extensions import db
from farms import services as farm_services
from products import services as product_services
from tests.farms.factories import make_farm
from tests.products.factories import make_product


def _jpeg(shade: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (shade, 120, 60)).save(buffer, format="JPEG")
    return buffer.getvalue()


def _farm_gallery():
    farm = make_farm()
    owner = farm.members[0].user
    return (
        farm,
        (lambda data: farm_services.add_farm_photo(farm, owner, data)),
        (lambda photo: farm_services.remove_farm_photo(photo, owner)),
    )


def _product_gallery():
    product = make_product()
    owner = product.farm.members[0].user
    return (
        product,
        (lambda data: product_services.add_product_photo(product, owner, data)),
        (lambda photo: product_services.remove_product_photo(photo, owner)),
    )


GALLERIES = pytest.mark.parametrize(
    "gallery", [_farm_gallery, _product_gallery], ids=["farm", "product"]
)


@GALLERIES
def test_removing_a_photo_renumbers_the_others_from_zero(app, gallery):
    # Given three photos at positions 0, 1, 2
    owner, add, remove = gallery()
    first, middle, last = (add(_jpeg(shade)) for shade in (10, 20, 30))

    # When the middle one is removed
    remove(middle)
    db.session.expire_all()

    # Then the others keep their order, at positions 0 and 1, and the next one goes last
    assert [(p.id, p.position) for p in owner.photos] == [(first.id, 0), (last.id, 1)]
    added = add(_jpeg(40))
    assert [p.position for p in owner.photos] == [0, 1, 2] and owner.photos[-1] is added


@GALLERIES
def test_a_gallery_holds_at_most_eight_photos(app, gallery):
    owner, add, _ = gallery()
    for shade in range(8):
        add(_jpeg(shade))
    db.session.commit()

    with pytest.raises(DomainError) as refused:
        add(_jpeg(99))

    assert refused.value.field == "photo"
    db.session.rollback()
    db.session.expire_all()
    assert len(owner.photos) == 8
