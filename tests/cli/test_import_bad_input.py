"""Bad input to ``import`` is refused with a message naming file, line and field — every problem of the file (up to
50), with the server's own limits — and nothing is written; files that are not files are never read; CSV export
neutralises formulas and import reads its own export back exactly."""

from __future__ import annotations

import csv
import io
import json
import os
import threading

import pytest

from agent_console.admin.importer import MAX_PROBLEMS
from agent_console.domain import limits
from tests.cli.test_import_export import CASES_HEADER, count, query, store_digest, write


def case_row(external_id="C-1", email="amy@example.com", channel="email", queue="Billing", priority="high",
             subject="Invoice", body="Hello", created_at="2026-11-20T08:00:00Z") -> str:
    return ",".join([external_id, email, channel, queue, priority, subject, body, created_at]) + "\n"


def case_json(**overrides) -> dict:
    record = {"external_id": "J-1", "customer_email": "amy@example.com", "channel": "chat", "queue": "General",
              "priority": "normal", "subject": "Hi", "body": "Hello", "created_at": "2026-11-20T08:00:00Z"}
    record.update(overrides)
    return record


def refused(result) -> list[str]:
    """The problem lines of a refused import (exit 1, nothing else on the way)."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert "nothing was written" in lines[0], result.output
    return [line.strip() for line in lines[1:]]


@pytest.fixture
def empty_store(cli, store_path):
    assert cli("db", "init").exit_code == 0
    return store_path


# --- every problem, with line and field -----------------------------------------------------------------------------


def test_every_problem_of_every_row_is_listed(cli, empty_store, tmp_path):
    f = write(tmp_path / "cases.csv", CASES_HEADER
              + case_row("C-1", email="nope", channel="fax", created_at="yesterday")
              + case_row("C-2")
              + case_row("", priority="asap", subject=""))
    before = store_digest(empty_store)
    problems = refused(cli("import", "cases", str(f)))
    name = str(f)
    assert problems == [
        f"{name}, line 2: customer_email: invalid e-mail address 'nope'",
        f"{name}, line 2: channel: unknown channel 'fax'; expected one of: "
        "phone, email, chat, social, messenger, web, onsite",
        f"{name}, line 2: created_at: bad date 'yesterday'; expected ISO 8601 like 2026-11-23T09:00:00Z",
        f"{name}, line 4: external_id: empty; a value is required",
        f"{name}, line 4: priority: unknown priority 'asap'; expected one of: urgent, high, normal, low",
        f"{name}, line 4: subject: empty; a value is required",
    ]
    assert store_digest(empty_store) == before


def test_more_than_fifty_problems_are_counted(cli, empty_store, tmp_path):
    assert MAX_PROBLEMS == 50
    rows = "".join(f"Name {i},bad{i},,xx\n" for i in range(40))  # two problems a row: e-mail and language
    f = write(tmp_path / "customers.csv", "name,email,phone,language\n" + rows)
    problems = refused(cli("import", "customers", str(f)))
    assert len(problems) == 51
    assert problems[-1] == "… and 30 more problem(s)"
    assert problems[0].endswith("line 2: email: invalid e-mail address 'bad0'")
    assert problems[1].endswith("line 2: language: unknown language 'xx'; expected one of: de, en")
    assert count(empty_store, "customers") == 0


def test_import_help_lists_the_columns(cli):
    result = cli("import", "cases", "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "cases: external_id, customer_email, channel, queue, priority, subject, body, created_at" in text
    assert "optional: customer_name, customer_phone, language, status, tier, tags, resolved_at" in text
    assert "surveys: case_external_id, csat, nps, ces" in text


# --- dates, nesting, surrogates, huge numbers -------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1899-12-31T23:59:59Z", "2201-01-01T00:00:00Z", "0001-01-01T00:00:00+01:00",
                                   "9999-12-31T23:59:59-01:00", "1900-01-01T00:30:00+01:00"])
def test_dates_outside_1900_to_2200_are_refused_with_the_field(cli, empty_store, tmp_path, value):
    f = write(tmp_path / "cases.csv", CASES_HEADER + case_row(created_at=value))
    problems = refused(cli("import", "cases", str(f)))
    assert problems == [f"{f}, line 2: created_at: '{value}' is outside the years 1900–2200"]


def test_the_first_and_last_allowed_years(cli, empty_store, tmp_path):
    cases = write(tmp_path / "cases.csv", CASES_HEADER + case_row("C-1", created_at="1900-01-01T00:00:00Z")
                  + case_row("C-2", created_at="2000-01-01"))
    assert cli("import", "cases", str(cases)).exit_code == 0
    f = write(tmp_path / "surveys.csv", "case_external_id,csat,nps,ces,created_at\nC-1,5,,,2200-12-31T23:59:59Z\n")
    result = cli("import", "surveys", str(f))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("suffix", ["json", "jsonl"])
def test_deeply_nested_json_is_refused(cli, empty_store, tmp_path, suffix):
    deep = "[" * 100_000 + "]" * 100_000
    text = f'[{{"external_id": {deep}}}]' if suffix == "json" else json.dumps(case_json())[:-1] + \
        f', "extra": {deep}}}\n'
    f = write(tmp_path / f"cases.{suffix}", text)
    problems = refused(cli("import", "cases", str(f)))
    assert len(problems) == 1 and "not valid JSON: arrays or objects nested too deeply" in problems[0]
    assert problems[0].startswith(f"{f}, line 1" if suffix == "jsonl" else f"{f}:")


def test_a_number_too_long_to_convert_is_refused(cli, empty_store, tmp_path):
    f = write(tmp_path / "surveys.jsonl", '{"case_external_id": "X", "csat": ' + "9" * 5000 +
              ', "nps": null, "ces": null}\n')
    problems = refused(cli("import", "surveys", str(f)))
    assert len(problems) == 1 and problems[0].startswith(f"{f}, line 1: not valid JSON")


def test_lone_surrogates_are_refused_naming_the_field(cli, empty_store, tmp_path):
    f = write(tmp_path / "cases.jsonl", json.dumps(case_json(subject="Broken \ud800 text")) + "\n"
              + json.dumps(case_json(external_id="J-2", tags=["ok", "bad\udfff"])) + "\n")
    assert "\\ud800" in f.read_text()
    problems = refused(cli("import", "cases", str(f)))
    assert problems == [
        f"{f}, line 1: subject: contains a lone surrogate (\\ud800 at character 8), which is not a character and "
        "cannot be stored; fix the \\u escapes",
        f"{f}, line 2: tags: contains a lone surrogate (\\udfff at character 4), which is not a character and "
        "cannot be stored; fix the \\u escapes",
    ]
    assert count(empty_store, "cases") == 0


def test_an_object_where_json_needs_text_is_refused(cli, empty_store, tmp_path):
    f = write(tmp_path / "cases.json", json.dumps([case_json(subject={"text": "Hi"}),
                                                   case_json(external_id="J-2", tags=[["nested"]])]))
    problems = refused(cli("import", "cases", str(f)))
    assert problems == [f"{f}, record 1: subject: expected a text, got an object",
                        f"{f}, record 2: tags: expected a text or a list of texts, got a list holding a list"]


# --- limits: the server's, by field ----------------------------------------------------------------------------------


def test_the_server_schemas_use_the_same_limits():
    from agent_console.server import schemas

    def max_length(model, field):
        return next(m.max_length for m in model.model_fields[field].metadata if hasattr(m, "max_length"))

    assert max_length(schemas.ArticleFields, "body") == limits.TEXT_MAX
    assert max_length(schemas.ArticleFields, "title") == limits.ARTICLE_TITLE_MAX
    assert max_length(schemas.IntakeRequest, "subject") == limits.SUBJECT_MAX
    assert max_length(schemas.CannedFields, "shortcut") == limits.SHORTCUT_MAX


def test_a_csv_field_over_the_limit_is_named(cli, empty_store, tmp_path):
    """Longer than the csv module's own field limit (131,072): the message still names line and field."""
    body = "x" * 200_000
    f = write(tmp_path / "cases.csv", CASES_HEADER + case_row("C-1") + case_row("C-2", body=body)
              + case_row("C-3", subject="s" * (limits.SUBJECT_MAX + 1)))
    problems = refused(cli("import", "cases", str(f)))
    assert problems == [f"{f}, line 3: body: too long (200,000 characters; at most 100,000)",
                        f"{f}, line 4: subject: too long (501 characters; at most 500)"]


