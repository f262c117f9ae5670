"""Cart, checkout, per-farm orders, payments, delivery, order history."""
