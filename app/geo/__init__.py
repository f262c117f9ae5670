"""Vietnam's administrative geography since 1 July 2025: 34 province-level units, then
commune/ward, from the vietnam-provinces package. Old (pre-2025) province names map to the
unit that absorbed them."""

from app.geo.communes import (
    Commune,
    all_communes,
    commune_by_code,
    commune_for_name,
    commune_in_province,
    communes_of,
)
from app.geo.folding import fold_accents
from app.geo.provinces import (
    Province,
    all_provinces,
    province_by_code,
    province_for_name,
)

__all__ = [
    "Commune",
    "Province",
    "all_communes",
    "all_provinces",
    "commune_by_code",
    "commune_for_name",
    "commune_in_province",
    "communes_of",
    "fold_accents",
    "province_by_code",
    "province_for_name",
]
