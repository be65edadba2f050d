"""Reading and writing record files (CSV, JSON, JSONL) for import and export, with precise error locations.

Locations: a CSV record is named by the line it starts on (the header is line 1); a JSONL record by its line; a JSON
record by its position in the top-level array ("record 1" is the first). Files must be UTF-8 (a BOM is accepted).

CSV cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return) are written with a ``'`` in front, and reading takes exactly that ``'`` off again (``protect_cell`` and
``unprotect_cell``), so what export writes, import reads back unchanged.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from agent_console.domain.limits import EARLIEST_YEAR, LATEST_YEAR
from agent_console.i18n import N_, _

FORMATS = ("csv", "json", "jsonl")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where, which field, what."""

    where: str
    field: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.field}: {self.message}" if self.field else f"{self.where}: {self.message}"


class BadValue(ValueError):
    """Raised by field validators; the reader adds the location."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class BadValues(ValueError):
    """Several fields of one record are wrong (each a BadValue)."""

    def __init__(self, problems: list[BadValue]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


def quoted(value: str, limit: int = 60) -> str:
    """A value for a message: quoted with control characters escaped (``repr``), and shortened when long."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


@dataclass
class Record:
    where: str
    values: dict[str, Any]


class FileProblems(Exception):
    def __init__(self, problems: list[Problem], records: list[Record] | None = None) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems
        #: The records that could be read despite the problems (None: the file as a whole is unusable).
        self.records = records


class ImportFailed(Exception):
    """Nothing was written; ``problems`` says why (at most ``MAX_PROBLEMS``; ``more`` counts the rest)."""

    def __init__(self, label: str, problems: list[Problem], more: int = 0) -> None:
        self.label = label
        self.problems = problems
        self.more = more
        lines = [_("import of {file} failed; nothing was written:").format(file=label)]
        lines += [f"  {p}" for p in problems]
        if more:
            lines.append("  " + _("… and {count} more problem(s)").format(count=more))
        super().__init__("\n".join(lines))


def format_for(path: Path, given: str | None) -> str:
    """``--format`` if given, else by suffix (.csv, .json, .jsonl/.ndjson)."""
    if given:
        fmt = given.strip().lower()
        if fmt not in FORMATS:
            raise FileProblems([Problem(str(path), None, _("unknown format {given}; expected csv, json or jsonl").format(
                given=repr(given)))])
        return fmt
    suffix = path.suffix.lower().lstrip(".")
    if suffix == "ndjson":
        return "jsonl"
    if suffix in FORMATS:
        return suffix
    raise FileProblems([Problem(str(path), None, _("cannot tell the format from the suffix {value}; pass "
                                                   "--format csv, json or jsonl").format(
        value=repr(path.suffix or '(none)')))])


