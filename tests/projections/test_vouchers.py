"""Voucher usage and discount conditions: uses by non-cancelled orders, impact on sold orders."""

from __future__ import annotations

from projections.catalogue import reports
from tests.factories import (
    cancel_order,
    configure_conference,
    define_ticket,
    define_voucher,
    line,
    pay,
    place_order,
)
from tests.projections.factories_people import define_condition, expire_hold


def with_voucher(order_id: str, code: str, discount: str) -> dict:
    """One Individual ticket (450.00) bought with `code`, `discount` off."""
    return place_order(order_id=order_id, voucher_code=code,
                       lines=[line(discount_amount=discount)])


def by_code(books) -> dict[str, dict]:
    return {row["code"]: row for row in books.report("vouchers")["rows"]}


def test_voucher_used_beyond_max_uses_shows_redemption_above_100_percent(books) -> None:
    # Given EARLY (50.00 off, at most 2 uses) and an unused, inactive 12.5 % voucher
    books.record(configure_conference(), define_ticket(),
                 define_voucher(code="EARLY", voucher_type="fixed_amount",
                                discount_value="50.00", max_uses=2,
                                valid_until="2026-09-30T23:59:00-04:00"),
                 define_voucher(code="PCT", discount_value="12.5", max_uses=10,
                                is_active=False))
    # When the checkout lets 3 orders through with EARLY, each paying 450 − 50 = 400
    for order_id in ("o1", "o2", "o3"):
        books.record(with_voucher(order_id, "EARLY", "50.00"),
                     pay(order_id=order_id, amount="400.00"))
    body = books.report("vouchers")
    # Then EARLY was used 3 times of 2: 150 %, and its revenue impact is 3 × 50 = 150.00
    early, pct = body["rows"]
    assert early == {"code": "EARLY", "voucher_type": "fixed_amount",
                     "discount_value": "50.00", "max_uses": 2, "times_used": 3,
                     "redemption_rate": "150.00", "revenue_impact": "150.00",
                     "is_active": True, "valid_from": None,
                     "valid_until": "2026-09-30T23:59:00-04:00"}
    assert (pct["discount_value"], pct["times_used"], pct["redemption_rate"],
            pct["revenue_impact"]) == ("12.50", 0, "0.00", "0.00")
    assert body["summary"] == {"total": 2, "active": 1, "used": 1,
                               "total_revenue_impact": "150.00"}
    # And discount-impact shows the same 150.00 over the same 3 orders
    assert books.report("discount-impact")["by_voucher"] == [
        {"code": "EARLY", "discount_total": "150.00", "order_count": 3}]
    cells = {header: cell(early) for header, cell in reports()["vouchers"].columns}
    assert (cells["Type"], cells["Redemption Rate"], cells["Active"]) == (
        "Fixed Amount", "150.00", "Yes")


def test_cancel_and_hold_expiry_give_a_voucher_use_back(books) -> None:
    # Given SAVE10 (10 %, 4 uses): o1 paid (450 − 45 = 405), o2 and o3 pending
    books.record(configure_conference(), define_ticket(), define_voucher(max_uses=4),
                 with_voucher("o1", "SAVE10", "45.00"), pay(order_id="o1", amount="405.00"),
                 with_voucher("o2", "SAVE10", "45.00"),
                 place_order(order_id="o3", voucher_code="SAVE10",
                             lines=[line(discount_amount="45.00")],
                             hold_expires_at="2026-10-02T00:00:00+00:00"))
    # Then 3 of 4 uses (75 %); only the sold o1 has a revenue impact
    row = by_code(books)["SAVE10"]
    assert (row["times_used"], row["redemption_rate"], row["revenue_impact"]) == (
        3, "75.00", "45.00")
    # When o2 is cancelled and o3's hold expires
    books.record(cancel_order(order_id="o2"), expire_hold(order_id="o3"))
    # Then 1 of 4 uses remains: 25 %
    row = by_code(books)["SAVE10"]
    assert (row["times_used"], row["redemption_rate"], row["revenue_impact"]) == (
        1, "25.00", "45.00")


def test_voucher_without_uses_allowed_has_a_zero_redemption_rate(books) -> None:
    books.record(configure_conference(), define_ticket(), define_voucher(max_uses=0),
                 with_voucher("o1", "SAVE10", "45.00"))
    row = by_code(books)["SAVE10"]
    assert (row["times_used"], row["redemption_rate"]) == (1, "0.00")


def test_discount_conditions_group_by_type_and_count_each_live_order_once(books) -> None:
    # Given an early-bird limit (50.00 off Individual, limit 100) and two speaker conditions
    books.record(configure_conference(), define_ticket(),
                 define_condition(condition_id="early", condition_type="time_or_stock_limit",
                                  name="Early bird", discount_type="fixed_amount",
                                  discount_value="50.00", limit=100,
                                  applicable_products=["ind"]),
                 define_condition(condition_id="spk", name="Speaker", priority=1),
                 define_condition(condition_id="key", name="Keynote", priority=0,
                                  is_active=False))
    # When o1 has two lines naming early, o2 names early and spk, o3 names spk but is cancelled
    books.record(place_order(order_id="o1", lines=[
                     line(discount_amount="50.00", discount_condition_ids=["early"]),
                     line(discount_amount="50.00", discount_condition_ids=["early"])]),
                 place_order(order_id="o2", lines=[
                     line(discount_amount="450.00", discount_condition_ids=["early", "spk"])]),
                 place_order(order_id="o3", lines=[
                     line(discount_amount="450.00", discount_condition_ids=["spk"])]),
                 cancel_order(order_id="o3"))
    body = books.report("discounts")
    # Then early counts o1 once and o2 once (2), spk counts o2 only (1), keynote none
    assert body["groups"] == [
        {"label": "Time/Stock Limit", "conditions": [
            {"name": "Early bird", "is_active": True, "priority": 0,
             "discount_type": "fixed_amount", "discount_value": "50.00", "times_used": 2,
             "limit": 100, "applicable_products": ["ind"]}]},
        {"label": "Speaker", "conditions": [
            {"name": "Keynote", "is_active": False, "priority": 0,
             "discount_type": "percentage", "discount_value": "100.00", "times_used": 0,
             "limit": None, "applicable_products": []},
            {"name": "Speaker", "is_active": True, "priority": 1,
             "discount_type": "percentage", "discount_value": "100.00", "times_used": 1,
             "limit": None, "applicable_products": []}]}]
    # And the flat rows carry the group the CSV writes as its Type
    columns = reports()["discounts"].columns
    assert [[cell(row) for _, cell in columns] for row in body["rows"]] == [
        ["Early bird", "Time/Stock Limit", "Yes", 0, "Fixed Amount", "50.00", 2, 100, "ind"],
        ["Keynote", "Speaker", "No", 0, "Percentage", "100.00", 0, None, "All products"],
        ["Speaker", "Speaker", "Yes", 1, "Percentage", "100.00", 1, None, "All products"]]
