"""``agent-console import KIND FILE`` and ``agent-console export KIND``: bulk data in and out (docs/formats.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from agent_console.cli.common import console, ctx_obj, fail
from agent_console.i18n import _

KINDS = ("customers", "cases", "kb", "canned", "agents", "surveys")
_KIND_HELP = "customers, cases, kb, canned, agents or surveys."


def _check_kind(kind: str) -> str:
    kind = kind.strip().lower()
    if kind not in KINDS:
        fail(_("unknown kind {kind}; expected one of: {value}").format(kind=repr(kind), value=', '.join(KINDS)))
    return kind


def register(app: typer.Typer) -> None:
    from agent_console.admin.columns import columns_help

    @app.command("import", epilog="Columns (CSV header / JSON fields) of each kind — more in docs/formats.md:\n\n"
                                  + columns_help())
    def import_(
        ctx: typer.Context,
        kind: str = typer.Argument(..., help=_KIND_HELP),
        file: Path = typer.Argument(..., help="CSV, JSON or JSONL file (kb: also a folder of Markdown files)."),
        fmt: Optional[str] = typer.Option(None, "--format", help="csv, json or jsonl (default: by file suffix)."),
        new_queues: bool = typer.Option(False, "--new-queues", help="cases, agents: add the queues the file names "
                                                                    "that the store does not have (else refused)."),
    ) -> None:
        """Import records; re-importing the same file updates instead of duplicating. All or nothing."""
        kind = _check_kind(kind)
        from agent_console.admin.importer import ImportFailed, import_file

        obj = ctx_obj(ctx)
        store = obj.store()
        actor = obj.agent(required=False) if obj.agent_login() else None
        try:
            result = import_file(store, obj.clock, kind, file, fmt=fmt, actor_id=actor.id if actor else None,
                                 new_queues=new_queues)
        except ImportFailed as exc:
            fail(str(exc))
        from rich.text import Text

        console().print(Text(result.summary()))

    @app.command("export")
    def export_(
        ctx: typer.Context,
        kind: str = typer.Argument(..., help=_KIND_HELP),
        fmt: Optional[str] = typer.Option(None, "--format", help="csv, json or jsonl (default: by --out suffix, "
                                                                 "else csv)."),
        out: Optional[Path] = typer.Option(None, "--out", help="File to write (default: standard output)."),
    ) -> None:
        """Export records in the format `import` reads back."""
        import io
        import sys

        from agent_console.admin.records import FileProblems, format_for

        kind = _check_kind(kind)
        if fmt is None and out is not None and out.suffix:
            try:
                fmt = format_for(out, None)
            except FileProblems as exc:
                fail(str(exc))
        fmt = (fmt or "csv").lower()
        if fmt not in ("csv", "json", "jsonl"):
            fail(_("unknown format {fmt}; expected csv, json or jsonl").format(fmt=repr(fmt)))
        from agent_console.admin.exporter import export

        store = ctx_obj(ctx).store()
        if out is None:
            stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="", write_through=True) \
                if hasattr(sys.stdout, "buffer") else sys.stdout
            from agent_console.cli.common import CleanStream

            try:
                export(store, kind, fmt, CleanStream(stream))
                stream.flush()
            finally:
                if stream is not sys.stdout:
                    stream.detach()
            return
        tmp = out.with_name(out.name + ".part")
        try:
            with tmp.open("w", encoding="utf-8", newline="") as fh:
                count = export(store, kind, fmt, fh)
            tmp.replace(out)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            from agent_console.store.errors import explain_os_error

            fail(_("cannot write the export: {value}").format(value=explain_os_error(exc)))
        except BaseException:  # e.g. a damaged store: reported by the command line, with no half file left
            tmp.unlink(missing_ok=True)
            raise
        console(stderr=True).print(_("exported {count} {kind} to {out}").format(count=count, kind=kind, out=out))