def read_text(path: Path, label: str, max_bytes: int | None = None, too_large: str = "") -> str:
    """The file's text: UTF-8 (BOM accepted), or a problem naming the line of the first bad byte.

    Only a regular file is read: a FIFO, a device or a directory is refused (it is opened without blocking and
    checked before a byte is read, so a FIFO cannot hang the import and ``/dev/zero`` cannot fill the memory).
    ``max_bytes`` refuses larger files with the message ``too_large``.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise FileProblems([Problem(label, None, _("cannot read the file: {value}").format(
            value=exc.strerror or exc))]) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FileProblems([Problem(label, None, _("not a regular file but {value}; give the path of a file").format(
                value=_file_type(info.st_mode)))])
        if max_bytes is not None and info.st_size > max_bytes:
            too_large = too_large or _("the file is too large ({size:,} bytes; at most {limit:,})").format(
                size=info.st_size, limit=max_bytes)
            raise FileProblems([Problem(label, None, too_large)])
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read()
    except OSError as exc:
        raise FileProblems([Problem(label, None, _("cannot read the file: {value}").format(
            value=exc.strerror or exc))]) from None
    finally:
        os.close(fd)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileProblems([Problem(
            _("{label}, line {line}").format(label=label, line=line), None,
            _("not UTF-8 text (byte 0x{value:02x} at offset {start}); save the file as UTF-8").format(
                value=data[exc.start], start=exc.start),
        )]) from None
    if not text.strip():
        raise FileProblems([Problem(label, None, _("the file is empty"))])
    return text


def _file_type(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def read_records(path: Path, fmt: str, required: Iterable[str], label: str | None = None,
                 known: Iterable[str] = ()) -> list[Record]:
    """All records of a file; raises FileProblems for problems of the file as a whole (encoding, syntax, columns).

    Problems of single records (a CSV row with the wrong number of values, a JSONL line that is not JSON, a
    missing field) are raised together, with ``records`` set to the good ones, so the caller can check those too
    and report everything at once. In JSON, the ``required`` and ``known`` fields must hold a text, a number, a
    boolean or a list of those (not an object), and no string anywhere may hold a lone surrogate (``\\ud800``).
    """
    label = label or str(path)
    text = read_text(path, label)
    required = list(required)
    if fmt == "csv":
        return _read_csv(text, required, label)
    fields = set(required) | set(known)
    if fmt == "json":
        return _read_json(text, required, label, fields)
    return _read_jsonl(text, required, label, fields)


def _read_csv(text: str, required: list[str], label: str) -> list[Record]:
    # A field may be as long as the file: the field checks, not the csv module, say which one is too long.
    previous_limit = csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    try:
        return _read_csv_rows(text, required, label)
    finally:
        csv.field_size_limit(previous_limit)


def _read_csv_rows(text: str, required: list[str], label: str) -> list[Record]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise FileProblems([Problem(_("{label}, line 1").format(label=label), None, _("not valid CSV: {exc}").format(exc=exc))]) from None
    columns = [name.strip().lower() for name in header]
    problems = []
    seen = set()
    for name in columns:
        if name in seen:
            problems.append(Problem(_("{label}, line 1").format(label=label), name, _("column appears twice in the header")))
        seen.add(name)
    missing = [name for name in required if name not in seen]
    for name in missing:
        problems.append(Problem(_("{label}, line 1").format(label=label), name,
                                _("missing column {name} (required: {value})").format(
                                    name=repr(name), value=', '.join(required))))
    if problems:
        raise FileProblems(problems)
    records = []
    line = reader.line_num
    while True:
        start = line + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            # The rest of the file cannot be split into records; the records before this line are still checked.
            problems.append(Problem(_("{label}, line {line_num}").format(label=label, line_num=reader.line_num), None, _("not valid CSV: {exc}").format(exc=exc)))
            raise FileProblems(problems, records) from None
        line = reader.line_num
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            problems.append(Problem(_("{label}, line {start}").format(label=label, start=start), None,
                                    _("{count} values, but the header has {count2} columns").format(
                                        count=len(row), count2=len(columns))))
            continue
        records.append(Record(_("{label}, line {start}").format(
            label=label, start=start), dict(zip(columns, map(unprotect_cell, row)))))
    if problems:
        raise FileProblems(problems, records)
    if not records:
        raise FileProblems([Problem(label, None, _("no records (only a header)"))])
    return records


_SURROGATE = re.compile("[\ud800-\udfff]")
_JSON_TYPES = {dict: N_("an object"), list: N_("a list"), str: N_("a text"), bool: N_("a boolean"),
               int: N_("a number"), float: N_("a number"), type(None): N_("null")}
TOO_DEEP = N_("arrays or objects nested too deeply")


def surrogate_problem(value: Any, depth: int = 0) -> str | None:
    """Where a value (or something inside it) holds a lone surrogate, which no store can encode."""
    if isinstance(value, str):
        match = _SURROGATE.search(value)
        if match:
            return _("contains a lone surrogate ({escape} at character {position}), which is not a character and "
                     "cannot be stored; fix the \\u escapes").format(escape=f"\\u{ord(match.group()):04x}",
                                                                     position=match.start() + 1)
    elif isinstance(value, (list, dict)) and depth < 50:
        items = value.values() if isinstance(value, dict) else value
        for item in items:
            found = surrogate_problem(item, depth + 1)
            if found:
                return found
    return None


def _shape_problem(value: Any) -> str | None:
    """A known field holds a text, number, boolean or null — or a list of those (tags, queues, skills)."""
    if isinstance(value, dict):
        return _("expected a text, got an object")
    if isinstance(value, list):
        for item in value:
            if isinstance(item, (dict, list)):
                return _("expected a text or a list of texts, got a list holding {kind}").format(
                    kind=_(_JSON_TYPES[type(item)]))
    return None


def _check_fields(where: str, obj: Any, required: list[str],
                  fields: set[str] = frozenset()) -> tuple[dict | None, list[Problem]]:
    if not isinstance(obj, dict):
        return None, [Problem(where, None, _("expected an object with fields, got {value}").format(
            value=type(obj).__name__))]
    values = {str(k).strip().lower(): v for k, v in obj.items()}
    missing = [name for name in required if name not in values]
    problems = [Problem(where, name, _("missing field {name}").format(name=repr(name))) for name in missing]
    for name, value in values.items():
        found = surrogate_problem(value) or (_shape_problem(value) if name in fields else None)
        if found:
            problems.append(Problem(where, name, found))
    return values, problems


def _parse_json(text: str):
    """json.loads; deep nesting (RecursionError) and numbers too long to convert are refused like bad syntax."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError(_(TOO_DEEP)) from None


