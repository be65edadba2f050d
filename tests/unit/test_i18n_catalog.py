"""The translation catalogs: every message of the code is in the German catalog, translated and not fuzzy; the
shipped .mo says what the .po says; the translated modules show no bare English text; the language is chosen from
the setting, the environment and the locale, and a bad value is refused."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

import pytest

from agent_console import i18n, i18n_catalog
from agent_console.config import Settings, SettingsError, load_settings

PACKAGE = Path(i18n.__file__).parent

#: Modules outside TRANSLATED_FOLDERS whose every user-facing text is translated. Add a module here once its
#: strings go through _().
TRANSLATED_MODULES = (
    "keys.py",
    "screens/help.py",
    "screens/monitor.py",
    "screens/monitor_common.py",
    "screens/monitor_drill.py",
    "screens/monitor_floor.py",
    "screens/monitor_wallboard.py",
    "screens/language.py",
    "widgets/monitor_tiles.py",
    "cli/app.py",
    "screens/canned.py",
    "screens/kb_search.py",
    "screens/kb_lines.py",
    "screens/escalate.py",
    "screens/new_case.py",
    "screens/confirm.py",
    "screens/pick.py",
    "screens/wrap_up.py",
    "domain/templates.py",
    "domain/canned.py",
    "domain/escalation.py",
    "domain/outgoing.py",
    "domain/kb.py",
    "domain/kb_text.py",
    "domain/new_case.py",
    "domain/resolving.py",
    "domain/collisions.py",
    "domain/privacy.py",
    "domain/shared_content.py",
    "cli/agents.py",
    "cli/agent_state.py",
    "cli/canned.py",
    "cli/case.py",
    "cli/case_escalation.py",
    "cli/case_json.py",
    "cli/common.py",
    "cli/console.py",
    "cli/db.py",
    "cli/kb.py",
    "cli/localized.py",
    "cli/monitor.py",
    "cli/plain.py",
    "cli/queues.py",
    "cli/report.py",
    "cli/seed.py",
    "cli/server.py",
    "cli/sla.py",
    "cli/sync.py",
    "cli/transfer.py",
    "domain/agents.py",
    "domain/agent_states.py",
    "domain/business_hours.py",
    "domain/case_changes.py",
    "domain/cases.py",
    "domain/queues.py",
    "domain/sla_policies.py",
    "domain/text.py",
    "domain/zones.py",
    "admin/case_archive.py",
    "admin/case_archive_import.py",
    "admin/exporter.py",
    "admin/import_fields.py",
    "admin/import_validation.py",
    "admin/import_writing.py",
    "admin/importer.py",
    "admin/records.py",
    "server/app.py",
    "server/ops.py",
    "server/writer.py",
    "server/language.py",
    "server/routes/auth.py",
    "server/routes/cases.py",
    "server/routes/deps.py",
    "server/routes/ops.py",
    "server/routes/presence.py",
    "sync/client.py",
    "app.py",
    "app_sync.py",
    "screens/queue.py",
    "screens/queue_filter.py",
    "screens/queue_status.py",
    "screens/case_detail.py",
    "screens/case_snapshot.py",
    "screens/case_actions.py",
    "screens/case_drafts.py",
    "screens/agent_screen.py",
    "screens/notify.py",
    "screens/messages.py",
    "widgets/case_table.py",
    "widgets/case_columns.py",
    "widgets/case_header.py",
    "widgets/case_history.py",
    "widgets/thread_view.py",
    "widgets/handling_timer.py",
    "widgets/header_bar.py",
    "widgets/labels.py",
    "widgets/presence_line.py",
    "widgets/reply_editor.py",
    "widgets/sla_badge.py",
    "widgets/packed_text.py",
)

#: Folders whose every module is translated (a new module there is covered from its first line), and the modules of
#: those folders that show no text to a user.
TRANSLATED_FOLDERS = ("screens", "widgets", "cli", "domain", "server/routes", "sync")
NOT_SHOWING = {"domain/clock.py"}  # the frozen clock's refusal is for the test that misuses it


def translated_modules() -> list[str]:
    folders = [str(path.relative_to(PACKAGE)) for folder in TRANSLATED_FOLDERS
               for path in sorted((PACKAGE / folder).glob("*.py"))]
    return sorted(set(TRANSLATED_MODULES) | {"call_lines.py"} | set(folders) - NOT_SHOWING)


#: Calls whose text arguments reach the screen.
SHOWING_CALLS = {"notify", "Static", "Label", "Binding", "KeyAction", "add_column", "update", "SystemCommand",
                 "PickModal", "ReasonModal", "BigFigure", "Input", "fail", "Text", "append"}
#: Exceptions that report a bug in the code, not a refusal the user reads: their text stays English.
PROGRAMMING_ERRORS = {"TypeError", "RuntimeError", "AssertionError", "NotImplementedError", "KeyError",
                      "AttributeError"}
#: Text that is not language: symbols, separators and format-only strings.
NOT_LANGUAGE_CHARS = set(" \n·—–-:()/%,.…→←↑↓•|")


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    i18n.set_language("en")


def test_every_message_is_in_the_german_catalog_translated_and_not_fuzzy():
    # A message is its id in its context (``pgettext``): the same English word may need two German ones.
    extracted = {(message.id, message.context) for message in i18n_catalog.extract() if message.id}
    catalog = i18n_catalog.read("de")
    entries = {(message.id, message.context): message for message in catalog if message.id}
    missing = sorted(str(m) for m in extracted - entries.keys())
    assert not missing, f"not in the German catalog (run scripts/i18n, then translate): {missing}"
    untranslated = sorted(str(m.id) for m in entries.values()
                          if not (all(m.string) if isinstance(m.string, tuple) else m.string))
    assert not untranslated, f"untranslated in the German catalog: {untranslated}"
    fuzzy = sorted(str(m.id) for m in entries.values() if m.fuzzy)
    assert not fuzzy, f"fuzzy in the German catalog (check the translation, remove the flag): {fuzzy}"
    stale = sorted(str(m) for m in entries.keys() - extracted)
    assert not stale, f"in the German catalog but no longer in the code (run scripts/i18n): {stale}"


def test_shipped_mo_matches_the_po():
    catalog = i18n_catalog.read("de")
    with i18n_catalog.mo_path("de").open("rb") as file:
        compiled = gettext.GNUTranslations(file)
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            assert compiled.ngettext(message.id[0], message.id[1], 1) == message.string[0], message.id
            assert compiled.ngettext(message.id[0], message.id[1], 5) == message.string[1], message.id
        else:
            shown = (compiled.pgettext(message.context, message.id) if message.context
                     else compiled.gettext(message.id))
            assert shown == message.string, (
                f"{message.id!r}: the .mo is older than the .po; run scripts/i18n compile")


def test_placeholders_survive_translation():
    import string

    def fields(text):
        return sorted(name for _literal, name, _spec, _conv in string.Formatter().parse(text) if name)

    for message in i18n_catalog.read("de"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for translated in strings:
            assert fields(translated) == fields(ids[-1]), f"{message.id!r} -> {translated!r}"


def _bare_texts(path: Path) -> list[str]:
    """String literals given straight to a call that shows text, outside _()/N_()/ngettext."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []

    def is_language(text: str) -> bool:
        return any(ch.isalpha() for ch in text) and not set(text) <= NOT_LANGUAGE_CHARS

    def literal_texts(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node
        elif isinstance(node, ast.JoinedStr):
            for part in node.values:
                if isinstance(part, ast.Constant):
                    yield part
        elif isinstance(node, ast.BinOp):
            yield from literal_texts(node.left)
            yield from literal_texts(node.right)

    raised = {id(node.exc) for node in ast.walk(tree) if isinstance(node, ast.Raise) and node.exc is not None}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        # An exception raised with its message: the CLI, the console and the server show it as it is.
        refusal = id(node) in raised and name not in PROGRAMMING_ERRORS
        if name not in SHOWING_CALLS and not refusal:
            continue
        arguments = list(node.args)
        if name in ("Binding", "KeyAction"):
            arguments = arguments[4:5] if name == "KeyAction" else arguments[2:3]
        elif name == "add_column":
            arguments = arguments[:1]
        arguments += [kw.value for kw in node.keywords if kw.arg in ("placeholder", "title", "description",
                                                                       "help")]
        for argument in arguments:
            for constant in literal_texts(argument):
                if refusal and constant.value.isidentifier():
                    continue  # the name of the field a refusal is about (``CannedError(..., "title")``)
                if is_language(constant.value):
                    found.append(f"{path.relative_to(PACKAGE)}:{constant.lineno}: {constant.value!r}")
    return found


def test_translated_modules_show_no_bare_text():
    found = [text for module in translated_modules() for text in _bare_texts(PACKAGE / module)]
    assert not found, "user-facing text outside _() in a translated module:\n" + "\n".join(found)


def test_the_guard_finds_bare_text(tmp_path):
    sample = PACKAGE / "_guard_sample_for_test.py"
    sample.write_text('self.notify("Saved.")\nStatic(_("fine"))\nBinding("x", "y", "Do it")\n'
                      'raise CaseError(f"no case {key}")\nraise CannedError(_("too long"), "title")\n'
                      'raise TypeError("a bug, not a refusal")\n', encoding="utf-8")
    try:
        found = _bare_texts(sample)
    finally:
        sample.unlink()
    assert sorted(text.split(": ", 1)[1] for text in found) == sorted(["'Saved.'", "'Do it'", "'no case '"])


# --- choosing the language --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("environ", "expected"), [
    ({"LANG": "de_DE.UTF-8"}, "de"),
    ({"LANG": "de_AT.UTF-8"}, "de"),
    ({"LANG": "en_GB.UTF-8"}, "en"),
    ({"LANG": "fr_FR.UTF-8"}, "en"),
    ({"LANG": "C.UTF-8"}, "en"),
    ({}, "en"),
    ({"LC_ALL": "de_DE.UTF-8", "LANG": "en_US.UTF-8"}, "de"),
    ({"LC_MESSAGES": "en_US.UTF-8", "LANG": "de_DE.UTF-8"}, "en"),
    ({"LC_ALL": "", "LANG": "de_DE@euro"}, "de"),
])
def test_language_from_the_locale(environ, expected):
    assert i18n.language_from_locale(environ) == expected
    assert Settings().interface_language(environ) == expected


