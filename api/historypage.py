"""An entity's history as a page: every event with its data and the entity's state after it.

The history is `projections.audit.entity_history`, the same answer as the API's
`GET /api/v1/conferences/{slug}/history/{kind}/{id}`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from api.presenting import Section, sections, text


@dataclass(frozen=True)
class Step:
    """One event of the entity, ready to show."""

    position: str
    type: str
    time: str
    recorded_at: str
    data: list[Section]
    state: str


def history_steps(history: dict[str, Any]) -> list[Step]:
    """The history's events, oldest first, data laid out like a report body, state as JSON."""
    return [Step(text(event["position"]), event["type"], text(event["time"]),
                 text(event["recorded_at"]), sections(event["data"], title="Data"),
                 json.dumps(event["state"], indent=2, sort_keys=True))
            for event in history["events"]]