def _read_json(text: str, required: list[str], label: str, fields: set[str] = frozenset()) -> list[Record]:
    try:
        data = _parse_json(text)
    except json.JSONDecodeError as exc:
        raise FileProblems([Problem(_("{label}, line {lineno}").format(label=label, lineno=exc.lineno), None,
                                    _("not valid JSON: {msg} (column {colno})").format(
                                        msg=exc.msg, colno=exc.colno))]) from None
    except ValueError as exc:
        raise FileProblems([Problem(label, None, _("not valid JSON: {exc}").format(exc=exc))]) from None
    if isinstance(data, dict) and len(data) == 1 and isinstance(next(iter(data.values())), list):
        data = next(iter(data.values()))
    if not isinstance(data, list):
        raise FileProblems([Problem(label, None, _("expected a JSON array of objects"))])
    if not data:
        raise FileProblems([Problem(label, None, _("no records (an empty array)"))])
    records, problems = [], []
    for index, obj in enumerate(data, 1):
        where = _("{label}, record {index}").format(label=label, index=index)
        values, found = _check_fields(where, obj, required, fields)
        problems += found
        if values is not None and not found:
            records.append(Record(where, values))
    if problems:
        raise FileProblems(problems, records)
    return records


def _read_jsonl(text: str, required: list[str], label: str, fields: set[str] = frozenset()) -> list[Record]:
    records, problems = [], []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        where = _("{label}, line {line}").format(label=label, line=number)
        try:
            obj = _parse_json(line)
        except json.JSONDecodeError as exc:
            problems.append(Problem(where, None, _("not valid JSON: {msg} (column {colno})").format(
                msg=exc.msg, colno=exc.colno)))
            continue
        except ValueError as exc:
            problems.append(Problem(where, None, _("not valid JSON: {exc}").format(exc=exc)))
            continue
        values, found = _check_fields(where, obj, required, fields)
        problems += found
        if values is not None and not found:
            records.append(Record(where, values))
    if problems:
        raise FileProblems(problems, records)
    if not records:
        raise FileProblems([Problem(label, None, _("no records"))])
    return records


# --- values -------------------------------------------------------------------------------------------------------


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(as_text(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_datetime(value: Any, field: str) -> datetime:
    text = as_text(value).strip()
    if not text:
        raise BadValue(field, _("empty; expected a date and time like 2026-11-23T09:00:00Z"))
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise BadValue(field, _("bad date {text}; expected ISO 8601 like 2026-11-23T09:00:00Z").format(
            text=quoted(text))) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)  # naive times in a file are UTC
    try:
        parsed = parsed.astimezone(timezone.utc)
    except OverflowError:  # year 1 or 9999 with an offset
        parsed = None
    if parsed is None or not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
        raise BadValue(field, _("{text} is outside the years {EARLIEST_YEAR}–{LATEST_YEAR}").format(
            text=quoted(text), EARLIEST_YEAR=EARLIEST_YEAR, LATEST_YEAR=LATEST_YEAR))
    return parsed


def parse_bool(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    text = as_text(value).strip().lower()
    if text in ("", "0", "false", "no", "n"):
        return False
    if text in ("1", "true", "yes", "y"):
        return True
    raise BadValue(field, _("{text} is not true/false").format(text=quoted(text)))


def parse_int(value: Any, field: str, low: int, high: int, *, optional: bool = False) -> int | None:
    text = as_text(value).strip()
    if not text and optional:
        return None
    try:
        number = int(text)
    except ValueError:
        raise BadValue(field, _("{text} is not a whole number from {low} to {high}").format(
            text=quoted(text), low=low, high=high)) from None
    if not low <= number <= high:
        raise BadValue(field, _("{number} is out of range; expected {low}–{high}").format(
            number=number, low=low, high=high))
    return number


def format_datetime(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


# --- writing ------------------------------------------------------------------------------------------------------

#: What a spreadsheet may take for the start of a formula (OWASP "CSV injection"): such a cell gets a leading "'".
FORMULA_START = "=+-@\t\r"
_PROTECTED = re.compile("'+[" + re.escape(FORMULA_START) + "]")


def protect_cell(value: str) -> str:
    """A text cell for CSV: a ``'`` in front when it starts like a formula — or with ``'`` characters followed by a
    formula start, so that ``unprotect_cell`` can tell an added ``'`` from one that was in the value."""
    if value and (value[0] in FORMULA_START or _PROTECTED.match(value)):
        return "'" + value
    return value


def unprotect_cell(cell: str) -> str:
    """The inverse of ``protect_cell``: one leading ``'`` comes off a cell of ``'`` characters then a formula start."""
    return cell[1:] if _PROTECTED.match(cell) else cell



def write_records(out: io.TextIOBase, fmt: str, columns: list[str], rows: Iterable[dict]) -> int:
    """Write rows (dicts with typed values) as CSV, a JSON array or JSONL; returns the number written."""
    count = 0
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([protect_cell(v) if isinstance(v, str) else as_text(v)
                             for v in (row.get(c) for c in columns)])
            count += 1
    elif fmt == "jsonl":
        for row in rows:
            out.write(json.dumps({c: row.get(c) for c in columns}, ensure_ascii=False) + "\n")
            count += 1
    else:
        out.write("[")
        for row in rows:
            out.write(("\n  " if count == 0 else ",\n  ") + json.dumps({c: row.get(c) for c in columns},
                                                                    ensure_ascii=False))
            count += 1
        out.write("\n]\n" if count else "]\n")
    return count
