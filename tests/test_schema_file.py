"""The committed schema.graphql is the contract: it must match the code exactly."""

from __future__ import annotations

from schema.export import SCHEMA_FILE, current_sdl


def test_committed_schema_file_matches_the_code() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == current_sdl(), "run `make schema`"


def test_every_type_and_field_is_documented() -> None:
    from schema.root import schema

    undocumented = []
    for name, graphql_type in schema._schema.type_map.items():
        if name.startswith("__") or name in {"String", "Int", "Float", "Boolean", "ID"}:
            continue
        if not graphql_type.description:
            undocumented.append(name)
        for field_name, field in getattr(graphql_type, "fields", {}).items():
            if not field.description:
                undocumented.append(f"{name}.{field_name}")
    assert undocumented == []
