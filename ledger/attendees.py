"""The attendee: registered (usually against an order), completes registration, checks in."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ledger.base import LedgerAggregate
from ledger.errors import InvalidTransition


class Attendee(LedgerAggregate):
    """A person coming to the conference."""

    kind = "attendee"
    if TYPE_CHECKING:  # state, assigned by the events' apply() methods
        attendee_id: str
        checked_in: bool
        completed: bool

    class Registered(LedgerAggregate.Created):
        TYPE = "attendee.registered"
        attendee_id: str
        customer_id: str
        order_id: str | None
        name: str
        email: str
        access_code: str | None

        def apply(self, attendee: Attendee) -> None:
            attendee.attendee_id = self.attendee_id
            attendee.checked_in = False
            attendee.completed = False

    class CheckedIn(LedgerAggregate.Event):
        TYPE = "attendee.checked_in"
        attendee_id: str

        def apply(self, attendee: Attendee) -> None:
            attendee.checked_in = True

    class RegistrationCompleted(LedgerAggregate.Event):
        TYPE = "attendee.registration_completed"
        attendee_id: str

        def apply(self, attendee: Attendee) -> None:
            attendee.completed = True

    def check_in(self, envelope: dict[str, Any]) -> None:
        if self.checked_in:
            raise InvalidTransition(f"attendee {self.attendee_id!r} is already checked in",
                                    field="data.attendee_id", code="already-checked-in")
        self.trigger_event(self.CheckedIn, **envelope, attendee_id=self.attendee_id)

    def complete_registration(self, envelope: dict[str, Any]) -> None:
        if self.completed:
            raise InvalidTransition(f"attendee {self.attendee_id!r} already completed registration",
                                    field="data.attendee_id", code="already-completed")
        self.trigger_event(self.RegistrationCompleted, **envelope,
                           attendee_id=self.attendee_id)
