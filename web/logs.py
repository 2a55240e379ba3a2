"""Structured JSON logs, one object per line, with the request id and phone numbers masked."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

from models.phones import mask_phone
from web.request_id import current_request_id

# Vietnamese numbers in E.164 or national form, wherever they appear in a message.
_PHONE = re.compile(r"(?<!\d)(?:\+84|0084|84|0)[235789]\d{8}(?!\d)")


def mask_phones(text: str) -> str:
    return _PHONE.sub(lambda match: mask_phone(match.group(0)), text)


# Fields a log call may add with `extra=` (schema.root: an error's code and path), as keys of
# their own so that they can be filtered and counted.
EXTRA_FIELDS = ("code", "path")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "request_id": current_request_id.get(),
            "message": mask_phones(record.getMessage()),
        }
        for field in EXTRA_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = mask_phones(str(value))
        if record.exc_info:
            entry["exception"] = mask_phones(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str, *, json_lines: bool) -> None:
    handler = logging.StreamHandler()
    if json_lines:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Alembic announces every migration context; readiness probes would fill the log with it.
    logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)


def uvicorn_log_config(level: str, *, json_lines: bool) -> dict[str, object]:
    """The same logging for uvicorn's worker processes, which do not inherit ours."""
    formatter: dict[str, object] = (
        {"()": "web.logs.JsonFormatter"}
        if json_lines
        else {"format": "%(levelname)s %(name)s %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter},
        "handlers": {"default": {"class": "logging.StreamHandler", "formatter": "default"}},
        "root": {"handlers": ["default"], "level": level.upper()},
        "loggers": {
            "uvicorn": {"level": level.upper()},
            "uvicorn.access": {"level": level.upper()},
            "alembic.runtime.migration": {"level": "WARNING"},
        },
    }
