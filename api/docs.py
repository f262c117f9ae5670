"""/api/v1/docs: the API's documentation for people, one server-rendered page built from the
generated OpenAPI document (so it cannot drift from the code), with short guides on tokens,
errors, paging, money and times. The project's own files only: no CDN, no JavaScript."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Flask, current_app, render_template
from flask_babel import lazy_gettext as _l

from api.auth import BEARER

bp = Blueprint(
    "api_docs",
    __name__,
    url_prefix="/api/v1/docs",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Parameter:
    name: str
    where: str
    required: bool
    type: str
    description: str


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    description: str
    #: "public", "basic" (the account's password), "token" (any token) or "token:<scope>".
    access: str
    scope: str | None
    parameters: list[Parameter]
    request_schema: str | None
    responses: list[tuple[str, str | None]]


@dataclass
class Group:
    tag: str
    description: str
    operations: list[Operation] = field(default_factory=list)


def _ref_name(schema: Mapping[str, Any] | None) -> str | None:
    """`Token` for {"$ref": "#/components/schemas/Token"}; a type for an inline schema."""
    if not schema:
        return None
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        inner = _ref_name(schema.get("items"))
        return f"[{inner}]" if inner else "array"
    kind = schema.get("type")
    return " | ".join(kind) if isinstance(kind, list) else kind


def _content_schema(holder: Mapping[str, Any], document: Mapping[str, Any]) -> str | None:
    if "$ref" in holder:  # a shared response, e.g. #/components/responses/UNAUTHORIZED
        name = str(holder["$ref"]).rsplit("/", 1)[-1]
        holder = document.get("components", {}).get("responses", {}).get(name, {})
    for content in (holder.get("content") or {}).values():
        return _ref_name(content.get("schema"))
    return None


def _status_order(item: tuple[str, Any]) -> tuple[bool, str]:
    """200 before 401 before 429, and the catch-all `default` last."""
    return item[0] == "default", item[0]


def _access(operation: Mapping[str, Any]) -> tuple[str, str | None]:
    for requirement in operation.get("security") or []:
        if BEARER in requirement:
            scopes = requirement[BEARER]
            return ("token", scopes[0]) if scopes else ("token", None)
        if requirement:
            return "basic", None
    return "public", None


def _parameters(operation: Mapping[str, Any], path_item: Mapping[str, Any]) -> list[Parameter]:
    raw = [*path_item.get("parameters", []), *operation.get("parameters", [])]
    return [
        Parameter(
            name=p["name"],
            where=p["in"],
            required=bool(p.get("required")),
            type=_ref_name(p.get("schema")) or "",
            description=p.get("description") or p.get("schema", {}).get("description", ""),
        )
        for p in raw
        if "name" in p
    ]


def operations_by_tag(document: Mapping[str, Any]) -> list[Group]:
    """The document's operations under their tags, in the document's order."""
    groups = {
        t["name"]: Group(t["name"], t.get("description", "")) for t in document.get("tags", [])
    }
    for path, path_item in document.get("paths", {}).items():
        for method in METHODS:
            if method not in path_item:
                continue
            operation = path_item[method]
            access, scope = _access(operation)
            body = operation.get("requestBody")
            for tag in operation.get("tags") or ["other"]:
                groups.setdefault(tag, Group(tag, "")).operations.append(
                    Operation(
                        method=method.upper(),
                        path=path,
                        summary=operation.get("summary", ""),
                        description=operation.get("description", ""),
                        access=access,
                        scope=scope,
                        parameters=_parameters(operation, path_item),
                        request_schema=_content_schema(body, document) if body else None,
                        responses=[
                            (status, _content_schema(response, document))
                            for status, response in sorted(
                                operation.get("responses", {}).items(), key=_status_order
                            )
                        ],
                    )
                )
    return [group for group in groups.values() if group.operations]


def _refs(node: Any) -> set[str]:
    if isinstance(node, Mapping):
        found = {str(node["$ref"])} if "$ref" in node else set()
        return found.union(*(_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(value) for value in node))
    return set()


def schemas_of(document: Mapping[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Each schema an operation uses, with its fields: name, type, required, description.
    (flask-smorest adds a page-number schema nobody uses: the API pages by cursor.)"""
    named = document.get("components", {}).get("schemas", {})
    used = _refs({key: value for key, value in document.items() if key != "components"})
    used |= _refs(document.get("components", {}).get("responses", {}))
    used |= _refs(named)
    out = []
    for name, schema in named.items():
        if f"#/components/schemas/{name}" not in used:
            continue
        required = set(schema.get("required", []))
        fields = [
            {
                "name": field_name,
                "type": _ref_name(spec) or "",
                "required": field_name in required,
                "description": spec.get("description", ""),
                "enum": spec.get("enum") or spec.get("items", {}).get("enum"),
            }
            for field_name, spec in schema.get("properties", {}).items()
        ]
        out.append((name, fields))
    return out


def _read_document() -> dict[str, Any]:
    """The document, its operations and schemas: built once per application, as the
    operations are fixed once the blueprints are registered."""
    cached = current_app.extensions.get("nongsan_api_docs")
    if cached is None:
        document = current_app.extensions["nongsan_api"].spec.to_dict()
        cached = {
            "document": document,
            "groups": operations_by_tag(document),
            "schemas": schemas_of(document),
        }
        current_app.extensions["nongsan_api_docs"] = cached
    return cached


@bp.get("")
def page():
    return render_template("api/docs.html", **_read_document())


@bp.record_once
def _link_from_every_footer(state) -> None:
    """The site's footer lists the links the packages give it (as dashboard does)."""
    links = state.app.jinja_env.globals.setdefault("footer_links", [])
    links.append(("api_docs.page", _l("API for partners")))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
