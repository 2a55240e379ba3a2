"""A schema extension that counts operations, their latency and their errors by code."""

from __future__ import annotations

import time
from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from web.metrics import GRAPHQL_ERRORS, GRAPHQL_LATENCY, GRAPHQL_OPERATIONS, USER_ERRORS


class OperationMetrics(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        context = self.execution_context
        name = context.operation_name or "anonymous"
        operation_type = getattr(context, "operation_type", None)
        kind = operation_type.value if operation_type is not None else "unknown"
        GRAPHQL_OPERATIONS.labels(kind, name[:64]).inc()
        GRAPHQL_LATENCY.labels(name[:64]).observe(time.perf_counter() - started)
        result = context.result
        for error in getattr(result, "errors", None) or []:
            code = (error.extensions or {}).get("code", "GRAPHQL_VALIDATION_FAILED")
            GRAPHQL_ERRORS.labels(str(code)).inc()
        data = getattr(result, "data", None)
        if isinstance(data, dict):
            for payload in data.values():
                if isinstance(payload, dict):
                    for user_error in payload.get("userErrors") or []:
                        USER_ERRORS.labels(str(user_error.get("code", "?"))).inc()
