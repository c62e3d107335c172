"""The processes a benchmark drives: the API under uvicorn and `confledger project`.

Both run as subprocesses on the store under test, configured only through `CONFLEDGER_*`
variables, so what is measured is what a deployment runs. `app()` is the uvicorn factory: the API
without projector threads (the benchmark runs projectors itself, or as a separate process).
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

import httpx
from fastapi import FastAPI

from api.app import create_app
from api.settings import Settings

TOKEN = "confledger-bench-bootstrap-token"
START_TIMEOUT = 60.0


def app() -> FastAPI:
    """The API as `confledger serve` builds it, minus the projector threads."""
    return create_app(Settings(), projectors=False)


def environment(database_url: str) -> dict[str, str]:
    return os.environ | {"CONFLEDGER_DATABASE_URL": database_url,
                         "CONFLEDGER_BOOTSTRAP_TOKEN": TOKEN}


class Child:
    """A subprocess with its output in a log file; stopped (and reaped) on exit."""

    def __init__(self, command: list[str], database_url: str, log: Path):
        self.log = log
        self._log_file = log.open("ab")
        self.process = subprocess.Popen(command, env=environment(database_url),
                                        stdout=self._log_file, stderr=subprocess.STDOUT)

    @property
    def pid(self) -> int:
        return self.process.pid

    def check(self) -> None:
        """Raise, with the end of the log, if the process has died."""
        if self.process.poll() is not None:
            raise RuntimeError(f"{self.log.name}: exited with {self.process.returncode}\n"
                               f"{self.tail()}")

    def tail(self, characters: int = 3000) -> str:
        """The end of the process's output."""
        self._log_file.flush()
        return self.log.read_text(errors="replace")[-characters:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log_file.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()


class ApiServer(Child):
    """`uvicorn bench.server:app` on a free loopback port, up once `/healthz` answers."""

    def __init__(self, database_url: str, log: Path):
        self.port = free_port()
        super().__init__([sys.executable, "-m", "uvicorn", "bench.server:app", "--factory",
                          "--host", "127.0.0.1", "--port", str(self.port),
                          "--log-level", "warning", "--no-access-log"], database_url, log)
        self.url = f"http://127.0.0.1:{self.port}"
        self._wait_until_up()
        self.token = self._issue_token()

    def client(self, timeout: float = 600.0) -> httpx.Client:
        """A keep-alive client carrying the issued admin token."""
        return httpx.Client(base_url=self.url, timeout=timeout,
                            headers={"Authorization": f"Bearer {self.token}"})

    def light_client(self) -> KeepAliveClient:
        """A keep-alive client on the standard library's `http.client`: a quarter of httpx's CPU
        per request, so many small concurrent requests measure the server, not the client that
        shares its two cores."""
        return KeepAliveClient("127.0.0.1", self.port,
                               {"Authorization": f"Bearer {self.token}"})

    def _issue_token(self) -> str:
        """An admin token issued by the API (stored hashed), so that every measured request pays
        the stored-token look-up a deployment's senders and readers pay; the bootstrap token is
        checked without one."""
        response = httpx.post(f"{self.url}/api/v1/tokens", json={"role": "admin"}, timeout=10.0,
                              headers={"Authorization": f"Bearer {TOKEN}"})
        response.raise_for_status()
        token: str = response.json()["token"]
        return token

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            self.check()
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the API did not start within {START_TIMEOUT:.0f} s; see {self.log}")


@dataclass(frozen=True)
class Answer:
    status_code: int
    text: str


class KeepAliveClient:
    """The part of `httpx.Client` the single-event clients use: `post` over one connection."""

    def __init__(self, host: str, port: int, headers: dict[str, str]):
        self._connection = http.client.HTTPConnection(host, port, timeout=600)
        self._headers = headers

    def post(self, path: str, *, content: bytes, headers: dict[str, str]) -> Answer:
        self._connection.request("POST", path, body=content, headers=self._headers | headers)
        response = self._connection.getresponse()
        return Answer(response.status, response.read().decode(errors="replace"))

    def close(self) -> None:
        self._connection.close()


class ProjectorProcess(Child):
    """`confledger project` (every read model) following the store's event log."""

    def __init__(self, database_url: str, log: Path):
        super().__init__([sys.executable, "-c", "from api.cli import app; app()", "project"],
                         database_url, log)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
