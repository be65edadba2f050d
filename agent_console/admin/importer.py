"""Bulk import of customers, cases, KB articles, canned responses, agents and surveys (CSV, JSON, JSONL; KB also a
folder of Markdown files with YAML front matter). Formats and messages: docs/formats.md.

This module reads the file and runs the import; ``import_fields.py`` checks single fields, ``import_validation.py``
whole records of each kind, ``import_writing.py`` writes them (its SQL is in ``store/imports.py``).

Rules:

* An import is one transaction. Every record is checked first — every field of it, not only up to the first
  problem; if anything is wrong nothing is written, and the error lists up to ``MAX_PROBLEMS`` problems, each naming
  the file, the line (or record), the field and what is wrong.
* Lengths are the server's (``domain/limits.py``): a file cannot put into a store what the API would refuse.
* Only regular files are read (a FIFO or a device is refused); a KB folder's links may not lead out of the folder.
  File names are shown with control characters escaped.
* Re-importing a file updates instead of duplicating: records are keyed by external id (cases; a case key such as
  ``AC-000042`` also matches), e-mail (customers; phone when there is no e-mail), login (agents), shortcut (canned),
  slug (KB) and case (surveys).
* Untrusted text goes through ``clean_text``; choices and agent fields are checked by the domain's own validators.
* Rows are written with SQLAlchemy Core ``executemany`` (no ORM object per row): a 10,000-row file takes seconds.
* An import records one audit event. It writes the store directly and creates no sync ops: to share imported data
  with a floor, import into the server's store.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from agent_console.admin.columns import KEY_FIELD, OPTIONAL, REQUIRED
from agent_console.admin.import_validation import _VALIDATORS
from agent_console.admin.import_writing import _WRITERS, ImportResult, _check_queues
from agent_console.admin.records import (
    BadValue,
    BadValues,
    FileProblems,
    ImportFailed,
    Problem,
    Record,
    format_for,
    read_records,
    read_text,
    surrogate_problem,
)
from agent_console.domain import limits
from agent_console.domain.clock import Clock
from agent_console.domain.recording import audit
from agent_console.i18n import _
from agent_console.i18n import _
from agent_console.store.db import Store
from agent_console.store.errors import shown_path

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


KINDS = ("customers", "cases", "kb", "canned", "agents", "surveys")
MAX_PROBLEMS = 50
#: A Markdown file of the KB folder larger than this cannot hold an article of at most TEXT_MAX characters (UTF-8
#: takes up to four bytes a character) plus its front matter; it is refused before it is read.
_MARKDOWN_MAX_BYTES = 4 * limits.TEXT_MAX + 64 * 1024


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.more = 0

    def add(self, problem: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        else:
            self.more += 1

    def check(self, record: Record, fn: Callable[[dict], dict]) -> dict | None:
        try:
            return fn(record.values)
        except BadValue as exc:
            self.add(Problem(record.where, exc.field, exc.message))
        except BadValues as exc:
            for bad in exc.problems:
                self.add(Problem(record.where, bad.field, bad.message))
        return None


def import_file(store: Store, clock: Clock, kind: str, path: Path | str, *, fmt: str | None = None,
                actor_id: int | None = None, new_queues: bool = False,
                before_commit: Callable[[Session], None] | None = None) -> ImportResult:
    """Import one file (or, for ``kb``, a folder of Markdown files). Raises ImportFailed; writes nothing then.

    In a store that has queue records, a case or agent naming an unknown queue is a problem of its line, unless
    ``new_queues``: then the queues the file names are added. ``before_commit`` is called with the import's session
    once everything is written (and flushed), inside its transaction: the server publishes the rows to its change
    feed there."""
    if kind not in KINDS:
        raise ValueError(_("unknown kind {kind}; expected one of: {value}").format(
            kind=repr(kind), value=', '.join(KINDS)))
    path = Path(path)
    label = shown_path(path)
    collector = _Collector()
    try:
        if kind == "kb" and path.is_dir():
            records = read_markdown_folder(path)
        else:
            if not os.path.lexists(path):
                raise FileProblems([Problem(label, None, _("no such file"))])
            records = read_records(path, format_for(path, fmt), REQUIRED[kind], label, OPTIONAL[kind])
    except FileProblems as exc:
        if exc.records is None:
            raise ImportFailed(label, exc.problems[:MAX_PROBLEMS], max(0, len(exc.problems) - MAX_PROBLEMS)) from None
        records = exc.records
        for problem in exc.problems:
            collector.add(problem)

    if kind == "cases":
        from agent_console.admin import case_archive_import

        if case_archive_import.carries_whole_cases(records):
            return case_archive_import.import_whole_cases(store, clock, records, label, problems=collector.problems,
                                                   actor_id=actor_id, max_problems=MAX_PROBLEMS)

    validate = _VALIDATORS[kind]
    key_field = KEY_FIELD[kind]
    rows: list[tuple[Record, dict]] = []
    first_seen: dict[str, str] = {}
    for record in records:
        row = collector.check(record, validate)
        if row is None:
            continue
        key = row["_key"]
        if key in first_seen:
            collector.add(Problem(record.where, key_field,
                                  _("duplicate {key_field} {value}: already in {value2}").format(
                                      key_field=key_field, value=repr(row[key_field] if key_field in row else key), value2=first_seen[key])))
            continue
        first_seen[key] = record.where.rsplit(", ", 1)[-1] if ", " in record.where else record.where
        rows.append((record, row))
    if collector.problems:
        collector.problems.sort(key=_position)
        raise ImportFailed(label, collector.problems, collector.more)

    now = clock.now()
    result = ImportResult(kind, label)
    with store.transaction() as session:
        conn = session.connection()
        _check_queues(session, kind, rows, now, result, collector, create=new_queues)
        _WRITERS[kind](conn, session, rows, now, result, collector)
        if collector.problems:
            raise ImportFailed(label, collector.problems, collector.more)  # rolls the transaction back
        audit(session, now, actor_id, f"import.{kind}", "import", None, source=label, created=result.created,
              updated=result.updated, unchanged=result.unchanged)
        if before_commit is not None:
            session.flush()
            before_commit(session)
    return result



def _position(problem: Problem) -> tuple[str, int]:
    """Problems in file order: by file, then line / record number."""
    match = re.search(r"^(.*), (?:line|record) (\d+)$", problem.where)
    return (match.group(1), int(match.group(2))) if match else (problem.where, 0)


def read_markdown_folder(folder: Path) -> list[Record]:
    """Every ``*.md`` file of the folder (sorted): YAML front matter (title, tags, language), the rest is the body.

    A link in the folder may point to a file in the folder (or below it), never out of it: an import must not read
    whatever file a link happens to name. Anything that is not a regular file is refused; a file too large for an
    article is refused before it is read."""
    import yaml

    root = folder.resolve()
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".md" and not p.is_dir())
    if not files:
        raise FileProblems([Problem(shown_path(folder), None, _("no Markdown files (*.md) in the folder"))])
    records, problems = [], []
    for path in files:
        label = shown_path(path)
        if path.is_symlink() and not path.resolve().is_relative_to(root):
            problems.append(Problem(label, None, _("a link to {value}, outside the folder; links are followed "
                                                   "only inside the folder (copy the file in)").format(
                value=shown_path(path.resolve()))))
            continue
        try:
            text = read_text(path, label, _MARKDOWN_MAX_BYTES,
                             _("the file is too large for an article (at most {limit:,} characters)").format(
                                 limit=limits.TEXT_MAX))
        except FileProblems as exc:
            problems += exc.problems
            continue
        lines = text.split("\n")
        if lines[0].strip() != "---":
            problems.append(Problem(_("{label}, line 1").format(label=label), None, _("no front matter: the file must start with a '---' line, then title/tags/language, then '---'")))
            continue
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
        if end is None:
            problems.append(Problem(_("{label}, line 1").format(label=label), None, _("the front matter is not closed by a '---' line")))
            continue
        try:
            meta = yaml.safe_load("\n".join(lines[1:end])) or {}
        except RecursionError:
            problems.append(Problem(_("{label}, line 2").format(label=label), None, _("front matter is nested too deeply")))
            continue
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 2 if mark is not None else 1
            problems.append(Problem(_("{label}, line {line}").format(label=label, line=line), None,
                                    _("front matter is not valid YAML: {value}").format(
                                        value=getattr(exc, 'problem', None) or exc)))
            continue
        if not isinstance(meta, dict):
            problems.append(Problem(_("{label}, line 2").format(label=label), None, _("front matter must be 'key: value' lines")))
            continue
        meta = {str(k).strip().lower(): v for k, v in meta.items()}
        bad = [(name, surrogate_problem(value)) for name, value in meta.items()]
        for name, message in bad:
            if message:
                problems.append(Problem(_("{label}, line 2").format(label=label), name, message))
        if any(message for _name, message in bad):
            continue
        missing = [name for name in ("title", "language") if name not in meta]
        for name in missing:
            problems.append(Problem(_("{label}, line 1").format(label=label), name, _("missing {name} in the front matter").format(name=repr(name))))
        if missing:
            continue
        body = "\n".join(lines[end + 1:]).strip("\n")
        values = {"slug": path.stem, "title": meta["title"], "tags": meta.get("tags") or "",
                  "language": meta["language"], "body": body,
                  **{name: meta[name] for name in ("public", "queue") if name in meta}}
        records.append(Record(_("{label}, line 1").format(label=label), values))
    if problems:
        raise FileProblems(problems, records)  # the readable files are checked too, to list every problem
    return records
