"""Keyword-only CloudEvent factories for catalogue rules, holds, attendees and speakers, in the
style of `tests/factories.py` (any other keyword sets a field of `data`)."""

from __future__ import annotations

from typing import Any

from tests.factories import DEFAULT_TIME, Event, cloud_event


def define_condition(*, condition_id: str = "cond1", condition_type: str = "speaker",
                     name: str = "Speaker discount", is_active: bool = True, priority: int = 0,
                     discount_type: str = "percentage", discount_value: str = "100",
                     time: str = DEFAULT_TIME, **fields: Any) -> Event:
    return cloud_event("discount_condition.defined",
                       {"condition_id": condition_id, "condition_type": condition_type,
                        "name": name, "is_active": is_active, "priority": priority,
                        "discount_type": discount_type, "discount_value": discount_value,
                        **fields}, source="admin", time=time)


def expire_hold(*, order_id: str = "o1", time: str = DEFAULT_TIME) -> Event:
    return cloud_event("order.hold_expired", {"order_id": order_id}, time=time)


def complete_registration(*, attendee_id: str = "att1", time: str = DEFAULT_TIME) -> Event:
    return cloud_event("attendee.registration_completed", {"attendee_id": attendee_id},
                       time=time)


def sync_speaker(*, speaker_id: str = "spk1", name: str = "Grace Hopper",
                 email: str = "grace@example.org", talk_count: int = 1,
                 time: str = DEFAULT_TIME, **fields: Any) -> Event:
    """`speaker.synced` (pass customer_id= to link the speaker to a customer)."""
    return cloud_event("speaker.synced", {"speaker_id": speaker_id, "name": name,
                                          "email": email, "talk_count": talk_count, **fields},
                       source="cfp", time=time)
