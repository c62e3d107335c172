"""Expenses and travel grants: what the conference spends against its budgets.

Spending is kept per category and expense date (the `date` the sender gave, the day the money was
spent), so the expenses report can be narrowed to a period without reading single expenses.
Voiding an expense takes it back out of its day. Travel grants keep only their latest update; the
grant totals move by the difference between a grant's old and new figures, so they never need a
scan. The budget targets themselves are the conference settings every projection keeps.
"""

from __future__ import annotations

from ledger.conference import Conference
from ledger.expenses import Expense
from ledger.people import TravelGrant
from projections.projection import Projection, handles
from projections.tables import Row, Rows, Table

CATEGORIES = Table("expenses_category", "category_id", "name budget:int has_budget:bool")
EXPENSES = Table("expenses_expense", "expense_id", "category_id date amount:int voided:bool")
SPENDING = Table("expenses_spending", "category_id date", "actual:int expense_count:int")
GRANTS = Table("expenses_grant", "grant_id", "status approved:int disbursed:int")
GRANT_TOTALS = Table("expenses_grant_total", "", "committed:int disbursed:int")
COMMITTED = ("offered", "accepted")


def grant_figures(grant: Row) -> dict[str, int]:
    """What one grant's latest update adds to the totals: approved if offered or accepted."""
    return {"committed": grant["approved"] if grant["status"] in COMMITTED else 0,
            "disbursed": grant["disbursed"]}


class ExpensesProjection(Projection):
    """Category budgets, spending by category and day, and travel grants' latest state."""

    name = "expenses"
    tables = (CATEGORIES, EXPENSES, SPENDING, GRANTS, GRANT_TOTALS)

    @handles(Conference.ExpenseCategoryDefined)
    def category_defined(self, event: Conference.ExpenseCategoryDefined, rows: Rows) -> None:
        slug = event.conference
        rows.upsert(CATEGORIES, slug, event.category_id, name=event.name,
                    budget=self.minor(rows, slug, event.budget_amount),
                    has_budget=event.budget_amount is not None)

    @handles(Expense.Recorded)
    def recorded(self, event: Expense.Recorded, rows: Rows) -> None:
        slug = event.conference
        expense = rows.upsert(EXPENSES, slug, event.expense_id, category_id=event.category_id,
                              date=event.date, amount=self.minor(rows, slug, event.amount))
        self._spend(rows, expense, 1)

    @handles(Expense.Voided)
    def voided(self, event: Expense.Voided, rows: Rows) -> None:
        expense = rows.get(EXPENSES, event.conference, event.expense_id)
        if expense is None or expense["voided"]:
            return
        rows.upsert(EXPENSES, event.conference, event.expense_id, voided=True)
        self._spend(rows, expense, -1)

    @handles(TravelGrant.Updated, TravelGrant.Reupdated)
    def grant_updated(self, event: TravelGrant.Updated, rows: Rows) -> None:
        slug = event.conference
        old = rows.get(GRANTS, slug, event.grant_id)
        if old is not None:
            rows.add(GRANT_TOTALS, slug, **{k: -v for k, v in grant_figures(old).items()})
        new = rows.upsert(GRANTS, slug, event.grant_id, status=event.status,
                          approved=self.minor(rows, slug, event.approved_amount),
                          disbursed=self.minor(rows, slug, event.disbursed_amount))
        rows.add(GRANT_TOTALS, slug, **grant_figures(new))

    @staticmethod
    def _spend(rows: Rows, expense: Row, sign: int) -> None:
        rows.add(SPENDING, expense["conference"], expense["category_id"], expense["date"],
                 actual=sign * expense["amount"], expense_count=sign)
