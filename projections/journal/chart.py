"""The chart of accounts and the legs of a transfer.

Accounts are named `<group>:<name>`; the group gives the account's type and so its normal side:

| account                       | type           | what it holds                                       |
| ---                           | ---            | ---                                                 |
| `cash:card-clearing`          | asset          | stripe money (orders and stripe PO payments)        |
| `cash:terminal-clearing`      | asset          | card-terminal money                                 |
| `cash:bank`                   | asset          | manual payments, wire/ACH/check/other PO payments, expenses paid, refunds not returned through a card processor |
| `receivable:orders`           | asset          | sold orders' totals not yet paid (a payment before the sale sits here as a credit) |
| `receivable:purchase-orders`  | asset          | balance due of invoiced purchase orders             |
| `liability:customer-credit`   | liability      | store credit still spendable                        |
| `revenue:tickets`, `revenue:addons` | revenue  | gross (unit price × quantity) of sold order lines   |
| `revenue:purchase-orders`     | revenue        | totals of invoiced purchase orders                  |
| `revenue:breakage`            | revenue        | store credit that expired unspent                   |
| `contra:discounts`            | contra-revenue | discounts of sold orders                            |
| `contra:refunds`              | contra-revenue | every refund, whatever its destination              |
| `contra:comps`                | contra-revenue | orders "paid" by a `comp` payment                   |
| `contra:po-credit-notes`      | contra-revenue | credit notes on invoiced purchase orders            |
| `expense:<category_id>`       | expense        | recorded, non-voided expenses of that category      |
| `expense:goodwill-credit`     | expense        | goodwill store credit given away                    |

Asset, expense and contra-revenue accounts are debit-normal; liability and revenue accounts are
credit-normal. A leg carries an unsigned amount and an explicit side; a transfer is balanced when
its debit legs add up to its credit legs.
"""

from __future__ import annotations

from dataclasses import dataclass

DEBIT, CREDIT = "debit", "credit"

CARD_CLEARING = "cash:card-clearing"
TERMINAL_CLEARING = "cash:terminal-clearing"
BANK = "cash:bank"
ORDERS_RECEIVABLE = "receivable:orders"
PO_RECEIVABLE = "receivable:purchase-orders"
CUSTOMER_CREDIT = "liability:customer-credit"
TICKETS = "revenue:tickets"
ADDONS = "revenue:addons"
PO_REVENUE = "revenue:purchase-orders"
BREAKAGE = "revenue:breakage"
DISCOUNTS = "contra:discounts"
REFUNDS = "contra:refunds"
COMPS = "contra:comps"
PO_CREDIT_NOTES = "contra:po-credit-notes"
GOODWILL = "expense:goodwill-credit"

TYPES = {"cash": "asset", "receivable": "asset", "liability": "liability", "revenue": "revenue",
         "contra": "contra-revenue", "expense": "expense"}
TYPE_ORDER = ("asset", "liability", "revenue", "contra-revenue", "expense")
DEBIT_NORMAL = frozenset({"asset", "contra-revenue", "expense"})

# Where an order payment's money lands (debit side of the payment), by method.
PAYMENT_ACCOUNTS = {"stripe": CARD_CLEARING, "terminal": TERMINAL_CLEARING, "manual": BANK,
                    "comp": COMPS, "credit": CUSTOMER_CREDIT}
# Where a refund to the original payment is paid from: card money goes back through its
# processor; a manual, comp or credit payment is returned from the bank (a refund to store
# credit is a `store_credit` refund, never this).
REFUND_ACCOUNTS = {"stripe": CARD_CLEARING, "terminal": TERMINAL_CLEARING}
PO_PAYMENT_ACCOUNTS = {"stripe": CARD_CLEARING}


class UnbalancedTransfer(ValueError):
    """Raised when the debit legs of a transfer do not add up to its credit legs."""


@dataclass(frozen=True)
class Leg:
    """One posting of a transfer: an unsigned amount (minor units) on one side of an account."""

    account: str
    side: str
    amount: int


def account_type(account: str) -> str:
    """`asset`, `liability`, `revenue`, `contra-revenue` or `expense`, from the account's group."""
    return TYPES[account.split(":", 1)[0]]


def normal_balance(account: str, debit: int, credit: int) -> int:
    """The balance on the account's normal side (negative when it is on the other side)."""
    return debit - credit if account_type(account) in DEBIT_NORMAL else credit - debit


def transfer(debit: str, credit: str, amount: int) -> list[Leg]:
    """Move `amount` from `credit` to `debit`; a negative amount moves it back (a reversal)."""
    if amount < 0:
        debit, credit, amount = credit, debit, -amount
    return [Leg(debit, DEBIT, amount), Leg(credit, CREDIT, amount)]


def balanced(legs: list[Leg]) -> list[Leg]:
    """The non-zero legs; raise UnbalancedTransfer unless debits equal credits."""
    kept = [leg for leg in legs if leg.amount]
    debits = sum(leg.amount for leg in kept if leg.side == DEBIT)
    credits = sum(leg.amount for leg in kept if leg.side == CREDIT)
    if debits != credits or any(leg.amount < 0 for leg in kept):
        raise UnbalancedTransfer(f"debits {debits} ≠ credits {credits}: {kept}")
    return kept


def expense_account(category_id: str) -> str:
    return f"expense:{category_id}"
