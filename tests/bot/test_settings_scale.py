"""The scale-out settings: Discord shards and the metrics endpoint, refused in one line
that names the variable and never echoes the value."""

from __future__ import annotations

import pytest

from bot.settings import SettingError, Settings


def read(**env: str) -> Settings:
    return Settings.from_env(env, dotenv=None)


def test_shards_unset_means_automatic() -> None:
    settings = read()
    assert settings.discord_shard_count is None and settings.discord_shard_ids is None


def test_shard_ids_are_read_with_their_count() -> None:
    settings = read(DISCORD_SHARD_COUNT="4", DISCORD_SHARD_IDS=" 3, 1 ")
    assert settings.discord_shard_count == 4
    assert settings.discord_shard_ids == (1, 3)


@pytest.mark.parametrize(("env", "named"), [
    ({"DISCORD_SHARD_IDS": "0,1"}, "DISCORD_SHARD_COUNT"),
    ({"DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": "0,2"}, "below DISCORD_SHARD_COUNT"),
    ({"DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": "zero-xyzzy"}, "DISCORD_SHARD_IDS"),
    ({"DISCORD_SHARD_COUNT": "0"}, "DISCORD_SHARD_COUNT"),
    ({"REVIEWBOT_METRICS_PORT": "99999-xyzzy"}, "REVIEWBOT_METRICS_PORT"),
])
def test_bad_values_are_one_line_naming_the_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingError) as refused:
        read(**env)
    message = str(refused.value)
    assert named in message and "\n" not in message and "xyzzy" not in message


def test_metrics_listen_on_this_machine_by_default() -> None:
    settings = read(REVIEWBOT_METRICS_PORT="9464")
    assert (settings.metrics_host, settings.metrics_port) == ("127.0.0.1", 9464)
    assert read().metrics_port is None
