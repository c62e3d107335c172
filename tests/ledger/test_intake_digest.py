"""An event's content digest is the SHA-256 of its JSON written with sorted keys, compact, in
UTF-8, exactly as `json.dumps` writes it: digests kept since the first event was recorded must
keep matching when the same event is sent again."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from api import demo
from ledger.intake import digest

NOW = datetime(2026, 11, 1, tzinfo=UTC)
# Every character class a JSON string can hold: control characters and their escapes, quotes,
# backslashes, the line and paragraph separators, a byte-order mark, accents and emoji.
AWKWARD = ["", "\t\n\r", '"quoted"', "back\\slash", "a/b", "\x00\x1f\x7f", "\u2028\u2029",
           "\ufeff", "Zoë Ångström", "日本語", "😀\U0010ffff", "\ue000\uffff"]


def json_digest(conference: str, raw: Any) -> str:
    """The digest as it was first defined, with the standard library."""
    body = json.dumps([conference, raw], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


def test_every_demo_event_has_the_digest_json_gives_it() -> None:
    events = demo.events_for_size(slug="digest", seed=5, target_events=3000, now=NOW)
    assert [digest("digest", e) for e in events] == [json_digest("digest", e) for e in events]


@pytest.mark.parametrize("text", AWKWARD)
def test_awkward_strings_in_keys_and_values_have_the_digest_json_gives_them(text: str) -> None:
    raw = {text: text, "z" + text: [text, 0, -2**63, 2**63 - 1, True, None, {text: [text]}]}
    assert digest("pycon", raw) == json_digest("pycon", raw)


def test_keys_are_sorted_by_code_point_as_json_sorts_them() -> None:
    raw = {k: 1 for k in ["\uffff", "\U00010000", "a", "\ue000", "Z", "é"]}
    assert digest("pycon", raw) == json_digest("pycon", raw)


@pytest.mark.parametrize("value", [2**64, -10**40])
def test_integers_past_64_bits_are_digested_as_json_does(value: int) -> None:
    assert digest("pycon", {"data": value}) == json_digest("pycon", {"data": value})


def test_a_lone_surrogate_cannot_be_digested_as_before() -> None:
    with pytest.raises(UnicodeEncodeError):
        digest("pycon", {"data": "lone \ud800"})
