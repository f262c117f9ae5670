"""Vietnamese banks with their 6-digit NAPAS BIN, the code VietQR transfers are routed by.

The table is data/napas_banks.json, kept from the NAPAS member list as the VietQR bank
registry publishes it (its "source" says which edition). A data file rather than a package:
no PyPI package sets out to keep this list (the VietQR libraries there are QR encoders), and a
rename or a new member is one line of that file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class Bank:
    #: The 6-digit NAPAS BIN (bank identification number).
    bin: str
    #: What people call the bank: "Vietcombank", "MB".
    short_name: str
    #: Its registered name: "Ngân hàng TMCP Ngoại thương Việt Nam".
    name: str


def _load() -> tuple[Bank, ...]:
    text = resources.files("farms").joinpath("data/napas_banks.json").read_text("utf-8")
    return tuple(
        Bank(bin=row["bin"], short_name=row["short_name"], name=row["name"])
        for row in json.loads(text)["banks"]
    )


#: In the registry's order: the banks most people use first, as the farm's bank picker shows.
BANKS: tuple[Bank, ...] = _load()

_BY_BIN = {bank.bin: bank for bank in BANKS}


def bank_by_bin(bin_code: str | None) -> Bank | None:
    return _BY_BIN.get((bin_code or "").strip())
