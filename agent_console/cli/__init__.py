"""The ``agent-console`` command. Each group lives in its own module; heavy imports happen inside the commands."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--version"]:
        # Answer without importing Typer, Textual or SQLAlchemy.
        from agent_console import __version__

        print(f"agent-console {__version__}")
        return
    if "case" in args and "--json" in args:
        # case list/show --json in their plain forms answer without Typer (start-up time, see cli/fast_path.py).
        from agent_console.cli.fast_path import run_case_json

        if run_case_json(args):
            return
    choose_language()
    import typer.main

    from agent_console.cli.app import build_app
    from agent_console.cli.localized import localize

    command = typer.main.get_command(build_app())
    localize(command)
    command(args=args, prog_name="agent-console")


def choose_language() -> None:
    """The interface language from the settings (``language``, ``AGENT_CONSOLE_LANGUAGE``) or the locale, set before
    the commands and their help are built. A settings file that cannot be read leaves the locale's language: the
    command itself then reports the bad setting (every command reads the settings)."""
    from agent_console.config import SettingsError, load_settings
    from agent_console.i18n import language_from_locale, set_language

    try:
        language = load_settings().interface_language()
    except SettingsError:
        language = language_from_locale()
    set_language(language)
