"""The OpenAPI document names every operation stably and declares every error it can answer, with the
one error schema ``{"error": {"code", "message"}}``."""

from __future__ import annotations

import re
from typing import Any

import httpx

ERROR_REF = "#/components/schemas/ErrorResponse"


async def spec(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def api_operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, operations in document["paths"].items()
        if path.startswith("/api/")
        for method, operation in operations.items()
    ]


async def test_every_operation_has_a_readable_unique_operation_id(client: httpx.AsyncClient) -> None:
    document = await spec(client)
    operations = api_operations(document)
    ids = [operation["operationId"] for _, _, operation in operations]
    assert len(ids) == len(set(ids)) > 50
    for method, path, operation in operations:
        tag = re.sub(r"[- ]", "_", operation["tags"][0])
        assert re.fullmatch(rf"{tag}_[a-z][a-z_]*", operation["operationId"]), (method, path, operation)
    named = {(m, p): o["operationId"] for m, p, o in operations}
    assert named[("POST", "/api/v1/purchases")] == "purchases_record_purchase"
    assert named[("GET", "/api/v1/members/{member_id}")] == "members_get_member"


async def test_every_operation_declares_its_errors_with_the_error_schema(client: httpx.AsyncClient) -> None:
    document = await spec(client)
    error = document["components"]["schemas"]["ErrorResponse"]
    assert error["required"] == ["error"]
    info = document["components"]["schemas"]["ErrorInfo"]
    assert set(info["required"]) == {"code", "message"}
    for method, path, operation in api_operations(document):
        responses = operation["responses"]
        expected = {"401", "403", "404", "422"}
        if "requestBody" in operation:
            expected |= {"400", "409", "413"}
        if method in ("POST", "PUT", "PATCH", "DELETE"):
            expected.add("409")
        if any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", [])):
            expected |= {"400", "409"}
        assert expected <= set(responses), (method, path, sorted(responses))
        for status in responses:
            if status.startswith(("4", "5")):
                schema = responses[status]["content"]["application/json"]["schema"]
                assert schema == {"$ref": ERROR_REF}, (method, path, status)
    assert "HTTPValidationError" not in str(document)


async def test_a_real_error_matches_the_documented_schema(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/members/1")
    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"])