def test_json_enforces_the_server_limits(cli, empty_store, tmp_path):
    f = write(tmp_path / "kb.jsonl", "\n".join(json.dumps(r) for r in [
        {"slug": "ok", "title": "Fine", "body": "b" * limits.TEXT_MAX, "tags": "", "language": "en"},
        {"slug": "big", "title": "Big", "body": "b" * (limits.TEXT_MAX + 1), "tags": "", "language": "en"},
        {"slug": "tags", "title": "t" * (limits.ARTICLE_TITLE_MAX + 1), "body": "x",
         "tags": ["t" * 1500, "u" * 600], "language": "en"},
    ]) + "\n")
    problems = refused(cli("import", "kb", str(f)))
    assert problems == [f"{f}, line 2: body: too long (100,001 characters; at most 100,000)",
                        f"{f}, line 3: title: too long (301 characters; at most 300)",
                        f"{f}, line 3: tags: too long (2,101 characters; at most 2,000)"]
    assert count(empty_store, "kb_articles") == 0


# --- files that are not files ---------------------------------------------------------------------------------------


def test_a_fifo_is_refused_without_being_read(cli, empty_store, tmp_path):
    fifo = tmp_path / "cases.csv"
    os.mkfifo(fifo)
    # Should the import open the FIFO for reading, this writer lets the open return (and the test fail, not hang).
    writer = threading.Thread(target=lambda: open(fifo, "w").close(), daemon=True)
    writer.start()
    try:
        problems = refused(cli("import", "cases", str(fifo)))
        assert problems == [f"{fifo}: not a regular file but a named pipe (FIFO); give the path of a file"]
    finally:
        if writer.is_alive():  # release the writer: open the FIFO for reading once
            os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
        writer.join()


