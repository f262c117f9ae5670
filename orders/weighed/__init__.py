"""Weighed goods: produce sold by weight (a pomelo of about 1.2 kg at 45,000 ₫/kg), charged by
the weight the farm actually packs.

Selling. A variant sold by weight has a price per kg and an estimated weight per piece (its
`weight_grams`); its `price_vnd` is the estimated piece price, kept equal to
round(price_per_kg_vnd × weight_grams / 1000) by the variant service, so the cart, the
checkout and its reviewed-total rule charge the estimate. Each order line copies what was
sold: sold_by_weight, price_per_kg_vnd and estimated_grams (pieces × estimated weight).

Packing. The farm records the actual grams of every weighed line before the order can be
packed (orders.services.pack_order); a weight outside 50 %–200 % of the estimate needs the
farm's confirmation. The weights and the move to PACKED happen in one transaction under the
order's row lock, the move being compare-and-set: of two packers at once, one wins.

Amounts, in whole đồng, rounded half up: a line's final amount is its amount as sold plus
round(price_per_kg_vnd × (actual_grams − estimated_grams) / 1000), so that a box at exactly
its estimate changes nothing though each piece's price was rounded on its own; the order's
weight_adjustment_vnd is its final items minus its items as estimated (negative for a
lighter box), never below what the buyer paid for the items after a voucher (discount_vnd −
subtotal_vnd: a voucher bigger than the lighter box covers it all); the final total is the
order's total_vnd + weight_adjustment_vnd, whatever total_vnd includes, never less than the
delivery fee.

Settlement of the difference:
- Cash on delivery: the final total is collected on delivery (more or less than the estimate).
- Bank transfer and card (paid before packing):
  * a lighter box: the difference is due back to the buyer, listed with the refunds to make
    (orders.payouts.refunds_needed, the farm's "refund needed" tab) until someone records it
    as refunded;
  * a heavier box: up to the farm's underpayment_absorb_limit_vnd (its delivery settings) the
    farm absorbs the difference (weight_absorbed_vnd) and the buyer pays nothing more; above
    the limit the rest is collected on delivery (packing slip, label, buyer's page).

Ledger (orders.models.LedgerEntry, card money only), per order: SALE = the total paid by card,
COMMISSION = −its commission, as at payment; a lighter card box adds REFUND = −(the difference
due back) when the weights are recorded, so the farm's balance never pays out the buyer's
money. An absorbed underpayment writes nothing (no money moved); money collected on delivery
is the farm's cash, outside the ledger; bank transfers are outside the ledger. So for every
card order the weights add exactly −refund_due_vnd to what the order's other entries hold
(sale, commission, a platform voucher's share: orders.vouchers), where
refund_due_vnd = max(−weight_adjustment_vnd, 0); without a voucher,
sum(ledger of the order) = total_vnd − commission − refund_due_vnd.
"""
