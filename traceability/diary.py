"""The farming diary's event kinds: their names and the fields each one asks for.

One table serves the recording form, the service that validates it, the trace page and the
EPCIS export, so a new kind or field is added here once.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from traceability.models import EventKind

KIND_LABELS = {
    EventKind.PLANTING: _l("Planting"),
    EventKind.FERTILISING: _l("Fertilising"),
    EventKind.SPRAYING: _l("Spraying"),
    EventKind.IRRIGATION: _l("Irrigation"),
    EventKind.INSPECTION: _l("Inspection or lab test"),
    EventKind.HARVEST: _l("Harvest"),
    EventKind.PACKING: _l("Packing"),
    EventKind.SHIPPING: _l("Shipping"),
    EventKind.RECEIVING: _l("Receiving"),
    EventKind.NOTE: _l("Note"),
    EventKind.LABELS: _l("Labels issued"),
    EventKind.RECALL: _l("Recalled"),
}

#: Shown in this order on the "record" page: the most frequent steps first.
KIND_ORDER = (
    EventKind.SPRAYING,
    EventKind.FERTILISING,
    EventKind.IRRIGATION,
    EventKind.HARVEST,
    EventKind.PACKING,
    EventKind.SHIPPING,
    EventKind.INSPECTION,
    EventKind.PLANTING,
    EventKind.RECEIVING,
    EventKind.NOTE,
)


@dataclass(frozen=True)
class DiaryField:
    name: str
    label: object
    #: text, whole (a whole number between minimum and maximum) or decimal.
    type: str = "text"
    required: bool = True
    max_length: int = 120
    minimum: int = 0
    maximum: int = 1_000_000
    placeholder: object = ""


KIND_FIELDS: dict[EventKind, tuple[DiaryField, ...]] = {
    EventKind.PLANTING: (
        DiaryField("variety", _l("Variety or seedlings"), required=False, placeholder="Vải U hồng"),
        DiaryField("amount", _l("How many"), required=False, placeholder="120 cây"),
    ),
    EventKind.FERTILISING: (
        DiaryField("input", _l("Fertiliser or input"), placeholder="Phân hữu cơ vi sinh"),
        DiaryField("amount", _l("Quantity applied"), placeholder="2 kg/gốc"),
    ),
    EventKind.SPRAYING: (
        DiaryField("product", _l("Product sprayed"), placeholder="Regent 800WG"),
        DiaryField("active_ingredient", _l("Active ingredient"), placeholder="Fipronil"),
        DiaryField("dose", _l("Dose"), placeholder="1 g / 16 lít nước"),
        DiaryField(
            "phi_days",
            _l("Pre-harvest interval (days)"),
            type="whole",
            maximum=365,
            placeholder="14",
        ),
    ),
    EventKind.IRRIGATION: (
        DiaryField("amount", _l("How much water"), required=False, placeholder="20 lít/gốc"),
    ),
    EventKind.INSPECTION: (
        DiaryField("inspector", _l("Laboratory or inspector"), placeholder="Quatest 1"),
        DiaryField(
            "result", _l("Result"), max_length=300, placeholder="Đạt, không phát hiện dư lượng"
        ),
    ),
    EventKind.HARVEST: (
        DiaryField(
            "quantity",
            _l("Quantity harvested"),
            type="decimal",
            maximum=100_000_000,
            placeholder="850",
        ),
        DiaryField("unit", _l("Unit"), max_length=20, placeholder="kg"),
    ),
    EventKind.PACKING: (
        DiaryField("packages", _l("Number of packages"), type="whole", minimum=1, placeholder="40"),
        DiaryField("package_unit", _l("Package"), placeholder="thùng 5 kg"),
    ),
    EventKind.SHIPPING: (
        DiaryField("to_whom", _l("Shipped to"), placeholder="Siêu thị Nông sản sạch Hà Nội"),
        DiaryField("carrier", _l("Carrier"), required=False, placeholder="Viettel Post"),
    ),
    EventKind.RECEIVING: (
        DiaryField("received_by", _l("Received by"), placeholder="Kho Long Biên"),
    ),
    EventKind.NOTE: (),
    # Recorded by traceability.services.record_labels_issued(), not on the diary's form.
    EventKind.LABELS: (DiaryField("count", _l("Number of labels"), type="whole"),),
    # Recorded by traceability.services.recall_batch().
    EventKind.RECALL: (DiaryField("reason", _l("Reason")),),
}


def kind_label(kind: str) -> str:
    try:
        return str(KIND_LABELS[EventKind(kind)])
    except ValueError:
        return kind
