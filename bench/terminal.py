"""The console as an agent sees it: the real binary on a pseudo-terminal, timed from key bytes to frame bytes.

A headless Textual app (``run_test``) composes frames but never turns them into terminal output, so in-process probes
miss the last step of every update. Here the parent process plays the terminal: it writes the bytes a key sends,
reads what the console writes back, and answers the one query that matters — synchronized output (mode 2026), which
real terminals such as kitty, WezTerm, foot, iTerm2 and recent xterm/VTE support — so every frame arrives between
``ESC[?2026h`` and ``ESC[?2026l`` and "the frame is on the terminal" is an exact, observable moment.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import termios
import time

SYNC_QUERY = b"\x1b[?2026$p"
SYNC_SUPPORTED = b"\x1b[?2026;2$y"
FRAME_END = b"\x1b[?2026l"

KEYS = {"down": b"\x1b[B", "up": b"\x1b[A", "ctrl+q": b"\x11", "escape": b"\x1b"}


class Terminal:
    """A child process on a pseudo-terminal of ``size`` (columns, rows)."""

    def __init__(self, argv: list[str], size: tuple[int, int], env: dict[str, str]) -> None:
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # the child: give the terminal its size before the console asks for it
            columns, rows = size
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
            os.execve(argv[0], argv, env)
        self.pid = pid
        self.fd = fd
        self.output = bytearray()
        self.frames = 0
        self._scan_from = 0

    def send(self, data: bytes) -> float:
        os.write(self.fd, data)
        return time.perf_counter()

    def read(self, timeout: float) -> bool:
        """Read what is there (waiting up to ``timeout`` s for something); False once the child has gone."""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 1 << 16)
        except OSError:  # EIO: the child closed the terminal
            return False
        if not chunk:
            return False
        self.output += chunk
        # A sequence may be split across reads: rescan a little of what came before.
        tail = bytes(self.output[max(0, self._scan_from - 16):])
        if SYNC_QUERY in tail:
            os.write(self.fd, SYNC_SUPPORTED)
        self.frames = self.output.count(FRAME_END)
        self._scan_from = len(self.output)
        return True

    def wait_for(self, condition, timeout: float, what: str) -> float:
        """Read until ``condition()`` holds; the time it first held."""
        deadline = time.perf_counter() + timeout
        while not condition():
            if time.perf_counter() > deadline:
                raise TimeoutError(f"the console never showed {what} ({len(self.output)} bytes read)")
            if not self.read(0.05):
                raise RuntimeError(f"the console exited before showing {what}: {self.tail()}")
        return time.perf_counter()

    def frame_with(self, pattern: re.Pattern[bytes], since: int) -> bool:
        """A complete frame written after byte ``since`` contains ``pattern``."""
        end = self.output.rfind(FRAME_END)
        return end > since and pattern.search(self.output, since, end) is not None

    def key_to_frame(self, key: bytes, timeout: float = 10.0, pattern: re.Pattern[bytes] | None = None
                     ) -> float:
        """Milliseconds from writing ``key`` until the next complete frame (containing ``pattern``, if given) was
        read back."""
        mark = len(self.output)
        frames = self.frames
        sent = self.send(key)
        if pattern is None:
            done = self.wait_for(lambda: self.frames > frames, timeout, f"a frame after {key!r}")
        else:
            done = self.wait_for(lambda: self.frame_with(pattern, mark), timeout, f"{pattern.pattern!r}")
        return (done - sent) * 1000

    def idle(self, seconds: float) -> None:
        """Keep reading (the console must never block on a full terminal) for ``seconds``."""
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            self.read(max(0.0, deadline - time.perf_counter()))

    def rss_mb(self) -> float:
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return float("nan")

    def cpu_seconds(self, ui_thread_only: bool = False) -> float:
        """CPU time the console has used so far (all its threads, or only its main thread — the UI's event loop):
        its work, whatever else runs on the machine."""
        where = f"/proc/{self.pid}/task/{self.pid}/stat" if ui_thread_only else f"/proc/{self.pid}/stat"
        with open(where) as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def tail(self) -> str:
        return bytes(self.output[-600:]).decode("utf-8", "replace")

    def close(self, quit_key: bytes = KEYS["ctrl+q"], timeout: float = 10.0) -> None:
        try:
            self.send(quit_key)
            deadline = time.perf_counter() + timeout
            while time.perf_counter() < deadline:
                if not self.read(0.05):
                    break
                finished, _status = os.waitpid(self.pid, os.WNOHANG)
                if finished:
                    break
            else:
                os.kill(self.pid, signal.SIGKILL)
        finally:
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:
                pass
            os.close(self.fd)