def test_setting_and_environment_win_over_the_locale(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('language = "de"\n', encoding="utf-8")
    settings = load_settings(path, environ={})
    assert settings.interface_language({"LANG": "en_US.UTF-8"}) == "de"
    settings = load_settings(path, environ={"AGENT_CONSOLE_LANGUAGE": "EN"})
    assert settings.interface_language({"LANG": "de_DE.UTF-8"}) == "en"


def test_an_unknown_language_is_refused_naming_its_source(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('language = "fr"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match=r"config\.toml: setting 'language' has an invalid value 'fr'; "
                                            r"expected one of: en, de"):
        load_settings(path, environ={})
    with pytest.raises(SettingsError, match="environment variable AGENT_CONSOLE_LANGUAGE: .*'de_DE'"):
        load_settings(tmp_path / "missing.toml", environ={"AGENT_CONSOLE_LANGUAGE": "de_DE"})
    with pytest.raises(i18n.LanguageError):
        i18n.set_language("fr")


def test_switching_translates_at_once_and_tells_the_listeners():
    heard = []
    stop = i18n.on_language_change(heard.append)
    try:
        assert i18n._("Quit") == "Quit"
        i18n.set_language("de")
        assert i18n._("Quit") == "Beenden"
        assert i18n.ngettext("{total} case", "{total} cases", 1) == "{total} Fall"
        assert i18n.ngettext("{total} case", "{total} cases", 2) == "{total} Fälle"
        i18n.set_language("en")
        assert i18n._("Quit") == "Quit"
    finally:
        stop()
    assert heard == ["de", "en"]


def test_formatting_in_each_language():
    from datetime import datetime

    from agent_console import formatting

    moment = datetime(2026, 12, 2, 14, 5)
    assert formatting.date_time(moment) == "Wed 02 Dec 14:05"
    assert (formatting.number(1234), formatting.percent(0.76), formatting.duration(7500)) == ("1234", "76%", "2h05m")
    i18n.set_language("de")
    assert formatting.date_time(moment) == "Mi., 2. Dez., 14:05"
    assert formatting.number(1234) == "1.234"
    assert formatting.percent(0.76) == "76\u00a0%"
    assert formatting.duration(7500) == "2h05"
    assert formatting.duration(42) == "0:42"
    assert formatting.duration_long(7500) == "2 Std. 5 Min."
    assert formatting.percent(None) == "—"
