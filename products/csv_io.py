"""A farm's products and variants as a CSV file, for farmers who keep their list in a
spreadsheet. The import goes through the product services, so every rule and permission
check of the dashboard applies to each line."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.csv_cells import BOM, csv_document, unescape_cell
from app.errors import DomainError, PermissionDenied
from app.extensions import db
from farms.models import Farm
from farms.permissions import ensure_can_manage
from products import services
from products.models import Product, Variant
from products.seasons import month_day_text

DETAIL_COLUMNS = ("product_name", "category", "description", "gtin", "season_start", "season_end")
VARIANT_COLUMNS = (
    "unit",
    "pack_kg",
    "custom_unit",
    "price_vnd",
    "weight_grams",
    "stock",
    "min_order_qty",
)
COLUMNS = ("product_slug", *DETAIL_COLUMNS, "status", "variant_id", *VARIANT_COLUMNS)
#: The services name a few fields differently from the file's columns.
FIELD_COLUMNS = {"name": "product_name"}

MAX_ROWS = 2000
MAX_BYTES = 2 * 1024 * 1024


@dataclass
class ImportResult:
    products_created: int = 0
    products_updated: int = 0
    variants_created: int = 0
    variants_updated: int = 0


@dataclass(frozen=True)
class RowError:
    #: Line of the file, the header being line 1, as a spreadsheet numbers its rows: a cell
    #: with line breaks (a description) still counts as one line.
    line: int
    message: str


class CsvImportError(DomainError):
    """Some lines were refused, all of them listed in `errors`; nothing was saved."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(_l("Nothing was imported: correct these lines and upload the file again."))
        self.errors = errors


@dataclass(frozen=True)
class _Row:
    line: int
    cells: dict[str, str]


# Export ---------------------------------------------------------------------------------


def _products_of(farm: Farm) -> list[Product]:
    return list(
        db.session.scalars(
            select(Product)
            .where(Product.farm_id == farm.id)
            .options(selectinload(Product.variants))
            .order_by(Product.created_at, Product.id)
        )
    )


def _product_cells(product: Product) -> dict[str, str]:
    return {
        "product_slug": product.slug,
        "product_name": product.name,
        "category": product.category,
        "description": product.description,
        "gtin": product.gtin or "",
        "season_start": month_day_text(product.season_start),
        "season_end": month_day_text(product.season_end),
        "status": product.status,
    }


def _variant_cells(variant: Variant | None) -> dict[str, str]:
    if variant is None:
        return dict.fromkeys(("variant_id", *VARIANT_COLUMNS), "")
    return {
        "variant_id": str(variant.id),
        "unit": variant.unit,
        "pack_kg": f"{variant.pack_kg.normalize():f}" if variant.pack_kg is not None else "",
        "custom_unit": variant.custom_unit or "",
        "price_vnd": str(variant.price_vnd),
        "weight_grams": str(variant.weight_grams),
        "stock": str(variant.stock),
        "min_order_qty": str(variant.min_order_qty),
    }


def export_products_csv(farm: Farm, actor: User) -> str:
    """One row per variant (one with empty variant cells for a product without any). The
    BOM makes Excel on Windows read the file as UTF-8 and show the Vietnamese correctly."""
    ensure_can_manage(actor, farm)
    rows = [COLUMNS]
    for product in _products_of(farm):
        for variant in product.variants or [None]:
            cells = {**_product_cells(product), **_variant_cells(variant)}
            rows.append([cells[name] for name in COLUMNS])
    return csv_document(rows)


# Import ---------------------------------------------------------------------------------


def decode_upload(data: bytes) -> str:
    """UTF-8 only: guessing a Windows code page would quietly garble the Vietnamese."""
    if len(data) > MAX_BYTES:
        raise _too_large()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DomainError(
            _l(
                'This file is not saved as UTF-8. In Excel choose "Save As", then the type '
                '"CSV UTF-8 (Comma delimited)", and upload that file.'
            ),
            field="file",
        ) from exc


def _too_large() -> DomainError:
    return DomainError(
        _l("The file is larger than %(n)d MB: split it into smaller files.", n=MAX_BYTES >> 20),
        field="file",
    )


def _read_rows(text: str) -> list[_Row]:
    """The file's non-empty lines under its header, each with its line number."""
    text = text.removeprefix(BOM)
    if len(text.encode()) > MAX_BYTES:
        raise _too_large()
    if not text.strip():
        raise DomainError(_l("The file is empty."), field="file")
    header_line = text.splitlines()[0]
    # Excel writes semicolons where the decimal separator is a comma, as in Vietnam.
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[_Row] = []
    line = 1
    try:
        header = [name.strip().lower() for name in next(reader)]
        missing = [name for name in COLUMNS if name not in header and name != "status"]
        if missing:
            raise DomainError(
                _l(
                    "The first line must name the columns; missing: %(columns)s.",
                    columns=", ".join(missing),
                ),
                field="file",
            )
        for line, record in enumerate(reader, start=2):
            if any(cell.strip() for cell in record):
                if len(rows) == MAX_ROWS:
                    raise DomainError(
                        _l(
                            "A file can have at most %(n)d lines of products: "
                            "split it into smaller files.",
                            n=MAX_ROWS,
                        ),
                        field="file",
                    )
                if any("\x00" in cell for cell in record):
                    raise DomainError(
                        _l(
                            "Line %(line)d holds a NUL character, which is not text: "
                            "remove it, or save the file again as CSV UTF-8.",
                            line=line,
                        ),
                        field="file",
                    )
                cells = {
                    name: unescape_cell(cell.strip())
                    for name, cell in zip(header, record, strict=False)
                }
                rows.append(_Row(line, {name: cells.get(name, "") for name in COLUMNS}))
    except csv.Error as exc:
        raise DomainError(
            _l("Line %(line)d could not be read as CSV.", line=line + 1), field="file"
        ) from exc
    if not rows:
        raise DomainError(_l("There is no product under the header line."), field="file")
    return rows


