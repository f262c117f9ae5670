"""Vietnam's administrative geography since 1 July 2025: 34 province-level units, then
commune/ward. Old (pre-2025) province names map to the unit that absorbed them."""

from app.geo.provinces import (
    Province,
    all_provinces,
    fold_accents,
    province_by_code,
    province_for_name,
)

__all__ = ["Province", "all_provinces", "fold_accents", "province_by_code", "province_for_name"]
