"""The expense: recorded against a category, voided (once) by a later event, never edited."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ledger.base import LedgerAggregate
from ledger.errors import InvalidTransition


class Expense(LedgerAggregate):
    """Money the conference spends."""

    kind = "expense"
    if TYPE_CHECKING:  # state, assigned by the events' apply() methods
        expense_id: str
        voided: bool

    class Recorded(LedgerAggregate.Created):
        TYPE = "expense.recorded"
        expense_id: str
        category_id: str
        description: str
        amount: Decimal
        vendor: str | None
        date: str

        def apply(self, expense: Expense) -> None:
            expense.expense_id = self.expense_id
            expense.voided = False

    class Voided(LedgerAggregate.Event):
        TYPE = "expense.voided"
        expense_id: str
        reason: str

        def apply(self, expense: Expense) -> None:
            expense.voided = True

    def void(self, envelope: dict[str, Any], reason: str) -> None:
        if self.voided:
            raise InvalidTransition(f"expense {self.expense_id!r} is already voided",
                                    field="data.expense_id", code="expense-already-voided")
        self.trigger_event(self.Voided, **envelope, expense_id=self.expense_id, reason=reason)