def _group(rows: list[_Row], errors: list[RowError]) -> list[list[_Row]]:
    """Lines of one product: the same existing slug, or the same new product's name."""
    groups: dict[tuple[str, str], list[_Row]] = {}
    for row in rows:
        slug, name = row.cells["product_slug"], row.cells["product_name"]
        if slug:
            key = ("slug", slug)
        elif name:
            key = ("new", " ".join(name.split()).casefold())
        else:
            errors.append(
                RowError(
                    row.line,
                    str(_l("Give the product_slug of one of your products, or a product_name.")),
                )
            )
            continue
        groups.setdefault(key, []).append(row)
    return list(groups.values())


def _details(row: _Row, product: Product | None) -> dict:
    """The product's details from a line; what the file does not hold stays as it is."""
    cells = row.cells
    return {
        "name": cells["product_name"],
        "category": cells["category"].lower(),
        "description": cells["description"],
        "gtin": cells["gtin"],
        "season_start": cells["season_start"],
        "season_end": cells["season_end"],
        "growing_area_id": product.growing_area_id if product else None,
        "preorder_enabled": product.preorder_enabled if product else False,
        "preorder_ships_on": product.preorder_ships_on if product else None,
        "preorder_capacity": product.preorder_capacity if product else 0,
    }


def _variant_fields(row: _Row) -> dict:
    fields = {name: row.cells[name] for name in VARIANT_COLUMNS}
    fields["unit"] = fields["unit"].lower()
    return fields


def _differs(row: _Row, current: dict[str, str], columns) -> bool:
    return any(row.cells[name] != current[name] for name in columns)


def _import_product(
    farm: Farm, actor: User, known: dict[str, Product], row: _Row, result: ImportResult
) -> Product:
    slug = row.cells["product_slug"]
    if not slug:
        product = services.create_product(farm, actor, **_details(row, None))
        result.products_created += 1
        return product
    product = known.get(slug)
    if product is None:
        raise DomainError(
            _l("Unknown product: %(slug)s is not one of this farm's products.", slug=slug),
            field="product_slug",
        )
    before = _product_cells(product)
    if _differs(row, before, DETAIL_COLUMNS):
        services.update_product(product, actor, **_details(row, product))
        if _product_cells(product) != before:
            result.products_updated += 1
    return product


def _import_variant(
    product: Product | None, actor: User, row: _Row, result: ImportResult, seen: dict[int, int]
) -> None:
    variant_id = row.cells["variant_id"]
    fields = _variant_fields(row)
    if not variant_id and not any(fields.values()):
        return  # a line with the product's details only
    if product is None:
        # The product was refused; still check the variant, to list every mistake at once.
        services.apply_variant_fields(Variant(), **fields)
        return
    if not variant_id:
        services.add_variant(product, actor, **fields)
        result.variants_created += 1
        return
    variant = next((v for v in product.variants if str(v.id) == variant_id), None)
    if variant is None:
        raise DomainError(
            _l("Unknown variant: %(id)s is not a variant of this product.", id=variant_id),
            field="variant_id",
        )
    if variant.id in seen:
        raise DomainError(
            _l("This variant is already on line %(line)d.", line=seen[variant.id]),
            field="variant_id",
        )
    seen[variant.id] = row.line
    before = _variant_cells(variant)
    if _differs(row, before, VARIANT_COLUMNS):
        services.update_variant(variant, actor, **fields)
        if _variant_cells(variant) != before:
            result.variants_updated += 1


def _check_same_details(row: _Row, first: _Row) -> None:
    """A product's details come from its first line; a later line must not say otherwise."""
    # A new product's lines are already grouped by its name, spaces and capitals aside.
    columns = DETAIL_COLUMNS if first.cells["product_slug"] else DETAIL_COLUMNS[1:]
    for name in columns:
        if row.cells[name] and row.cells[name] != first.cells[name]:
            raise DomainError(
                _l(
                    "This differs from line %(line)d: write a product's details the same "
                    "on each of its lines, or leave them empty.",
                    line=first.line,
                ),
                field=name,
            )


def _row_error(row: _Row, error: DomainError) -> RowError:
    column = FIELD_COLUMNS.get(error.field, error.field)
    message = str(error.message)
    return RowError(row.line, f"{column}: {message}" if column in COLUMNS else message)


def import_products_csv(farm: Farm, actor: User, text: str) -> ImportResult:
    """Create and update a farm's products and variants from a file in the export's format.

    All or nothing: one refused line undoes the whole file, and every refused line is
    reported. The status column is ignored: publishing stays a deliberate action in the
    dashboard, never a side effect of a spreadsheet.
    """
    ensure_can_manage(actor, farm)
    rows = _read_rows(text)
    result = ImportResult()
    errors: list[RowError] = []
    with db.session.begin_nested():
        known = {product.slug: product for product in _products_of(farm)}
        seen: dict[int, int] = {}
        for group in _group(rows, errors):
            first = group[0]
            try:
                product = _import_product(farm, actor, known, first, result)
            except PermissionDenied:
                raise
            except DomainError as error:
                errors.append(_row_error(first, error))
                product = None
            for row in group:
                try:
                    _check_same_details(row, first)
                    _import_variant(product, actor, row, result, seen)
                except PermissionDenied:
                    raise
                except DomainError as error:
                    errors.append(_row_error(row, error))
        if errors:
            # Leaving the block with an exception rolls the savepoint back.
            raise CsvImportError(sorted(errors, key=lambda error: error.line))
    return result
