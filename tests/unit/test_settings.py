"""Settings from the environment, and the configurations production refuses."""

from __future__ import annotations

import pytest

from settings import DEFAULT_SECRET_KEY, Settings, SettingsError

STRONG = "x" * 40


def test_defaults_are_the_embedded_sqlite_and_memory_broker() -> None:
    settings = Settings.from_env({})
    assert settings.database_url.startswith("sqlite+aiosqlite://")
    assert settings.broadcast_url == "memory://"
    assert (settings.auto_migrate, settings.demo_data, settings.graphiql) == (True, True, True)


def test_postgres_is_not_migrated_or_seeded_implicitly() -> None:
    settings = Settings.from_env({"DATABASE_URL": "postgresql+asyncpg://db/phananh"})
    assert not settings.auto_migrate
    assert not settings.demo_data


def test_production_refuses_the_default_secret() -> None:
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        Settings.from_env({"ENV": "production", "SECRET_KEY": DEFAULT_SECRET_KEY})


def test_production_refuses_memory_broker_with_several_workers() -> None:
    with pytest.raises(SettingsError, match="BROADCAST_URL"):
        Settings.from_env({"ENV": "production", "SECRET_KEY": STRONG, "WEB_CONCURRENCY": "4"})


def test_production_accepts_redis_with_several_workers() -> None:
    settings = Settings.from_env(
        {
            "ENV": "production",
            "SECRET_KEY": STRONG,
            "WEB_CONCURRENCY": "4",
            "BROADCAST_URL": "redis://127.0.0.1:6379",
        }
    )
    assert settings.workers == 4
    assert (settings.graphiql, settings.demo_data) == (False, False)


@pytest.mark.parametrize(
    "environ",
    [
        {"ENV": "staging"},
        {"PORT": "eighty"},
        {"PORT": "70000"},
        {"DATABASE_URL": "mysql://x"},
        {"BROADCAST_URL": "kafka://x"},
        {"AUTO_MIGRATE": "perhaps"},
    ],
)
def test_malformed_settings_are_refused_with_a_reason(environ: dict[str, str]) -> None:
    with pytest.raises(SettingsError):
        Settings.from_env(environ)