def test_a_device_or_a_folder_is_refused(cli, empty_store, tmp_path):
    # /dev/null, not /dev/zero: should the check break, reading it ends at once instead of filling the memory.
    problems = refused(cli("import", "cases", "/dev/null", "--format", "csv"))
    assert problems == ["/dev/null: not a regular file but a device; give the path of a file"]
    folder = tmp_path / "cases.csv"
    folder.mkdir()
    problems = refused(cli("import", "cases", str(folder)))
    assert problems == [f"{folder}: not a regular file but a directory; give the path of a file"]


def kb_folder(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    write(folder / "returns.md", "---\ntitle: Returns\nlanguage: en\n---\nWithin 30 days.\n")
    return folder


def test_kb_folder_links_may_not_leave_the_folder(cli, empty_store, tmp_path):
    folder = kb_folder(tmp_path)
    secret = write(tmp_path / "secret.md", "---\ntitle: Secret\nlanguage: en\n---\nnot for the KB\n")
    (folder / "inside.md").symlink_to(folder / "returns.md")
    assert cli("import", "kb", str(folder)).exit_code == 0  # a link inside the folder is followed
    assert count(empty_store, "kb_articles") == 2

    (folder / "leak.md").symlink_to(secret)
    problems = refused(cli("import", "kb", str(folder)))
    assert problems == [f"{folder / 'leak.md'}: a link to {secret}, outside the folder; links are followed only "
                        "inside the folder (copy the file in)"]
    assert query(empty_store, "SELECT slug FROM kb_articles ORDER BY slug") == [("inside",), ("returns",)]


def test_kb_folder_enforces_the_article_size_and_escapes_file_names(cli, empty_store, tmp_path):
    folder = kb_folder(tmp_path)
    write(folder / "huge.md", "---\ntitle: Huge\nlanguage: en\n---\n" + "x" * (limits.TEXT_MAX + 1))
    write(folder / "giant.md", "---\ntitle: Giant\nlanguage: en\n---\n" + "y" * (5 * limits.TEXT_MAX))
    write(folder / "evil\x1b[31m.md", "no front matter")
    problems = refused(cli("import", "kb", str(folder)))
    assert "\x1b" not in "".join(problems)
    assert problems == [
        f"{folder}/evil\\x1b[31m.md, line 1: no front matter: the file must start with a '---' line, then "
        "title/tags/language, then '---'",
        f"{folder}/giant.md: the file is too large for an article (at most 100,000 characters)",
        f"{folder}/huge.md, line 1: body: too long (100,001 characters; at most 100,000)",
    ]


def test_kb_front_matter_with_a_lone_surrogate_is_refused(cli, empty_store, tmp_path):
    folder = kb_folder(tmp_path)
    write(folder / "bad.md", '---\ntitle: "bad \\ud800 title"\nlanguage: en\n---\nbody\n')
    problems = refused(cli("import", "kb", str(folder)))
    assert problems == [f"{folder}/bad.md, line 2: title: contains a lone surrogate (\\ud800 at character 5), which is "
                        "not a character and cannot be stored; fix the \\u escapes"]


# --- CSV export: no formulas, exact round trip ------------------------------------------------------------------------


NASTY = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+2", "-2+3", "@SUM(A1)", "\t=1", "'=quoted", "''=two",
         "'plain", "a=b"]


