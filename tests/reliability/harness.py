"""Real processes and servers for fault tests: `confledger` subprocesses that can be killed with
SIGKILL, an in-process uvicorn server, and waiting on a condition without blind sleeps.

Subprocesses run from the repository root with it on `PYTHONPATH`, so they import the code under
test whether or not the package is installed; their output goes to a file the test can read.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI

ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT = 60.0
CONFLEDGER = ["-c", "from api.cli import app; app()"]  # what the console script runs


def crash_at(point: str) -> list[str]:
    """The launcher that runs `confledger` and stops dead at `point` (see `crashpoint`)."""
    return ["-m", "tests.reliability.crashpoint", point]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(condition: Callable[[], bool], timeout: float, what: str,
               interval: float = 0.01) -> None:
    """Poll `condition` until it holds; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


class Process:
    """A `confledger` command in its own process, killable with SIGKILL.

    `args` is the launcher (`CONFLEDGER` or `crash_at(point)`) followed by the command's arguments.
    """

    def __init__(self, args: list[str], env: dict[str, str], log: Path):
        self.log = log
        self._output = log.open("ab")
        environment = os.environ | env | {"PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
        self.popen = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=environment,
                                      stdout=self._output, stderr=subprocess.STDOUT)

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL: no shutdown handler, no flush, no rollback by the process itself."""
        if self.alive:
            self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(10)
        self._output.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


class Server(Process):
    """`confledger serve` on a free port, started by `launcher`; ready when /healthz answers."""

    def __init__(self, launcher: list[str], env: dict[str, str], log: Path):
        self.port = free_port()
        super().__init__([*launcher, "serve", "--port", str(self.port)], env, log)
        self.base_url = f"http://127.0.0.1:{self.port}"
        wait_until(self._healthy, STARTUP_TIMEOUT, f"the server on port {self.port}", 0.05)

    def _healthy(self) -> bool:
        if not self.alive:
            raise AssertionError(f"the server exited early:\n{self.output()[-3000:]}")
        try:
            return httpx.get(self.base_url + "/healthz", timeout=1).status_code == 200
        except httpx.TransportError:
            return False


@contextmanager
def serving(app: FastAPI, *, log_level: str = "warning") -> Iterator[str]:
    """Serve `app` with uvicorn in a thread of this process on a free port; yield its base URL."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level=log_level,
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, name="reliability-test-server", daemon=True)
    thread.start()
    wait_until(lambda: server.started or not thread.is_alive(), STARTUP_TIMEOUT, "uvicorn")
    if not server.started:
        raise AssertionError("the in-process server did not start")
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
