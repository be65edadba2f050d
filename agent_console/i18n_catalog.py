"""The translation catalogs, kept with Babel: what ``scripts/i18n`` runs and what the catalog tests check.

``extract()`` collects every message of the interface: the ``_()``/``N_()``/``ngettext()`` calls in the package
(``babel.cfg`` says which files) and the command line's help of every command and option, which Typer takes from
the docstrings and ``help=`` of the group modules (``cli.localized`` translates it in the built command tree). ``update()``
merges them into each language's ``.po`` (new entries empty, vanished ones dropped); ``compile()`` writes the
``.mo`` files the package ships. A developer tool: the console itself only reads the ``.mo`` files (``i18n.py``).
"""

from __future__ import annotations

import io
from pathlib import Path

from agent_console.i18n import DOMAIN, LANGUAGES, LOCALE_DIR, SOURCE_LANGUAGE

ROOT = Path(__file__).resolve().parent.parent
BABEL_CONFIG = ROOT / "babel.cfg"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "NC_": ((1, "c"), 2)}
#: Comments written for translators, kept in the catalog: ``# Translators: …`` above the message.
COMMENT_TAGS = ["Translators:"]


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(language: str) -> Path:
    return po_path(language).with_suffix(".mo")


def translated_languages() -> tuple[str, ...]:
    return tuple(code for code in LANGUAGES if code != SOURCE_LANGUAGE)


def cli_help_messages() -> list[str]:
    """The help of every command, group, argument and option of ``agent-console`` (``cli.localized``)."""
    import typer.main

    from agent_console.cli.app import build_app
    from agent_console.cli.localized import help_texts

    return help_texts(typer.main.get_command(build_app()))


def extract():
    """A Babel ``Catalog`` of every message, sorted, without source locations (they only make merges conflict)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with BABEL_CONFIG.open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    catalog = Catalog(project="Agent Console", domain=DOMAIN, charset="utf-8")
    for _filename, _lineno, message, comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS, comment_tags=COMMENT_TAGS,
            strip_comment_tags=True):
        catalog.add(message, None, auto_comments=comments, context=context)
    for message in cli_help_messages():
        catalog.add(message, None, auto_comments=["Help of the command line (agent-console … --help)."])
    return catalog


def read(language: str):
    from babel.messages.pofile import read_po

    with po_path(language).open("rb") as file:
        return read_po(file, locale=language, domain=DOMAIN)


def _write_po(catalog, path: Path) -> None:
    from babel.messages.pofile import write_po

    buffer = io.BytesIO()
    write_po(buffer, catalog, omit_header=False, no_location=True, sort_output=True, width=116,
             ignore_obsolete=True, include_previous=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())


def update() -> dict[str, list[str]]:
    """Merge the extracted messages into every language's ``.po``; returns each language's untranslated ids."""
    from babel.messages.catalog import Catalog

    template = extract()
    missing = {}
    for language in translated_languages():
        path = po_path(language)
        catalog = read(language) if path.exists() else Catalog(locale=language, domain=DOMAIN,
                                                                project="Agent Console")
        # No fuzzy matching: a guessed translation of a changed text is worse than an empty one that a test
        # reports.
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        catalog.obsolete.clear()
        _write_po(catalog, path)
        missing[language] = [m.id for m in catalog if m.id and not m.string]
    return missing


def compile() -> None:
    """Write each language's ``.mo`` from its ``.po`` (fuzzy entries left out, as gettext does)."""
    from babel.messages.mofile import write_mo

    for language in translated_languages():
        catalog = read(language)
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        mo_path(language).write_bytes(buffer.getvalue())


def main(argv: list[str] | None = None) -> int:
    import sys

    steps = (argv if argv is not None else sys.argv[1:]) or ["update", "compile"]
    for step in steps:
        if step == "update":
            for language, ids in update().items():
                print(f"{po_path(language).relative_to(ROOT)}: {len(ids)} untranslated")
                for message_id in ids:
                    print(f"  {message_id if isinstance(message_id, str) else message_id[0]!r}")
        elif step == "compile":
            compile()
            print("compiled: " + ", ".join(str(mo_path(code).relative_to(ROOT)) for code in translated_languages()))
        else:
            print(f"unknown step {step!r}; expected update and/or compile", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
