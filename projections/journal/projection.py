"""The double-entry journal: every event is posted as one balanced transfer (or none).

The chart of accounts is in `projections/journal/chart.py`. Revenue is recognised when an order
is SOLD (the `payment.succeeded` whose `order_status` is `paid`), payments settle receivables,
refunds are contra-revenue, store credit is a liability until spent or expired, and a purchase order
is revenue while it is invoiced (neither draft nor cancelled). Transfers are numbered per
conference; each posting keeps the CloudEvent it came from (source, id, type, effective day).

Worked example (USD; amounts in dollars, the tables keep cents):

| # | event | debit | credit |
| --- | --- | --- | --- |
| - | `order.placed` o1: ticket 450.00 − 50.00 discount, add-on 100.00 (total 500.00) | nothing: a pending order is not a sale | |
| 1 | `payment.succeeded` o1 stripe 500.00, order now `paid` | receivable:orders 500, contra:discounts 50; cash:card-clearing 500 | revenue:tickets 450, revenue:addons 100; receivable:orders 500 |
| 2 | `refund.issued` o1 100.00 to store credit cr1 (with its `credit.issued`) | contra:refunds 100 | liability:customer-credit 100 |
| 3 | `credit.issued` cr2 20.00 (goodwill) | expense:goodwill-credit 20 | liability:customer-credit 20 |
| 4 | `credit.expired` cr2 (20.00 remaining) | liability:customer-credit 20 | revenue:breakage 20 |
| - | `purchase_order.created` po1 1000.00 (draft) | nothing: a draft is not invoiced | |
| 5 | `purchase_order.sent` po1 | receivable:purchase-orders 1000 | revenue:purchase-orders 1000 |
| 6 | `purchase_order.payment_recorded` po1 wire 600.00 | cash:bank 600 | receivable:purchase-orders 600 |
| 7 | `purchase_order.credit_note_issued` po1 100.00 | contra:po-credit-notes 100 | receivable:purchase-orders 100 |
| 8 | `expense.recorded` venue 200.00 | expense:venue 200 | cash:bank 200 |

Trial balance: debits 3,090 = credits 3,090. Customer credit 100 (cr1 unspent) = credits
outstanding; PO receivable 300 = po1's balance due; tickets 450 + add-ons 100 − discounts 50 −
refunds 100 = net revenue 400.

Cancelling a sent PO or voiding an expense reverses the earlier postings with new ones (nothing is
ever edited). A payment before its order is sold credits `receivable:orders` (a deposit) and the
sale later debits it. Every refund debits `contra:refunds`, whatever its order's status, because
the contract's net revenue (sales − refunds) subtracts every refund. Events without money
(catalogue, carts, attendees, speakers, travel grants, failed or initiated payments, cancelled
pending orders, PO creation, period closes) post nothing; the trial balance lists the closed
periods. Travel grants are commitments, not books: money paid out for them is booked by finance as
an `expense.recorded`, so posting grants too would count it twice.
"""

from __future__ import annotations

from typing import Any

from ledger.conference import Conference
from ledger.credits import Credit
from ledger.expenses import Expense
from ledger.orders import PAID, Order
from ledger.purchase_orders import CANCELLED, DRAFT, PurchaseOrder
from projections.journal import chart
from projections.journal.chart import Leg, transfer
from projections.projection import Projection, handles
from projections.tables import Row, Rows, Table

ACCOUNTS = Table("journal_account", "account", "account_type debit:int credit:int")
POSTINGS = Table("journal_posting", "transfer:int leg:int",
                 "day source source_id event_type account side amount:int")
TOTALS = Table("journal_total", "", "transfers:int")
ORDERS = Table("journal_order", "order_id",
               "total:int discount:int tickets:int addons:int sold:bool refund_account")
PAYMENTS = Table("journal_payment", "payment_id order_id", "method")
CREDITS = Table("journal_credit", "credit_id", "remaining:int")
POS = Table("journal_po", "po_id", "total:int credited:int recognised:int noted:int")
EXPENSES = Table("journal_expense", "expense_id", "account amount:int")
PERIODS = Table("journal_period", "through", "")


