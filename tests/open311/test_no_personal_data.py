"""No response of the interface carries a reporter's phone or name, in either format."""

from __future__ import annotations

import httpx

from tests.open311.conftest import CANARY_NAME, CANARY_PHONE, World
from tests.open311.helpers import BASE


async def test_no_phone_or_reporter_name_in_any_response(
    client: httpx.AsyncClient, world: World
) -> None:
    codes = ",".join(r.code for r in (world.assigned, world.resolved, world.old, world.submitted))
    paths = [
        "discovery",
        "services",
        f"services/{world.environment.code}",
        "requests",
        f"requests?service_request_id={codes}",
        f"requests/{world.assigned.code}",
        f"tokens/{world.assigned.code}",
        "servicerequestupdates",
        f"servicerequestupdates?service_request_id={codes}",
    ]
    local_phone = "0" + CANARY_PHONE.removeprefix("+84")
    for path in paths:
        for suffix in ("json", "xml"):
            endpoint, _, query = path.partition("?")
            response = await client.get(f"{BASE}/{endpoint}.{suffix}?{query}")
            assert response.status_code == 200, (path, response.text)
            body = response.text
            assert CANARY_PHONE.removeprefix("+") not in body, path
            assert local_phone not in body, path
            assert CANARY_NAME.lower() not in body.lower(), path
