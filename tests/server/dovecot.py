"""Start a throw-away Dovecot IMAP server for the mail tests (and for trying ``mail fetch`` by hand).

Like ``pg.py`` does for PostgreSQL: the server runs from a temporary directory with a configuration of its own (no
system config is read), as an unprivileged account — the current user, or ``nobody`` through ``runuser`` when the
tests run as root. It listens on 127.0.0.1 on random ports: plain IMAP (STARTTLS offered) and IMAPS, both with a
self-signed certificate made by ``openssl``. Users and their passwords come from a passwd-file; mail is kept in
maildirs under the temporary directory.
"""

from __future__ import annotations

import grp
import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path


class DovecotUnavailable(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def find_dovecot() -> Path:
    for candidate in (shutil.which("dovecot"), "/usr/sbin/dovecot"):
        if candidate and Path(candidate).exists():
            return Path(candidate)
    raise DovecotUnavailable("Dovecot is not installed (no dovecot binary); scripts/test installs dovecot-imapd")


CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = 0
first_valid_gid = 0
auth_mechanisms = plain login
disable_plaintext_auth = no
{ssl}
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/passwd
  default_fields = uid={user} gid={group} home={root}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    {imaps_ssl}
  }}
}}
service anvil {{
  chroot =
}}
service auth {{
  user = {user}
}}
service auth-worker {{
  user = {user}
}}
{capability}
"""


@dataclass
class DovecotServer:
    binary: Path
    root: Path
    imap_port: int
    imaps_port: int
    user: str  # the account Dovecot runs as
    run_as: str | None  # runuser -u this, when we are root
    users: dict[str, str] = field(default_factory=dict)
    #: Overrides the capabilities Dovecot announces (e.g. without MOVE or IDLE), empty: its own.
    capability: str = ""
    #: False: no TLS at all (no STARTTLS, no IMAPS listener) — a server a client must refuse to send a password to.
    tls: bool = True
    process: subprocess.Popen | None = None

    @property
    def config_file(self) -> Path:
        return self.root / "dovecot.conf"

    @property
    def certificate(self) -> Path:
        """The self-signed certificate: what a client trusts (``SSL_CERT_FILE``) to talk to this server."""
        return self.root / "cert.pem"

    @property
    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def url(self, login: str, *, scheme: str = "imaps", mailbox: str = "INBOX") -> str:
        port = self.imaps_port if scheme == "imaps" else self.imap_port
        return f"{scheme}://{login}@127.0.0.1:{port}/{mailbox}"

    def _write_config(self) -> None:
        account = pwd.getpwnam(self.user)
        group = grp.getgrgid(account.pw_gid).gr_name
        capability = f"imap_capability = {self.capability}" if self.capability else ""
        if self.tls:
            ssl = f"ssl = yes\nssl_cert = <{self.root}/cert.pem\nssl_key = <{self.root}/key.pem"
            imaps_ssl = "ssl = yes"
        else:
            ssl, imaps_ssl = "ssl = no", ""
        self.config_file.write_text(CONFIG.format(root=self.root, user=self.user, group=group,
                                                  imap_port=self.imap_port, imaps_port=self.imaps_port,
                                                  capability=capability, ssl=ssl, imaps_ssl=imaps_ssl))
        lines = [f"{login}:{password}::::::" for login, password in self.users.items()]
        (self.root / "passwd.new").write_text("\n".join(lines) + "\n")
        os.replace(self.root / "passwd.new", self.root / "passwd")
        self._give_to_server_account()

    def _give_to_server_account(self) -> None:
        if self.run_as is None:
            return
        account = pwd.getpwnam(self.run_as)
        for directory, _dirs, files in os.walk(self.root):
            os.chown(directory, account.pw_uid, account.pw_gid)
            for name in files:
                os.chown(os.path.join(directory, name), account.pw_uid, account.pw_gid)

    def start(self) -> None:
        self._write_config()
        command = [str(self.binary), "-F", "-c", str(self.config_file)]
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.process.stdout.read().decode(errors="replace") if self.process.stdout else ""
                raise DovecotUnavailable(f"dovecot exited with {self.process.returncode}: {output.strip()} "
                                         f"{self.log[-2000:]}")
            if _accepts(self.imap_port) and (not self.tls or _accepts(self.imaps_port)):
                return
            time.sleep(0.05)
        self.stop()
        raise DovecotUnavailable(f"dovecot did not listen within 30 s: {self.log[-2000:]}")

    def restart(self, *, capability: str | None = None) -> None:
        """Stop and start again on the same ports and maildirs (optionally announcing other capabilities)."""
        self.stop(keep_files=True)
        if capability is not None:
            self.capability = capability
        self.start()

    def stop(self, *, keep_files: bool = False) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.process is not None and self.process.stdout:
            self.process.stdout.close()
        self.process = None
        # The children (imap, auth …) may outlive the master by a moment: wait until the ports are free again.
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and (_accepts(self.imap_port) or _accepts(self.imaps_port)):
            time.sleep(0.05)
        if not keep_files:
            shutil.rmtree(self.root, ignore_errors=True)

    # The test's own mail client: what a sender's server does (APPEND) and what a person sees in the mailbox.

    def connect(self, login: str) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=30)
        client.login(login, self.users[login])
        return client

    def append(self, login: str, raw: bytes, mailbox: str = "INBOX") -> None:
        client = self.connect(login)
        try:
            client.create(mailbox)  # an existing mailbox only answers NO
            status, answer = client.append(mailbox, None, None, raw)
            assert status == "OK", answer
        finally:
            client.logout()

    def message_ids(self, login: str, mailbox: str = "INBOX") -> list[str]:
        """The Message-ID header of each message in ``mailbox``, in order (empty when it does not exist)."""
        client = self.connect(login)
        try:
            status, _ = client.select(f'"{mailbox}"', readonly=True)
            if status != "OK":
                return []
            status, data = client.uid("SEARCH", None, "ALL")
            uids = data[0].split()
            found = []
            for uid in uids:
                _, parts = client.uid("FETCH", uid, "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
                header = parts[0][1].decode().strip()
                found.append(header.split(":", 1)[1].strip() if ":" in header else "")
            return found
        finally:
            client.logout()


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _make_certificate(root: Path) -> None:
    try:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", str(root / "key.pem"), "-out", str(root / "cert.pem")],
                       check=True, capture_output=True, timeout=60)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise DovecotUnavailable(f"cannot make a self-signed certificate with openssl: {exc}") from exc


def start_dovecot(users: dict[str, str], *, capability: str = "", tls: bool = True) -> DovecotServer:
    """A running Dovecot with these users (login -> password). They are all given here: Dovecot notices a change
    of its passwd-file by the file's mtime in whole seconds, so a user added later may not log in at once."""
    binary = find_dovecot()
    root = Path(tempfile.mkdtemp(prefix="agent-console-dovecot-"))
    run_as = None
    user = pwd.getpwuid(os.geteuid()).pw_name
    if os.geteuid() == 0:
        run_as = user = "nobody"
        try:
            pwd.getpwnam(user)
        except KeyError:
            shutil.rmtree(root, ignore_errors=True)
            raise DovecotUnavailable("running as root and there is no unprivileged account `nobody` to run Dovecot")
    for sub in ("run", "state", "home"):
        (root / sub).mkdir()
    os.chmod(root, 0o755)
    try:
        _make_certificate(root)
        server = DovecotServer(binary, root, free_port(), free_port(), user, run_as, dict(users),
                              capability=capability, tls=tls)
        server.start()
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return server


if __name__ == "__main__":  # start one by hand: python tests/server/dovecot.py
    server = start_dovecot({"support": "secret"})
    print(server.url("support"), "password: secret", server.root, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
