"""Products, OCOP certification, variants (units, prices, stock), images, search."""
