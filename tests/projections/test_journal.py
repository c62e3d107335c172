"""The double-entry journal and the trial balance: every event posts balanced transfers, and the
journal agrees with the reports (credit liability = credits outstanding, PO receivable = Σ balance
due of invoiced POs, revenue − discounts − refunds = net revenue), on worked examples and on random
event streams; an as-of replay at the head equals the live read models.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings

from ledger.schemas import CATALOGUE
from projections.journal import chart
from projections.journal.projection import POSTINGS
from projections.journal.queries import balance
from projections.purchase_orders.queries import po_money
from projections.reconciliation.queries import money_totals
from projections.store import SqlReader
from tests.factories import (
    cancel_order,
    cancel_purchase_order,
    check_in,
    configure_conference,
    create_purchase_order,
    define_expense_category,
    define_ticket,
    define_voucher,
    issue_credit,
    issue_credit_note,
    line,
    pay,
    place_order,
    record_expense,
    record_po_payment,
    refund,
    register_attendee,
    send_purchase_order,
)
from tests.projections.factories_audit import Story, batches, replayed
from tests.projections.factories_business import update_grant, void_expense
from tests.projections.factories_money import (
    close_cart,
    expire_credit,
    expire_hold,
    fail_payment,
    initiate_payment,
    open_cart,
)
from tests.projections.factories_people import complete_registration, define_condition, sync_speaker

HEAD_REPORTS = ("trial-balance", "reconciliation", "purchase-orders", "sales")


def worked_example() -> list[list[dict[str, Any]]]:
    """The journal module's worked example, batch by batch."""
    return [
        [configure_conference(), define_ticket(),
         define_ticket(product_id="tee", name="T-shirt", price="100.00", kind="addon"),
         define_expense_category()],
        [place_order(order_id="o1", lines=[
            line(discount_amount="50.00"),
            line(product_id="tee", kind="addon", unit_price="100.00", description="T-shirt")]),
         pay(order_id="o1", amount="500.00")],
        [refund(order_id="o1", amount="100.00", destination="store_credit", credit_id="cr1")],
        [issue_credit(credit_id="cr2", amount="20.00"), expire_credit(credit_id="cr2")],
        [create_purchase_order(po_id="po1", total="1000.00"), send_purchase_order(po_id="po1"),
         record_po_payment(po_id="po1", amount="600.00", method="wire"),
         issue_credit_note(po_id="po1", amount="100.00")],
        [record_expense(expense_id="exp1", amount="200.00")],
    ]


def rows_of(books: Any, slug: str = "pycon") -> list[tuple[str, str, str, str, str]]:
    return [(r["account"], r["account_type"], r["debit"], r["credit"], r["balance"])
            for r in books.report("trial-balance", slug=slug)["rows"]]


def balances(books: Any, slug: str = "pycon") -> dict[str, str]:
    return {r["account"]: r["balance"] for r in books.report("trial-balance", slug=slug)["rows"]}


def assert_journal_agrees(books: Any, slug: str = "pycon") -> None:
    """Trial balance balances, every transfer balances, and the contract's cross-checks hold."""
    reader, context = SqlReader(books.store.database), books.context(slug)
    totals = books.report("trial-balance", slug=slug)["totals"]
    assert totals["debit"] == totals["credit"]
    sides: dict[int, dict[str, int]] = defaultdict(lambda: {"debit": 0, "credit": 0})
    for posting in reader.many(POSTINGS, slug):
        sides[posting["transfer"]][posting["side"]] += posting["amount"]
    assert all(s["debit"] == s["credit"] for s in sides.values())
    figures, po = money_totals(reader, context), po_money(reader, context)
    assert balance(reader, context, chart.CUSTOMER_CREDIT) == figures["credits_outstanding"]
    assert (balance(reader, context, chart.PO_RECEIVABLE)
            == po["po_outstanding"] - po["po_overpaid"])
    net = sum(balance(reader, context, a) for a in (chart.TICKETS, chart.ADDONS)) - sum(
        balance(reader, context, a) for a in (chart.DISCOUNTS, chart.REFUNDS))
    assert net == figures["net_revenue"]


