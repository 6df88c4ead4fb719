"""The API's OpenAPI document: a stable ``operationId`` and the error responses of every operation.

Every error is rendered by :mod:`bashgah.api.errors` as ``{"error": {"code", "message"}}``, so each
operation declares the statuses it can answer with that one schema. Which ones follow from what the
operation takes: every call needs a key (401) that a role may lack (403), validates its input (422) and
names or needs something that may not exist (404: a member, the club's tiers); one with a body may be
too large (413) or unreadable (400) and may conflict with what is stored (409); one with an
``Idempotency-Key`` may miss it (400) or reuse it for another request (409).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from bashgah.api.errors import ErrorResponse

_DESCRIPTIONS = {
    400: "Bad request: the body could not be read, or the Idempotency-Key is missing",
    401: "No valid API key",
    403: "The key's role may not do this",
    404: "Not found",
    409: "Conflicts with the stored state (a duplicate, too few points, a reused Idempotency-Key…)",
    413: "The request body is larger than the configured limit",
    422: "Invalid input: a field's shape or a business rule of its value",
}
_WRITES = {"post", "put", "patch", "delete"}
_ERROR_REF = {"$ref": "#/components/schemas/ErrorResponse"}


def operation_id(tag: str, name: str) -> str:
    """``<tag>_<function>``, e.g. ``purchases_record_purchase``: readable, and stable while the endpoint
    keeps its name (FastAPI's default also spells out the path and the method)."""
    return f"{tag.replace('-', '_').replace(' ', '_')}_{name}"


def error_statuses(method: str, operation: dict[str, Any]) -> list[int]:
    statuses = {401, 403, 404, 422}
    parameters = operation.get("parameters", [])
    has_body = "requestBody" in operation
    if has_body or any(
        p.get("in") == "header" and p["name"].lower() == "idempotency-key" for p in parameters
    ):
        statuses |= {400, 409}
    if has_body:
        statuses.add(413)
    if method in _WRITES:
        statuses.add(409)
    return sorted(statuses)


def install(app: FastAPI) -> None:
    """Build the document once, then name every API operation and declare its error responses."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        names = {
            (context.path_format, method.lower()): (
                str(context.tags[0]) if context.tags else "meta",
                str(context.name),
            )
            for context in iter_route_contexts(app.routes)
            if isinstance(context.original_route, APIRoute)
            for method in context.methods or ()
        }
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        error_schema = ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(error_schema.pop("$defs", {}))
        components["ErrorResponse"] = error_schema
        for path, operations in schema.get("paths", {}).items():
            if not path.startswith("/api/"):
                continue
            for method, operation in operations.items():
                if (path, method) in names:
                    operation["operationId"] = operation_id(*names[(path, method)])
                responses = operation.setdefault("responses", {})
                for status in error_statuses(method, operation):
                    responses[str(status)] = {
                        "description": _DESCRIPTIONS[status],
                        "content": {"application/json": {"schema": _ERROR_REF}},
                    }
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
