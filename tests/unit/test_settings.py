"""Settings: TOML file in the config dir, AGENT_CONSOLE_* overrides, clear errors, and where the store lives."""

from __future__ import annotations

import os

import pytest

from agent_console.config import Settings, SettingsError, config_path, load_settings, resolve_db_path


def test_defaults_without_a_file(tmp_path):
    settings = load_settings(tmp_path / "missing.toml", environ={})
    assert settings == Settings()


def test_toml_values_and_environment_overrides(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('agent = "lena"\ntimezone = "Europe/Berlin"\nidle_timeout_s = 300\n'
                    'wrap_up_codes = ["solved", "callback"]\n[keys]\nclaim = "c"\n', encoding="utf-8")
    settings = load_settings(path, environ={})
    assert settings.agent == "lena"
    assert settings.timezone == "Europe/Berlin"
    assert settings.idle_timeout_s == 300
    assert settings.wrap_up_codes == ["solved", "callback"]
    assert settings.keys == {"claim": "c"}

    env = {"AGENT_CONSOLE_AGENT": "tom", "AGENT_CONSOLE_IDLE_TIMEOUT_S": "45",
           "AGENT_CONSOLE_WRAP_UP_CODES": "a, b", "AGENT_CONSOLE_KEYS": "claim=x,next_case=n"}
    settings = load_settings(path, environ=env)
    assert settings.agent == "tom"
    assert settings.idle_timeout_s == 45
    assert settings.wrap_up_codes == ["a", "b"]
    assert settings.keys == {"claim": "x", "next_case": "n"}
    assert settings.timezone == "Europe/Berlin"  # not overridden


def test_bad_toml_names_the_file(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('agent = "lena\n', encoding="utf-8")
    with pytest.raises(SettingsError) as info:
        load_settings(path, environ={})
    assert str(path) in str(info.value) and "not valid TOML" in str(info.value)


def test_unknown_key_and_bad_value_are_named(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('colour = "blue"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="unknown setting 'colour'"):
        load_settings(path, environ={})
    path.write_text('heartbeat_s = "often"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="'heartbeat_s' has an invalid value"):
        load_settings(path, environ={})


def test_bad_settings_file_fails_the_cli_clearly(cli, tmp_path):
    config_path().write_text("agent = [unclosed\n", encoding="utf-8")
    agents = tmp_path / "agents.csv"
    agents.write_text("login,name,role,tier\nlena,Lena Hoffmann,agent,1\n", encoding="utf-8")
    result = cli("import", "agents", str(agents))
    assert result.exit_code == 1
    assert "not valid TOML" in result.stderr and str(config_path()) in result.stderr


def test_store_location_order(tmp_path, monkeypatch):
    config = config_path()
    config.write_text(f'db = "{tmp_path / "from-settings.db"}"\n', encoding="utf-8")
    assert resolve_db_path(None) == tmp_path / "from-settings.db"
    monkeypatch.setenv("AGENT_CONSOLE_DB", str(tmp_path / "from-env.db"))
    assert resolve_db_path(None) == tmp_path / "from-env.db"
    assert resolve_db_path(str(tmp_path / "from-option.db")) == tmp_path / "from-option.db"
    config.unlink()
    monkeypatch.delenv("AGENT_CONSOLE_DB")
    default = resolve_db_path(None)
    assert default.name == "agent-console.db"
    assert str(default).startswith(os.environ["XDG_DATA_HOME"])


def test_a_bad_value_from_the_environment_names_the_variable_not_a_file(tmp_path, cli, monkeypatch):
    path = tmp_path / "does-not-exist.toml"
    with pytest.raises(SettingsError) as info:
        load_settings(path, environ={"AGENT_CONSOLE_HEARTBEAT_S": "often"})
    message = str(info.value)
    assert message.startswith("environment variable AGENT_CONSOLE_HEARTBEAT_S: ")
    assert "'heartbeat_s' has an invalid value 'often'" in message
    assert str(path) not in message

    monkeypatch.setenv("AGENT_CONSOLE_IDLE_TIMEOUT_S", "soon")
    result = cli("case", "list")
    assert result.exit_code == 1
    assert "environment variable AGENT_CONSOLE_IDLE_TIMEOUT_S" in result.output
    assert "config.toml" not in result.output
