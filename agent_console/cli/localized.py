"""The command line in the interface language: the help of every command and option, and Typer's and Click's own
words ("Usage:", "Options", "Show this message and exit.", "Missing argument …", "No such option …").

The commands keep their help in English in the code (docstrings and ``help=``); ``i18n_catalog`` extracts it by
walking the built command tree (``help_texts``) and ``localize`` writes each text's translation into the same tree
before it runs. Typer (0.29) ships Click inside itself without gettext, so Click's words cannot be switched by
installing a translation: the few a user meets are listed here (``N_``) and put in where Typer shows them — the panel
titles Typer reads from ``typer.rich_utils``, the usage prefix (our own formatter), the help option's text, and the
wording of a usage error (``reword_error``, from the exception's type and fields). English leaves all of it as
Typer writes it. Imported only on the slow path (not for ``--version`` or ``case … --json``)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from agent_console.i18n import SOURCE_LANGUAGE, N_, _, current_language

#: Typer's words, read once from typer.rich_utils when it is imported (its names, our messages).
TYPER_WORDS = {
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"),
    "OPTIONS_PANEL_TITLE": N_("Options"),
    "COMMANDS_PANEL_TITLE": N_("Commands"),
    "ERRORS_PANEL_TITLE": N_("Error"),
    "ABORTED_TEXT": N_("Aborted."),
    "RICH_HELP": N_("Try [blue]'{command_path} {help_option}'[/] for help."),
    "DEFAULT_STRING": N_("[default: {}]"),
    "REQUIRED_LONG_STRING": N_("[required]"),
    "ENVVAR_STRING": N_("[env var: {}]"),
    "DEPRECATED_STRING": N_("(deprecated) "),
}
HELP_OPTION_HELP = N_("Show this message and exit.")
USAGE_PREFIX = N_("Usage: ")
HELP_OPTION_NAMES = ["-h", "--help"]

_NO_SUCH_COMMAND = re.compile(r"No such command (?P<name>'.*')\.(?: Did you mean (?P<suggestions>.+)\?)?\Z", re.S)
_EXTRA_ARGUMENTS = re.compile(r"Got unexpected extra argument\(s\) \((?P<arguments>.*)\)\Z", re.S)
_REQUIRES_ARGUMENT = re.compile(r"Option (?P<option>'.*') requires (an argument|\d+ arguments)\.\Z", re.S)


def is_translated() -> bool:
    return current_language() != SOURCE_LANGUAGE


def walk(command, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], object]]:
    """Every command of the tree under ``command`` (itself first), with its path of names."""
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from walk(sub, (*path, name))


def help_texts(root) -> list[str]:
    """Every help text of the command tree (commands, groups, arguments, options), in English: what the catalog
    needs for the command line's help."""
    texts: list[str] = []
    for _path, command in walk(root):
        for text in (command.help, command.epilog):
            if text:
                texts.append(text)
        for param in command.params:
            if getattr(param, "help", None):
                texts.append(param.help)
    return texts


def localize(root) -> None:
    """Put the interface language into the built command tree and into Typer's words; nothing in English."""
    if not is_translated():
        return
    from typer import rich_utils
    from typer._click import Context

    for name, message in TYPER_WORDS.items():
        setattr(rich_utils, name, _(message))
    context_class = _localized_context_class()
    for _path, command in walk(root):
        if command.help:
            command.help = _(command.help)
            command.short_help = None
        if command.epilog:
            command.epilog = _(command.epilog)
        for param in command.params:
            if getattr(param, "help", None):
                param.help = _(param.help)
        command.context_class = context_class
        help_option = command.get_help_option(Context(command, help_option_names=HELP_OPTION_NAMES))
        if help_option is not None:
            help_option.help = _(HELP_OPTION_HELP)


def _localized_context_class():
    from typer._click import Context
    from typer._click.formatting import HelpFormatter

    class LocalizedFormatter(HelpFormatter):
        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            super().write_usage(prog, args, _(USAGE_PREFIX) if prefix is None else prefix)

    class Localized(Context):
        formatter_class = LocalizedFormatter

    return Localized


def reword_error(exc) -> None:
    """Word a usage error (``exc``, raised by Click inside Typer in English) in the interface language; the names of
    commands, options and values it quotes stay as they are."""
    if not is_translated():
        return
    from typer._click import exceptions as click_errors

    message = _reworded(exc, click_errors)
    if message is not None:
        exc.format_message = lambda: message


def _hint(exc) -> str:
    if exc.param_hint is not None:
        hint = exc.param_hint
    elif exc.param is not None:
        hint = exc.param.get_error_hint()
    else:
        return ""
    return hint if isinstance(hint, str) else " / ".join(repr(part) for part in hint)


def _reworded(exc, click_errors) -> str | None:
    if isinstance(exc, click_errors.MissingParameter):
        kind = exc.param_type or (exc.param.param_type_name if exc.param is not None else "")
        hint = _hint(exc)
        if kind == "argument":
            return _("Missing argument {name}.").format(name=hint)
        if kind == "option":
            return _("Missing option {name}.").format(name=hint)
        return _("Missing parameter {name}.").format(name=hint)
    if isinstance(exc, click_errors.BadParameter):
        hint = _hint(exc)
        if not hint:
            return _("Invalid value: {reason}").format(reason=exc.message)
        return _("Invalid value for {name}: {reason}").format(name=hint, reason=exc.message)
    if isinstance(exc, click_errors.NoSuchOption):
        message = _("No such option: {option}").format(option=exc.option_name)
        if exc.possibilities:
            message += " " + _("(Possible options: {options})").format(options=", ".join(sorted(exc.possibilities)))
        return message
    if isinstance(exc, click_errors.UsageError):
        text = exc.message
        if match := _NO_SUCH_COMMAND.match(text):
            message = _("No such command {name}.").format(name=match["name"])
            if match["suggestions"]:
                message += " " + _("Did you mean {suggestions}?").format(suggestions=match["suggestions"])
            return message
        if match := _EXTRA_ARGUMENTS.match(text):
            return _("Unexpected extra arguments: {arguments}").format(arguments=match["arguments"])
        if match := _REQUIRES_ARGUMENT.match(text):
            return _("The option {option} needs a value.").format(option=match["option"])
        if text == "Missing command.":
            return _("Missing command.")
    return None
