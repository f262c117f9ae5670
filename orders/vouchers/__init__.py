"""Vouchers: codes a farm (or the platform) gives buyers for a discount at checkout.

models: the voucher, its products and its redemptions. rules: who may create one, what it
takes off a checkout and why a code is refused. redemption: taking and returning a use
inside place_order's and the cancellation's transactions. ledger: the platform's share.
"""
