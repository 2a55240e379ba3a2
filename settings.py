"""Settings read from the environment, in one place, validated before the server starts."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# Refused in production by `Settings.validate`.
DEFAULT_SECRET_KEY = "phananh-development-secret-change-me"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///var/phananh.db"
DEFAULT_BROADCAST_URL = "memory://"


class SettingsError(ValueError):
    """The environment describes a configuration the server must not start with."""


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"expected a boolean, got {value!r}")


def _int(name: str, value: str | None, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a whole number, got {value!r}") from exc


@dataclass(frozen=True)
class Settings:
    """Everything the server is configured with; `from_env` is the only constructor used in code."""

    database_url: str = DEFAULT_DATABASE_URL
    broadcast_url: str = DEFAULT_BROADCAST_URL
    secret_key: str = DEFAULT_SECRET_KEY
    media_dir: Path = Path("var/media")
    host: str = "127.0.0.1"
    port: int = 8000
    env: str = "development"
    workers: int = 1
    # Migrations and demo data run at start-up by default on the embedded SQLite database only:
    # a shared PostgreSQL is migrated by an explicit step of the deployment.
    auto_migrate: bool = True
    demo_data: bool = True
    graphiql: bool = True
    log_level: str = "info"
    # Where one-time codes go: "log" (development) or "memory" (tests); a gateway plugs in here.
    sms_sender: str = "log"
    # The legacy `graphql-ws` WebSocket protocol beside `graphql-transport-ws`: old clients need it.
    graphql_ws_legacy: bool = True
    # A WebSocket that has not sent `connection_init` by then is closed (4408).
    ws_init_timeout_seconds: int = 10
    # Namespace of every Redis key and channel, so that deployments (or test runs) can share one.
    redis_prefix: str = "phananh:"
    # Background duties (overdue marks, closing unrated answers): how often, and after how long.
    scheduler_interval_seconds: int = 60
    auto_close_days: int = 7
    # Browser origins allowed to call the API (CORS) and open WebSockets; empty: same origin only.
    allowed_origins: tuple[str, ...] = ()
    introspection: bool = True
    log_json: bool = False
    # Proxies whose X-Forwarded-For is trusted for the client address (rate limits, audit).
    forwarded_allow_ips: str = "127.0.0.1"
    # PostgreSQL cancels statements running longer; HTTP operations are cut off after this.
    statement_timeout_ms: int = 10_000
    operation_timeout_seconds: int = 30
    # Anonymous reads answered from a per-process cache until the next commit, at most this
    # long (web.public_cache); 0 turns the cache off.
    public_cache_seconds: int = 5
    # reportStats for anonymous viewers: one computation per filter serves them this long
    # (resolvers.stats.Figures; `generatedAt` tells when); 0 computes every request.
    stats_cache_seconds: int = 60

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def is_memory_broker(self) -> bool:
        return self.broadcast_url.startswith("memory://")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        database_url = env.get("DATABASE_URL") or DEFAULT_DATABASE_URL
        is_sqlite = database_url.startswith("sqlite")
        mode = env.get("ENV", "development").strip().lower()
        if mode not in {"development", "production"}:
            raise SettingsError(f"ENV must be 'development' or 'production', got {mode!r}")
        settings = cls(
            database_url=database_url,
            broadcast_url=env.get("BROADCAST_URL") or DEFAULT_BROADCAST_URL,
            secret_key=env.get("SECRET_KEY") or DEFAULT_SECRET_KEY,
            media_dir=Path(env.get("MEDIA_DIR") or "var/media"),
            host=env.get("HOST") or "127.0.0.1",
            port=_int("PORT", env.get("PORT"), 8000),
            env=mode,
            workers=_int("WEB_CONCURRENCY", env.get("WEB_CONCURRENCY"), 1),
            auto_migrate=_bool(env.get("AUTO_MIGRATE"), is_sqlite),
            demo_data=_bool(env.get("DEMO_DATA"), is_sqlite and mode != "production"),
            graphiql=_bool(env.get("GRAPHIQL"), mode != "production"),
            log_level=(env.get("LOG_LEVEL") or "info").lower(),
            sms_sender=(env.get("SMS_SENDER") or "log").lower(),
            graphql_ws_legacy=_bool(env.get("GRAPHQL_WS_LEGACY"), True),
            ws_init_timeout_seconds=_int(
                "WS_INIT_TIMEOUT_SECONDS", env.get("WS_INIT_TIMEOUT_SECONDS"), 10
            ),
            redis_prefix=env.get("REDIS_PREFIX") or "phananh:",
            scheduler_interval_seconds=_int(
                "SCHEDULER_INTERVAL_SECONDS", env.get("SCHEDULER_INTERVAL_SECONDS"), 60
            ),
            auto_close_days=_int("AUTO_CLOSE_DAYS", env.get("AUTO_CLOSE_DAYS"), 7),
            allowed_origins=tuple(
                origin.strip().rstrip("/")
                for origin in (env.get("ALLOWED_ORIGINS") or "").split(",")
                if origin.strip()
            ),
            introspection=_bool(env.get("INTROSPECTION"), mode != "production"),
            log_json=_bool(env.get("LOG_JSON"), mode == "production"),
            forwarded_allow_ips=env.get("FORWARDED_ALLOW_IPS") or "127.0.0.1",
            statement_timeout_ms=_int(
                "STATEMENT_TIMEOUT_MS", env.get("STATEMENT_TIMEOUT_MS"), 10_000
            ),
            operation_timeout_seconds=_int(
                "OPERATION_TIMEOUT_SECONDS", env.get("OPERATION_TIMEOUT_SECONDS"), 30
            ),
            public_cache_seconds=_int("PUBLIC_CACHE_SECONDS", env.get("PUBLIC_CACHE_SECONDS"), 5),
            stats_cache_seconds=_int("STATS_CACHE_SECONDS", env.get("STATS_CACHE_SECONDS"), 60),
        )
        settings.validate()
        return settings

    def validate(self) -> None:
        """Refuse configurations that would be unsafe or silently broken."""
        if not self.database_url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise SettingsError(
                "DATABASE_URL must start with sqlite+aiosqlite:// or postgresql+asyncpg://"
            )
        if not self.broadcast_url.startswith(("memory://", "redis://", "rediss://")):
            raise SettingsError("BROADCAST_URL must start with memory://, redis:// or rediss://")
        if self.sms_sender not in {"log", "memory"}:
            raise SettingsError("SMS_SENDER must be 'log' or 'memory'")
        if self.scheduler_interval_seconds < 0 or self.auto_close_days < 1:
            raise SettingsError("SCHEDULER_INTERVAL_SECONDS >= 0 (0: off) and AUTO_CLOSE_DAYS >= 1")
        if "*" in self.allowed_origins and self.is_production:
            raise SettingsError("ALLOWED_ORIGINS cannot be '*' in production: list the origins")
        if self.workers < 1:
            raise SettingsError("WEB_CONCURRENCY must be at least 1")
        if not 0 < self.port < 65536:
            raise SettingsError("PORT must be between 1 and 65535")
        if self.is_production:
            if self.secret_key == DEFAULT_SECRET_KEY or len(self.secret_key) < 32:
                raise SettingsError(
                    "production needs SECRET_KEY set to a random value of 32 characters or more"
                )
            if self.is_memory_broker and self.workers > 1:
                raise SettingsError(
                    "the in-memory broker cannot share events between several workers: "
                    "set BROADCAST_URL=redis://… or WEB_CONCURRENCY=1"
                )
