"""The access log without secrets: query-string values are hidden before uvicorn writes a line.

Tokens belong in the Authorization header, which is never logged; a client that puts one in a
query string by mistake (`?token=...`) must not have it written to the server's log either
(contract §2). Parameter names stay when they look like names, so a line still tells what was asked.
"""

from __future__ import annotations

import logging
import re

ACCESS_LOGGER = "uvicorn.access"
HIDDEN = "***"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,39}")


def redact(path: str) -> str:
    """`path` with every query value (and any name that does not look like one) hidden."""
    path, mark, query = path.partition("?")
    if not mark:
        return path
    names = (part.partition("=")[0] for part in query.split("&") if part)
    return path + "?" + "&".join(f"{n if _NAME.fullmatch(n) else HIDDEN}={HIDDEN}" for n in names)


class HideQueryValues(logging.Filter):
    """Rewrites uvicorn's access records: `(client, method, path?query, version, status)`."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact(args[2]), *args[3:])
        return True


def install() -> None:
    """Hide query values in the access log of every server this process runs."""
    logging.getLogger(ACCESS_LOGGER).addFilter(HideQueryValues())