def test_csv_export_neutralises_formulas_and_reads_back_exactly(cli, empty_store, tmp_path):
    f = write(tmp_path / "customers.jsonl", "".join(
        json.dumps({"name": value, "email": f"n{i}@example.com", "phone": f"+49 30 12345{i}", "language": "en"}) + "\n"
        for i, value in enumerate(NASTY)))
    result = cli("import", "customers", str(f))
    assert result.exit_code == 0, result.output
    names = [n for (n,) in query(empty_store, "SELECT name FROM customers ORDER BY id")]
    assert names == [v.strip() for v in NASTY]  # names lose surrounding blanks on import

    out = tmp_path / "export.csv"
    assert cli("export", "customers", "--out", str(out)).exit_code == 0
    cells = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    for row in cells[1:]:
        for cell in row:
            assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), row
    exported = {row[1]: row[0] for row in cells[1:]}
    assert exported["n0@example.com"] == "'" + NASTY[0]
    assert exported["n5@example.com"] == "''=quoted" and exported["n7@example.com"] == "'plain"
    assert exported["n8@example.com"] == "a=b"
    assert {row[2] for row in cells[1:]} == {f"'+493012345{i}" for i in range(len(NASTY))}

    before = query(empty_store, "SELECT * FROM customers ORDER BY id")
    again = cli("import", "customers", str(out))
    assert "0 created, 0 updated" in again.stdout, again.output
    assert query(empty_store, "SELECT * FROM customers ORDER BY id") == before

    fresh = tmp_path / "fresh.db"
    assert cli("import", "customers", str(out), db=fresh).exit_code == 0
    assert [n for (n,) in query(fresh, "SELECT name FROM customers ORDER BY id")] == names
    assert cli("export", "customers", db=fresh).stdout == cli("export", "customers").stdout


def test_json_export_is_not_prefixed(cli, empty_store, tmp_path):
    f = write(tmp_path / "customers.csv", "name,email,phone,language\n'=x,a@example.com,,en\n")
    assert cli("import", "customers", str(f)).exit_code == 0
    assert query(empty_store, "SELECT name FROM customers") == [("=x",)]
    exported = json.loads(cli("export", "customers", "--format", "json").stdout)
    assert exported[0]["name"] == "=x"