def test_worked_example_posts_to_the_chart_and_balances(books) -> None:
    # Given the journal module's worked example (sale, refund to credit, goodwill credit that
    # expires, a PO sent, part paid and credited, an expense)
    for batch in worked_example():
        books.record(*batch)
    # Then each account shows what was posted to each side and its normal-side balance
    assert rows_of(books) == [
        ("cash:bank", "asset", "600.00", "200.00", "400.00"),
        ("cash:card-clearing", "asset", "500.00", "0.00", "500.00"),
        ("receivable:orders", "asset", "500.00", "500.00", "0.00"),
        ("receivable:purchase-orders", "asset", "1000.00", "700.00", "300.00"),
        ("liability:customer-credit", "liability", "20.00", "120.00", "100.00"),
        ("revenue:addons", "revenue", "0.00", "100.00", "100.00"),
        ("revenue:breakage", "revenue", "0.00", "20.00", "20.00"),
        ("revenue:purchase-orders", "revenue", "0.00", "1000.00", "1000.00"),
        ("revenue:tickets", "revenue", "0.00", "450.00", "450.00"),
        ("contra:discounts", "contra-revenue", "50.00", "0.00", "50.00"),
        ("contra:po-credit-notes", "contra-revenue", "100.00", "0.00", "100.00"),
        ("contra:refunds", "contra-revenue", "100.00", "0.00", "100.00"),
        ("expense:goodwill-credit", "expense", "20.00", "0.00", "20.00"),
        ("expense:venue", "expense", "200.00", "0.00", "200.00"),
    ]
    # And debits 3,090 = credits 3,090; credit 100 outstanding, PO due 300, net revenue 400
    assert books.report("trial-balance")["totals"] == {"debit": "3090.00", "credit": "3090.00"}
    assert_journal_agrees(books)


def every_event_type() -> list[dict[str, Any]]:
    """One event of each catalogue type, in an order the ledger accepts."""
    return [
        configure_conference(), define_ticket(), define_ticket(product_id="tee", kind="addon",
                                                               price="20.00"),
        define_voucher(), define_condition(), define_expense_category(),
        open_cart(cart_id="c1"), open_cart(cart_id="c2"), open_cart(cart_id="c3"),
        place_order(order_id="o1"), close_cart(cart_id="c1", how="checked_out", order_id="o1"),
        close_cart(cart_id="c2", how="expired"), close_cart(cart_id="c3", how="abandoned"),
        initiate_payment(order_id="o1", payment_id="p1"),
        fail_payment(order_id="o1", payment_id="p1"), pay(order_id="o1", payment_id="p2"),
        refund(order_id="o1", amount="50.00"),
        place_order(order_id="o2"), cancel_order(order_id="o2"),
        place_order(order_id="o3"), expire_hold(order_id="o3"),
        issue_credit(credit_id="cr1"), expire_credit(credit_id="cr1"),
        register_attendee(order_id="o1"), check_in(), complete_registration(),
        sync_speaker(), update_grant(status="disbursed", approved_amount="300.00",
                                     disbursed_amount="300.00"),
        record_expense(), void_expense(),
        create_purchase_order(po_id="po1"), send_purchase_order(po_id="po1"),
        record_po_payment(po_id="po1", amount="400.00"), issue_credit_note(po_id="po1"),
        create_purchase_order(po_id="po2"), cancel_purchase_order(po_id="po2"),
    ]


def test_every_event_type_posts_balanced_transfers(books) -> None:
    # Given one event of every catalogue type, each recorded as its own batch
    events = every_event_type()
    assert {e["type"] for e in events} == set(CATALOGUE)
    for event in events:
        books.record(event)
        # Then after each one every transfer and the trial balance balance
        assert_journal_agrees(books)
    # And the money events posted what they moved: 50 refunded back through the card
    # processor (450 − 50 = 400 left there), the voided expense netted to nothing in the bank,
    # the goodwill credit expired into breakage and the PO's due is 1000 − 400 − 100
    assert balances(books) == {
        "cash:card-clearing": "400.00", "cash:bank": "400.00", "receivable:orders": "0.00",
        "receivable:purchase-orders": "500.00", "liability:customer-credit": "0.00",
        "revenue:tickets": "450.00", "revenue:breakage": "50.00",
        "revenue:purchase-orders": "1000.00", "contra:refunds": "50.00",
        "contra:po-credit-notes": "100.00", "expense:goodwill-credit": "50.00",
        "expense:venue": "0.00"}


def test_payment_before_the_sale_is_a_deposit_until_the_order_is_sold(books) -> None:
    # Given a 450.00 order paid 200.00 while still pending
    books.record(configure_conference(), define_ticket(), place_order(order_id="o1"),
                 pay(order_id="o1", amount="200.00", method="manual"))
    # Then no revenue yet: the 200.00 sits as a credit on the order receivable
    assert balances(books) == {"cash:bank": "200.00", "receivable:orders": "-200.00"}
    # When the remaining 250.00 arrives by terminal, the order is sold
    books.record(pay(order_id="o1", amount="250.00", method="terminal"))
    # Then revenue is recognised and the receivable is settled
    assert balances(books) == {"cash:bank": "200.00", "cash:terminal-clearing": "250.00",
                               "receivable:orders": "0.00", "revenue:tickets": "450.00"}
    assert_journal_agrees(books)


def test_comp_order_of_zero_posts_its_gross_and_full_discount(books) -> None:
    # Given a 450.00 ticket discounted in full and "paid" by a comp payment of 0
    books.record(configure_conference(), define_ticket(),
                 place_order(order_id="o1", lines=[line(discount_amount="450.00")]),
                 pay(order_id="o1", amount="0.00", method="comp"))
    # Then the gross is earned and given away; nothing is owed and no cash moved
    assert rows_of(books) == [
        ("revenue:tickets", "revenue", "0.00", "450.00", "450.00"),
        ("contra:discounts", "contra-revenue", "450.00", "0.00", "450.00")]
    assert_journal_agrees(books)


