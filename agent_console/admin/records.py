"""Reading and writing record files (CSV, JSON, JSONL) for import and export, with precise error locations.

Locations: a CSV record is named by the line it starts on (the header is line 1); a JSONL record by its line; a JSON
record by its position in the top-level array ("record 1" is the first). Files must be UTF-8 (a BOM is accepted).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

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


def format_for(path: Path, given: str | None) -> str:
    """``--format`` if given, else by suffix (.csv, .json, .jsonl/.ndjson)."""
    if given:
        fmt = given.strip().lower()
        if fmt not in FORMATS:
            raise FileProblems([Problem(str(path), None, f"unknown format {given!r}; expected csv, json or jsonl")])
        return fmt
    suffix = path.suffix.lower().lstrip(".")
    if suffix == "ndjson":
        return "jsonl"
    if suffix in FORMATS:
        return suffix
    raise FileProblems([Problem(str(path), None, f"cannot tell the format from the suffix {path.suffix or '(none)'!r}; "
                                                 "pass --format csv, json or jsonl")])


def read_text(path: Path, label: str) -> str:
    """The file's text: UTF-8 (BOM accepted), or a problem naming the line of the first bad byte."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FileProblems([Problem(label, None, f"cannot read the file: {exc.strerror or exc}")]) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileProblems([Problem(
            f"{label}, line {line}", None,
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); save the file as UTF-8",
        )]) from None
    if not text.strip():
        raise FileProblems([Problem(label, None, "the file is empty")])
    return text


def read_records(path: Path, fmt: str, required: Iterable[str], label: str | None = None) -> list[Record]:
    """All records of a file; raises FileProblems for problems of the file as a whole (encoding, syntax, columns).

    Problems of single records (a CSV row with the wrong number of values, a JSONL line that is not JSON, a
    missing field) are raised together, with ``records`` set to the good ones, so the caller can check those too
    and report everything at once.
    """
    label = label or str(path)
    text = read_text(path, label)
    required = list(required)
    if fmt == "csv":
        return _read_csv(text, required, label)
    if fmt == "json":
        return _read_json(text, required, label)
    return _read_jsonl(text, required, label)


def _read_csv(text: str, required: list[str], label: str) -> list[Record]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise FileProblems([Problem(f"{label}, line 1", None, f"not valid CSV: {exc}")]) from None
    columns = [name.strip().lower() for name in header]
    problems = []
    seen = set()
    for name in columns:
        if name in seen:
            problems.append(Problem(f"{label}, line 1", name, "column appears twice in the header"))
        seen.add(name)
    missing = [name for name in required if name not in seen]
    for name in missing:
        problems.append(Problem(f"{label}, line 1", name,
                                f"missing column {name!r} (required: {', '.join(required)})"))
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
            raise FileProblems([Problem(f"{label}, line {reader.line_num}", None, f"not valid CSV: {exc}")]) from None
        line = reader.line_num
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            problems.append(Problem(f"{label}, line {start}", None,
                                    f"{len(row)} values, but the header has {len(columns)} columns"))
            continue
        records.append(Record(f"{label}, line {start}", dict(zip(columns, row))))
    if problems:
        raise FileProblems(problems, records)
    if not records:
        raise FileProblems([Problem(label, None, "no records (only a header)")])
    return records


def _check_fields(where: str, obj: Any, required: list[str]) -> tuple[dict | None, list[Problem]]:
    if not isinstance(obj, dict):
        return None, [Problem(where, None, f"expected an object with fields, got {type(obj).__name__}")]
    values = {str(k).strip().lower(): v for k, v in obj.items()}
    missing = [name for name in required if name not in values]
    return values, [Problem(where, name, f"missing field {name!r}") for name in missing]


def _read_json(text: str, required: list[str], label: str) -> list[Record]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileProblems([Problem(f"{label}, line {exc.lineno}", None,
                                    f"not valid JSON: {exc.msg} (column {exc.colno})")]) from None
    if isinstance(data, dict) and len(data) == 1 and isinstance(next(iter(data.values())), list):
        data = next(iter(data.values()))
    if not isinstance(data, list):
        raise FileProblems([Problem(label, None, "expected a JSON array of objects")])
    if not data:
        raise FileProblems([Problem(label, None, "no records (an empty array)")])
    records, problems = [], []
    for index, obj in enumerate(data, 1):
        where = f"{label}, record {index}"
        values, found = _check_fields(where, obj, required)
        problems += found
        if values is not None and not found:
            records.append(Record(where, values))
    if problems:
        raise FileProblems(problems, records)
    return records


def _read_jsonl(text: str, required: list[str], label: str) -> list[Record]:
    records, problems = [], []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        where = f"{label}, line {number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(Problem(where, None, f"not valid JSON: {exc.msg} (column {exc.colno})"))
            continue
        values, found = _check_fields(where, obj, required)
        problems += found
        if values is not None and not found:
            records.append(Record(where, values))
    if problems:
        raise FileProblems(problems, records)
    if not records:
        raise FileProblems([Problem(label, None, "no records")])
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
        raise BadValue(field, "empty; expected a date and time like 2026-11-23T09:00:00Z")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise BadValue(field, f"bad date {text!r}; expected ISO 8601 like 2026-11-23T09:00:00Z") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)  # naive times in a file are UTC
    return parsed.astimezone(timezone.utc)


def parse_bool(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    text = as_text(value).strip().lower()
    if text in ("", "0", "false", "no", "n"):
        return False
    if text in ("1", "true", "yes", "y"):
        return True
    raise BadValue(field, f"{text!r} is not true/false")


def parse_int(value: Any, field: str, low: int, high: int, *, optional: bool = False) -> int | None:
    text = as_text(value).strip()
    if not text and optional:
        return None
    try:
        number = int(text)
    except ValueError:
        raise BadValue(field, f"{text!r} is not a whole number from {low} to {high}") from None
    if not low <= number <= high:
        raise BadValue(field, f"{number} is out of range; expected {low}–{high}")
    return number


def format_datetime(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


# --- writing ------------------------------------------------------------------------------------------------------


def write_records(out: io.TextIOBase, fmt: str, columns: list[str], rows: Iterable[dict]) -> int:
    """Write rows (dicts with typed values) as CSV, a JSON array or JSONL; returns the number written."""
    count = 0
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([as_text(row.get(c)) for c in columns])
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
