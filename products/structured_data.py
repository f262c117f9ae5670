"""The product page's schema.org `Product` (JSON-LD) for search engines: the name, photos,
description, the farm as brand and seller, an `Offer` (one way to buy) or `AggregateOffer`
(several) in whole đồng, and `AggregateRating` only once a visible review exists.

The page writes it with Jinja's |tojson, which escapes <, > and & so a product name holding
"</script>" cannot end the script element.
"""

from __future__ import annotations

from flask import current_app, url_for

from products.models import Product
from products.seasons import SeasonState

_SCHEMA = "https://schema.org/"


def _availability(product: Product, state: str) -> str:
    if product.is_sale_stopped or state == SeasonState.OUT_OF_SEASON:
        return _SCHEMA + "OutOfStock"
    if state == SeasonState.PREORDER:
        return _SCHEMA + "PreOrder"
    in_stock = any(variant.stock > 0 for variant in product.variants)
    return _SCHEMA + ("InStock" if in_stock else "OutOfStock")


def _absolute(endpoint: str, **values) -> str:
    return current_app.config["BASE_URL"] + url_for(endpoint, **values)


def _offers(product: Product, availability: str, seller: dict) -> dict | None:
    prices = sorted(int(variant.price_vnd) for variant in product.variants)
    if not prices:
        return None
    offer = {"priceCurrency": "VND", "availability": availability, "seller": seller}
    if len(prices) == 1:
        return {"@type": "Offer", "price": prices[0], **offer}
    return {
        "@type": "AggregateOffer",
        "lowPrice": prices[0],
        "highPrice": prices[-1],
        "offerCount": len(prices),
        **offer,
    }


def product_json_ld(product: Product, name: str, state: str) -> dict:
    """`name`: the product's name as the page shows it; `state`: its SeasonState today."""
    seller = {"@type": "Organization", "name": product.farm.name}
    data: dict = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": name,
        "url": _absolute("products.product_page", slug=product.slug),
        "description": product.description or str(product.category_label),
        "brand": {"@type": "Brand", "name": product.farm.name},
        "image": [_absolute("media.serve", key=photo.display_key) for photo in product.photos],
    }
    if product.gtin:
        data["gtin14"] = product.gtin
    offers = _offers(product, _availability(product, state), seller)
    if offers:
        data["offers"] = offers
    if product.rating_count:
        data["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": product.rating_average,
            "reviewCount": product.rating_count,
            "bestRating": 5,
            "worstRating": 1,
        }
    return data