def test_credit_payment_draws_the_liability_and_moves_no_cash(books) -> None:
    # Given a goodwill credit of 50.00 spent in full on a 50.00 order
    books.record(configure_conference(), define_ticket(price="50.00"),
                 issue_credit(credit_id="cr1", amount="50.00"),
                 place_order(order_id="o1", total="50.00"),
                 pay(order_id="o1", amount="50.00", method="credit", credit_id="cr1"))
    # Then the liability went up by 50 and back down to 0; revenue 50; no cash account
    assert balances(books) == {"liability:customer-credit": "0.00",
                               "receivable:orders": "0.00", "revenue:tickets": "50.00",
                               "expense:goodwill-credit": "50.00"}
    assert_journal_agrees(books)


def test_refund_to_the_original_payment_goes_back_the_way_it_came(books) -> None:
    # Given o1 paid by terminal and o2 paid half by stripe, half manually
    books.record(configure_conference(), define_ticket(), place_order(order_id="o1"),
                 pay(order_id="o1", method="terminal"), place_order(order_id="o2"),
                 pay(order_id="o2", payment_id="s2", amount="225.00"),
                 pay(order_id="o2", payment_id="m2", amount="225.00", method="manual"))
    # When o1 is refunded 100 (no payment named) and o2 is refunded 25 on each payment
    books.record(refund(order_id="o1", amount="100.00"),
                 refund(order_id="o2", amount="25.00", payment_id="s2"),
                 refund(order_id="o2", amount="25.00", payment_id="m2"))
    # Then each refund left the account its payment came into
    found = balances(books)
    assert (found["cash:terminal-clearing"], found["cash:card-clearing"],
            found["cash:bank"]) == ("350.00", "200.00", "200.00")
    assert found["contra:refunds"] == "150.00"
    assert_journal_agrees(books)


def test_purchase_order_is_revenue_only_while_invoiced(books) -> None:
    # Given po1 credited 100 while still a draft, and po2 sent
    books.record(configure_conference(),
                 create_purchase_order(po_id="po1"), issue_credit_note(po_id="po1"),
                 create_purchase_order(po_id="po2", total="500.00"),
                 send_purchase_order(po_id="po2"))
    # Then only po2 is invoiced so far
    assert balances(books) == {"receivable:purchase-orders": "500.00",
                               "revenue:purchase-orders": "500.00"}
    # When po1 is sent (its credit note comes with it) and po2 is cancelled (reversed)
    books.record(send_purchase_order(po_id="po1"), cancel_purchase_order(po_id="po2"))
    assert balances(books) == {"receivable:purchase-orders": "900.00",
                               "revenue:purchase-orders": "1000.00",
                               "contra:po-credit-notes": "100.00"}
    # And an overpayment of 1000 on po1 (due 900) leaves the receivable at −100
    books.record(record_po_payment(po_id="po1", amount="1000.00", method="stripe"))
    assert balances(books)["receivable:purchase-orders"] == "-100.00"
    assert balances(books)["cash:card-clearing"] == "1000.00"
    assert_journal_agrees(books)


def test_trial_balance_names_the_periods_closed_as_of_its_moment(books) -> None:
    # Given the books closed through September on 15 October
    books.record(configure_conference())
    books.ledger.close_period("pycon", date(2026, 9, 30), now=books.now)
    books.projector.catch_up()
    # Then the trial balance says so, but not as of 1 October
    assert books.report("trial-balance")["closed_periods"] == ["2026-09-30"]
    early = replayed(books, "trial-balance", "pycon", as_of=datetime(2026, 10, 1, tzinfo=UTC))
    assert early["closed_periods"] == []


slugs = itertools.count(1)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stream=batches)
def test_random_streams_keep_the_journal_balanced_and_agreeing(books, stream) -> None:
    # Given a random valid stream of orders, payments, refunds, credits, POs and expenses
    story = Story(f"random-{next(slugs)}")
    books.record(*story.opening(), slug=story.slug)
    for operations in stream:
        events = story.batch(operations)
        if events:
            books.record(*events, slug=story.slug)
    # Then the journal balances and agrees with the reports
    assert_journal_agrees(books, story.slug)
    outstanding = sum(story.credits.values())
    assert balances(books, story.slug).get("liability:customer-credit", "0.00") == (
        f"{outstanding:.2f}")
    # And as-of the head (every event in effect, all recorded) equals the live read models
    head = {"as_of": datetime(2026, 12, 31, tzinfo=UTC), "known_at": datetime.now(UTC)}
    for name in HEAD_REPORTS:
        assert replayed(books, name, story.slug, **head) == books.report(name, slug=story.slug)
