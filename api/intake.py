"""The API's intake: posted batches wait in one queue, and a few intake threads record whatever has
queued up, together.

Handing each request to the threadpool gave it a thread of its own: eight concurrent single-event
posts kept nine threads passing the GIL to one another, 17 context switches per request on SQLite,
and the server spent more CPU on that than on checking the events. Here the event loop queues the
batch and awaits a future; an intake thread takes every batch waiting, records them with
`Ledger.record_many` (checked one after another, saved in one commit) and resolves their futures.
Two threads, so that one checks while the other waits for its commit or for PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass

from ledger.application import Receipt, Submission

THREADS = 2


@dataclass(frozen=True)
class Waiting:
    """A queued batch and where its answer goes."""

    submission: Submission
    future: asyncio.Future[Receipt]
    loop: asyncio.AbstractEventLoop


class Intake:
    """Records queued batches on `THREADS` threads of its own, started on first use."""

    def __init__(self, record_many: Callable[[list[Submission]], list[Receipt | Exception]]):
        self._record_many = record_many
        self._queue: queue.SimpleQueue[Waiting | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._starting = threading.Lock()

    async def record(self, submission: Submission) -> Receipt:
        """Queue `submission`; its receipt, or raise what refused it."""
        self._start()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Receipt] = loop.create_future()
        self._queue.put(Waiting(submission, future, loop))
        return await future

    def close(self) -> None:
        """Stop the threads once the batches already queued are recorded."""
        with self._starting:
            for _ in self._threads:
                self._queue.put(None)
            for thread in self._threads:
                thread.join()
            self._threads = []

    def _start(self) -> None:
        if self._threads:
            return
        with self._starting:
            while len(self._threads) < THREADS:
                thread = threading.Thread(target=self._run, name="intake", daemon=True)
                thread.start()
                self._threads.append(thread)

    def _run(self) -> None:
        while (first := self._queue.get()) is not None:
            taken = [first]
            while True:
                try:
                    waiting = self._queue.get_nowait()
                except queue.Empty:
                    break
                if waiting is None:  # closing: this thread stops after this group
                    self._queue.put(None)
                    break
                taken.append(waiting)
            self._answer(taken)

    def _answer(self, taken: list[Waiting]) -> None:
        try:
            results = self._record_many([w.submission for w in taken])
        except Exception as error:  # never leave a request waiting
            results = [error] * len(taken)
        for waiting, result in zip(taken, results, strict=True):
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting any more
                waiting.loop.call_soon_threadsafe(_settle, waiting.future, result)


def _settle(future: asyncio.Future[Receipt], result: Receipt | Exception) -> None:
    if future.cancelled():
        return
    if isinstance(result, Exception):
        future.set_exception(result)
    else:
        future.set_result(result)
