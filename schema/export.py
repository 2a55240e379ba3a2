"""Writes or checks `schema.graphql`, the committed contract front ends generate code from."""

from __future__ import annotations

import sys
from pathlib import Path

from strawberry.printer import print_schema

from schema.root import schema

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema.graphql"


def current_sdl() -> str:
    return print_schema(schema) + "\n"


def main(argv: list[str]) -> int:
    if argv[1:] == ["--check"]:
        if SCHEMA_FILE.read_text(encoding="utf-8") != current_sdl():
            print("schema.graphql is out of date: run `make schema`", file=sys.stderr)  # noqa: T201
            return 1
        return 0
    SCHEMA_FILE.write_text(current_sdl(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
