"""Schemathesis with every check (``--checks all``) against a real server on each database, bounded in examples:
no 500s, answers that match the documented status codes, content types, headers and schemas, invalid data refused,
``Allow`` that matches the schema. What it cannot hold the API to is listed in docs/server.md ("Conformance")."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.server.conftest import prepare_database, start_server

#: Operations the run leaves out (docs/server.md, "Conformance").
EXCLUDED_PATHS = (
    "/api/v1/events",  # a stream that never ends by itself (tested in test_feed)
    "/api/v1/auth/logout",  # would revoke the token the run uses
)
#: Checks the run leaves out (docs/server.md, "Conformance"): schema-valid requests may still break a rule the schema
#: cannot express (an IANA time zone, an e-mail address or phone number, a time between 2000 and 2200, a login
#: without spaces, a case that exists); the API answers them 422 naming the field.
EXCLUDED_CHECKS = ("positive_data_acceptance",)
MAX_EXAMPLES = 10


@pytest.fixture(params=["sqlite", "postgresql"])
def fuzz_server(request, databases, tmp_path):
    url = databases.new(request.param)
    tokens = prepare_database(url)
    # A server with the mail channel set up: without a sender address the mail intake rightly answers 503 (the MTA
    # retries), which the fuzzer's "no server error" check cannot tell from a crash.
    server = start_server(request.param, url, tmp_path, env_extra={"AGENT_CONSOLE_MAIL_FROM": "support@example.com"})
    server.tokens.update(tokens)
    yield server
    server.stop()


def test_generated_requests_conform_to_the_schema_under_every_check(fuzz_server, tmp_path):
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", f"{fuzz_server.base_url}/openapi.json",
        "--checks", "all", "--exclude-checks", ",".join(EXCLUDED_CHECKS),
        "--phases", "examples,coverage,fuzzing", "--max-examples", str(MAX_EXAMPLES), "--workers", "1",
        "--seed", "20261203", "--generation-deterministic", "--request-timeout", "30",
        "--generation-allow-x00", "false",  # NUL characters are refused (422) by design: docs/server.md
        "-H", f"Authorization: Bearer {fuzz_server.tokens['root']}",
        *[arg for path in EXCLUDED_PATHS for arg in ("--exclude-path", path)],
        "--no-color", "--report", "junit", "--report-dir", str(tmp_path),
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-3000:]
    assert " passed" in run.stdout
