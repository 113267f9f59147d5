"""Settings are grouped by concern and read from the flat variables of the environment."""

import os

import pytest
from dependency_injector import providers

from entrypoints.settings import Settings, settings_fields, variables


@pytest.fixture(autouse=True)
def plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    names = {name.lower() for _, _, field in settings_fields() for name in variables(field)}
    for name in list(os.environ):
        if name.lower() in names:
            monkeypatch.delenv(name)


def test_each_group_reads_its_flat_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STATS_PORT", "9000")
    monkeypatch.setenv("stats_queue_name", "events")  # names are matched without regard to case
    monkeypatch.setenv("STATS_WORKER_BATCH_LINGER", "0.01")
    monkeypatch.setenv("STATS_AUTH", "on")
    monkeypatch.setenv("STATS_CORS_ORIGINS", '["https://a.example"]')
    settings = Settings()
    assert (settings.http.port, settings.http.cors_origins) == (9000, ["https://a.example"])
    assert settings.queue.stream == "events"
    assert settings.worker.batch_linger == 0.01
    assert settings.auth.mode == "on"


def test_the_old_services_names_are_fallbacks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERVICE_STATS_POSTGRES_URL", "postgresql://old/stats")
    monkeypatch.setenv("ASYNC_QUEUE_HOST", "queue.internal")
    monkeypatch.setenv("ASYNC_QUEUE_PORT", "6380")
    settings = Settings()
    assert settings.database.url == "postgresql://old/stats"
    assert settings.queue.url == "redis://queue.internal:6380/0"
    monkeypatch.setenv("STATS_DATABASE_URL", "postgresql://new/stats")
    monkeypatch.setenv("STATS_REDIS_URL", "redis://new:6379/1")
    settings = Settings()
    assert settings.database.url == "postgresql://new/stats"
    assert settings.queue.url == "redis://new:6379/1"


def test_what_code_gives_a_group_overrides_the_environment_field_by_field(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STATS_HOST", "0.0.0.0")
    monkeypatch.setenv("STATS_PORT", "9000")
    settings = Settings(http={"port": 9001})
    assert (settings.http.host, settings.http.port) == ("0.0.0.0", 9001)


def test_a_group_variable_is_not_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    # STATS_AUTH is the auth mode, not a JSON document for the whole auth group
    monkeypatch.setenv("STATS_AUTH", "off")
    monkeypatch.setenv("STATS_HTTP", '{"port": 1}')
    settings = Settings()
    assert (settings.auth.mode, settings.http.port) == ("off", 8080)


def test_every_setting_has_a_default_and_its_own_variables() -> None:
    settings = Settings()
    assert settings.database.storage == "postgres" and settings.queue.url is None
    seen: set[str] = set()
    for _, _, field in settings_fields():
        names = variables(field)
        assert names and not seen & set(names)
        seen |= set(names)


def test_no_setting_is_shadowed_in_the_composition_root() -> None:
    # The container reads `settings.provided.<group>.<field>`: a field named like an attribute
    # of dependency-injector's getters (`name`, say) would give that attribute instead.
    getters = set(dir(providers.ProvidedInstance)) | set(dir(providers.AttributeGetter))
    assert {group for group, _, _ in settings_fields()} & getters == set()
    assert {name for _, name, _ in settings_fields()} & getters == set()