class JournalProjection(Projection):
    """Posts every event to balanced transfers; keeps account balances and the postings."""

    name = "journal"
    tables = (ACCOUNTS, POSTINGS, TOTALS, ORDERS, PAYMENTS, CREDITS, POS, EXPENSES, PERIODS)

    # Orders, payments, refunds ----------------------------------------------------------------

    @handles(Order.Placed)
    def placed(self, event: Order.Placed, rows: Rows) -> None:
        slug = event.conference
        gross = {"ticket": 0, "addon": 0}
        for line in event.line_items:
            gross[line["kind"]] += self.minor(rows, slug, line["unit_price"] * line["quantity"])
        rows.put(ORDERS, ORDERS.blank((slug, event.order_id)) | {
            "total": self.minor(rows, slug, event.total),
            "discount": self.minor(rows, slug, event.discount_amount),
            "tickets": gross["ticket"], "addons": gross["addon"], "refund_account": chart.BANK})

    @handles(Order.PaymentInitiated, Order.PaymentFailed)
    def payment_seen(self, event: Order.PaymentInitiated | Order.PaymentFailed,
                     rows: Rows) -> None:
        """No money moves; the payment's method is kept for refunds and history look-ups."""
        _remember_payment(rows, event)

    @handles(Order.PaymentSucceeded)
    def payment_succeeded(self, event: Order.PaymentSucceeded, rows: Rows) -> None:
        slug = event.conference
        _remember_payment(rows, event)
        order = rows.get(ORDERS, slug, event.order_id)
        legs: list[Leg] = []
        if order is not None and event.order_status == PAID and not order["sold"]:
            legs += self._sale(rows, order)
        if order is not None and event.method in ("stripe", "terminal", "manual"):
            rows.upsert(ORDERS, slug, event.order_id,
                        refund_account=chart.REFUND_ACCOUNTS.get(event.method, chart.BANK))
        legs += transfer(chart.PAYMENT_ACCOUNTS[event.method], chart.ORDERS_RECEIVABLE,
                         self.minor(rows, slug, event.amount))
        self._post(rows, event, legs)

    @staticmethod
    def _sale(rows: Rows, order: Row) -> list[Leg]:
        """Recognise a sold order: its total is owed, its lines' gross earned, less discounts."""
        rows.upsert(ORDERS, order["conference"], order["order_id"], sold=True)
        return [Leg(chart.ORDERS_RECEIVABLE, chart.DEBIT, order["total"]),
                Leg(chart.DISCOUNTS, chart.DEBIT, order["discount"]),
                Leg(chart.TICKETS, chart.CREDIT, order["tickets"]),
                Leg(chart.ADDONS, chart.CREDIT, order["addons"])]

    @handles(Order.RefundIssued)
    def refund_issued(self, event: Order.RefundIssued, rows: Rows) -> None:
        paid_from = (chart.CUSTOMER_CREDIT if event.destination == "store_credit"
                     else self._refund_account(rows, event))
        self._post(rows, event, transfer(chart.REFUNDS, paid_from,
                                         self.minor(rows, event.conference, event.amount)))

    @staticmethod
    def _refund_account(rows: Rows, event: Order.RefundIssued) -> str:
        """The payment the refund names, else the order's latest card/terminal/manual payment."""
        slug = event.conference
        if event.payment_id is not None:
            payment = rows.get(PAYMENTS, slug, event.payment_id, event.order_id)
            if payment is not None:
                return chart.REFUND_ACCOUNTS.get(payment["method"], chart.BANK)
        order = rows.get(ORDERS, slug, event.order_id)
        return order["refund_account"] if order is not None else chart.BANK

    # Store credit -----------------------------------------------------------------------------

    @handles(Credit.Issued)
    def credit_issued(self, event: Credit.Issued, rows: Rows) -> None:
        amount = self.minor(rows, event.conference, event.amount)
        rows.upsert(CREDITS, event.conference, event.credit_id, remaining=amount)
        if event.source_order is None:  # a refund's credit is posted by its refund.issued
            self._post(rows, event, transfer(chart.GOODWILL, chart.CUSTOMER_CREDIT, amount))

    @handles(Credit.Applied)
    def credit_applied(self, event: Credit.Applied, rows: Rows) -> None:
        """Only the remaining amount moves: the credit payment itself posts the drawdown."""
        amount = self.minor(rows, event.conference, event.amount)
        rows.add(CREDITS, event.conference, event.credit_id, remaining=-amount)

    @handles(Credit.Expired)
    def credit_expired(self, event: Credit.Expired, rows: Rows) -> None:
        credit = rows.get(CREDITS, event.conference, event.credit_id)
        if credit is None:
            return
        self._post(rows, event, transfer(chart.CUSTOMER_CREDIT, chart.BREAKAGE,
                                         credit["remaining"]))
        rows.upsert(CREDITS, event.conference, event.credit_id, remaining=0)

    # Purchase orders --------------------------------------------------------------------------

    @handles(PurchaseOrder.Created)
    def po_created(self, event: PurchaseOrder.Created, rows: Rows) -> None:
        rows.upsert(POS, event.conference, event.po_id,
                    total=self.minor(rows, event.conference, event.total))

    @handles(PurchaseOrder.Sent)
    def po_sent(self, event: PurchaseOrder.Sent, rows: Rows) -> None:
        self._post(rows, event, self._invoice(rows, event, event.po_status))

    @handles(PurchaseOrder.Cancelled)
    def po_cancelled(self, event: PurchaseOrder.Cancelled, rows: Rows) -> None:
        self._post(rows, event, self._invoice(rows, event, CANCELLED))

    @handles(PurchaseOrder.PaymentRecorded)
    def po_payment(self, event: PurchaseOrder.PaymentRecorded, rows: Rows) -> None:
        account = chart.PO_PAYMENT_ACCOUNTS.get(event.method, chart.BANK)
        paid = transfer(account, chart.PO_RECEIVABLE,
                        self.minor(rows, event.conference, event.amount))
        self._post(rows, event, self._invoice(rows, event, event.po_status) + paid)

    @handles(PurchaseOrder.CreditNoteIssued)
    def po_credit_note(self, event: PurchaseOrder.CreditNoteIssued, rows: Rows) -> None:
        if rows.get(POS, event.conference, event.po_id) is not None:
            rows.add(POS, event.conference, event.po_id,
                     credited=self.minor(rows, event.conference, event.amount))
        self._post(rows, event, self._invoice(rows, event, event.po_status))

    @staticmethod
    def _invoice(rows: Rows, event: Any, status: str) -> list[Leg]:
        """Bring the PO's posted revenue and credit notes to what its new status invoices."""
        po = rows.get(POS, event.conference, event.po_id)
        if po is None:
            return []
        invoiced = status not in (DRAFT, CANCELLED)
        revenue, noted = (po["total"], po["credited"]) if invoiced else (0, 0)
        legs = (transfer(chart.PO_RECEIVABLE, chart.PO_REVENUE, revenue - po["recognised"])
                + transfer(chart.PO_CREDIT_NOTES, chart.PO_RECEIVABLE, noted - po["noted"]))
        rows.upsert(POS, event.conference, event.po_id, recognised=revenue, noted=noted)
        return legs

    # Expenses ---------------------------------------------------------------------------------

    @handles(Expense.Recorded)
    def expense_recorded(self, event: Expense.Recorded, rows: Rows) -> None:
        account = chart.expense_account(event.category_id)
        amount = self.minor(rows, event.conference, event.amount)
        rows.upsert(EXPENSES, event.conference, event.expense_id, account=account, amount=amount)
        self._post(rows, event, transfer(account, chart.BANK, amount))

    @handles(Expense.Voided)
    def expense_voided(self, event: Expense.Voided, rows: Rows) -> None:
        expense = rows.get(EXPENSES, event.conference, event.expense_id)
        if expense is not None:
            self._post(rows, event, transfer(chart.BANK, expense["account"], expense["amount"]))

    # Periods ----------------------------------------------------------------------------------

    @handles(Conference.PeriodClosed)
    def period_closed(self, event: Conference.PeriodClosed, rows: Rows) -> None:
        """No money moves; the trial balance names the periods closed (as of its moment)."""
        rows.upsert(PERIODS, event.conference, event.through)

    # Posting ----------------------------------------------------------------------------------

    def _post(self, rows: Rows, event: Any, legs: list[Leg]) -> None:
        """Record one balanced transfer: its postings and the accounts' running totals."""
        legs = chart.balanced(legs)
        if not legs:
            return
        slug = event.conference
        number = rows.add(TOTALS, slug, transfers=1)["transfers"]
        origin = {"day": self.day(rows, slug, event.effective_at), "source": event.source,
                  "source_id": event.source_id, "event_type": event.type_name()}
        for n, leg in enumerate(legs):
            rows.put(POSTINGS, {"conference": slug, "transfer": number, "leg": n, **origin,
                                "account": leg.account, "side": leg.side, "amount": leg.amount})
            rows.upsert(ACCOUNTS, slug, leg.account, account_type=chart.account_type(leg.account))
            rows.add(ACCOUNTS, slug, leg.account, **{leg.side: leg.amount})


def _remember_payment(rows: Rows, event: Any) -> None:
    rows.upsert(PAYMENTS, event.conference, event.payment_id, event.order_id, method=event.method)
