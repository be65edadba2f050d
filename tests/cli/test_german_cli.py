"""The command line in German: `agent-console --help` and an error, chosen by the setting or by the locale."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def run(*args: str, tmp_path, **env: str) -> subprocess.CompletedProcess:
    environ = {key: value for key, value in os.environ.items()
               if not key.startswith(("AGENT_CONSOLE_", "LC_", "LANG"))}
    environ.update({"AGENT_CONSOLE_CONFIG": str(tmp_path / "config.toml"), "COLUMNS": "100", **env})
    return subprocess.run([sys.executable, "-m", "agent_console", *args], capture_output=True, text=True,
                          env=environ, timeout=120)


def test_help_in_german_from_the_locale(tmp_path):
    result = run("--help", tmp_path=tmp_path, LANG="de_DE.UTF-8")
    assert result.returncode == 0, result.stderr
    assert "Tastaturgesteuerte Konsole für Agenten" in result.stdout
    assert "Den Live-Monitor der Warteschlangen öffnen" in result.stdout
    assert "Als dieser Agent handeln (Login)." in result.stdout
    assert "Open the live queue monitor" not in result.stdout


def test_help_in_english_by_default_and_when_the_setting_says_so(tmp_path):
    assert "Keyboard-first console" in run("--help", tmp_path=tmp_path).stdout
    english = run("--help", tmp_path=tmp_path, LANG="de_DE.UTF-8", AGENT_CONSOLE_LANGUAGE="en")
    assert "Open the live queue monitor (supervisors and admins)." in english.stdout


def test_an_error_in_german(tmp_path):
    (tmp_path / "config.toml").write_text('language = "de"\n', encoding="utf-8")
    result = run("--db", str(tmp_path / "store.db"), "monitor", "--agent", "nobody", tmp_path=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("Fehler: ")
    assert "Traceback" not in result.stderr


def test_an_unknown_language_is_refused_in_one_line(tmp_path):
    result = run("--db", str(tmp_path / "store.db"), "monitor", tmp_path=tmp_path, AGENT_CONSOLE_LANGUAGE="fr")
    assert result.returncode == 1
    assert result.stderr.strip() == ("error: environment variable AGENT_CONSOLE_LANGUAGE: setting 'language' has an "
                                     "invalid value 'fr'; expected one of: en, de")


def test_a_damaged_store_explained_in_german(tmp_path):
    store = tmp_path / "store.db"
    assert run("--db", str(store), "db", "init", tmp_path=tmp_path).returncode == 0
    data = store.read_bytes()
    store.write_bytes(data[: len(data) // 3])
    result = run("--db", str(store), "agents", "list", tmp_path=tmp_path, AGENT_CONSOLE_LANGUAGE="de")
    assert result.returncode == 1
    line = result.stderr.strip()
    assert "\n" not in line and "Traceback" not in line
    assert line.startswith(f"Fehler: {store} ist beschädigt (")
    assert line.endswith("); führen Sie `agent-console db check` aus")


def test_help_of_groups_and_commands_in_german_with_clicks_own_words(tmp_path):
    agents = run("agents", "add", "--help", tmp_path=tmp_path, AGENT_CONSOLE_LANGUAGE="de")
    assert agents.returncode == 0, agents.stderr
    for text in ("Aufruf: agent-console agents add", "Einen Agenten anlegen (oder den mit diesem Login",
                 "Argumente", "Optionen", "Login-Name (eindeutig).", "[Pflicht]", "[Standard: agent]",
                 "Diese Hilfe zeigen und beenden."):
        assert text in agents.stdout, text
    for english in ("Usage:", "Show this message and exit.", "Display name.", "Options"):
        assert english not in agents.stdout, english
    case = run("case", "--help", tmp_path=tmp_path, AGENT_CONSOLE_LANGUAGE="de").stdout
    assert "Befehle" in case and "Den Fall übernehmen: Sie werden sein Bearbeiter." in case
    sla = run("sla", "set", "--help", tmp_path=tmp_path, AGENT_CONSOLE_LANGUAGE="de").stdout
    assert "Geschäftszeiten, z. B." in sla


def test_usage_errors_in_german(tmp_path):
    missing = run("agents", "add", tmp_path=tmp_path, AGENT_CONSOLE_LANGUAGE="de")
    assert missing.returncode == 2
    assert "Argument 'login' fehlt." in missing.stderr
    assert "Hilfe mit 'agent-console agents add -h'." in missing.stderr
    assert "Fehler" in missing.stderr and "Missing argument" not in missing.stderr
    unknown = run("agents", "list", "--bogus", tmp_path=tmp_path, AGENT_CONSOLE_LANGUAGE="de")
    assert "Unbekannte Option: --bogus" in unknown.stderr
    command = run("agentz", tmp_path=tmp_path, AGENT_CONSOLE_LANGUAGE="de")
    assert "Unbekannter Befehl 'agentz'. Meinten Sie 'agents'?" in command.stderr
    extra = run("agents", "list", "a", tmp_path=tmp_path, AGENT_CONSOLE_LANGUAGE="de")
    assert "Unerwartete zusätzliche Argumente: a" in extra.stderr
    bad = run("agents", "add", "x", "--name", "X", "--tier", "9", tmp_path=tmp_path, AGENT_CONSOLE_LANGUAGE="de")
    assert "Ungültiger Wert für '--tier'" in bad.stderr


def test_usage_errors_stay_english_by_default(tmp_path):
    missing = run("agents", "add", tmp_path=tmp_path)
    assert "Missing argument 'login'." in missing.stderr
    assert "Usage: agent-console agents add" in missing.stderr
    assert "No such option: --bogus" in run("agents", "list", "--bogus", tmp_path=tmp_path).stderr


# --- in-process, in German: reports, imports and the case rules answer in the interface language -------------


@pytest.fixture
def german():
    from agent_console import i18n

    i18n.set_language("de")
    yield
    i18n.set_language("en")


def test_a_report_in_german(cli, store, agents, clock, german):
    from agent_console.domain.cases import CaseService

    service = CaseService(store, clock, agents["anna"])
    case = service.create_case(customer="kunde@example.com", channel="email", queue="Billing", subject="Rechnung",
                               body="Hallo")
    service.claim(case.id)
    service.reply(case.id, "Wir kümmern uns darum.")
    day = clock.now().date().isoformat()
    result = cli("report", "sla", "--since", day, "--until", day, "--by", "queue")
    assert result.exit_code == 0, result.output
    title = " ".join(result.output.split())
    assert "Servicelevel (erste Antwort), 23. Nov. 2026 bis 23. Nov. 2026" in title
    for heading in ("Warteschlange", "entschieden", "SLA", "eingehalten", "beantwortet", "ASA"):
        assert heading in result.output, heading
    assert "100,0 %" in result.output
    assert "Service level" not in result.output and "decided" not in result.output
    json_out = cli("report", "sla", "--since", day, "--until", day, "--by", "queue", "--format", "json").output
    assert '"decided": 1' in json_out and '"title": "Service level (first response)"' in json_out


def test_an_import_error_in_german_names_file_line_and_field(cli, store, tmp_path, german):
    path = tmp_path / "kunden.csv"
    path.write_text("name,email,phone,language\nAmy,amy@example.com,,en\nBo,kein-mail,,de\n", encoding="utf-8")
    result = cli("import", "customers", str(path))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == f"Fehler: Import von {path} fehlgeschlagen; nichts wurde geschrieben:"
    assert lines[1].strip() == f"{path}, Zeile 3: email: ungültige E-Mail-Adresse 'kein-mail'"


def test_claiming_a_case_someone_else_holds_is_refused_in_german(cli, store, agents, clock, german):
    from agent_console.domain.cases import CaseService

    case = CaseService(store, clock, agents["ben"]).create_case(customer="kunde@example.com", channel="email",
                                                                 queue="Billing", subject="Rechnung", body="Hallo")
    assert cli("--agent", "ben", "case", "claim", case.key).exit_code == 0
    taken = cli("--agent", "anna", "case", "claim", case.key)
    assert taken.exit_code == 1
    assert taken.stderr.strip() == f"Fehler: {case.key} wurde schon von Ben Second übernommen"
    mine = cli("--agent", "ben", "case", "release", case.key)
    assert mine.stdout.strip() == f"{case.key} freigegeben"
