"""Top customers and customer segments: sold revenue less refunds, ranked alike."""

from __future__ import annotations

from typing import Any

import pytest

from projections.customers.queries import segment_sizes
from projections.reports import FilterError
from tests.factories import (
    cancel_order,
    configure_conference,
    define_ticket,
    pay,
    place_order,
    refund,
)
from tests.projections.factories_business import sold_order


def customers_with(*totals: str) -> list[dict[str, Any]]:
    """One sold order per customer c01, c02, ... at the given totals."""
    return [event for n, total in enumerate(totals, start=1)
            for event in sold_order(order_id=f"o{n:02}", customer_id=f"c{n:02}", total=total)]


def segments(books: Any) -> list[tuple[str, int, str, str]]:
    return [(r["segment_name"], r["customer_count"], r["total_revenue"],
             r["average_revenue_per_customer"]) for r in books.report("customer-segments")["rows"]]


def test_top_customers_rank_sold_revenue_less_refunds_then_customer_id(books) -> None:
    # Given cust-1: two sold orders 450 + 300, 100 refunded → 650 over 2 orders
    #       cust-2: one sold order of 700; cust-3: a pending order only (not a customer yet)
    #       cust-4: one sold order of 650 (ties with cust-1, ranked after it by id)
    books.record(configure_conference(), define_ticket(),
                 *sold_order(order_id="o1", customer_id="cust-1", total="450.00",
                             company="Initech"),
                 *sold_order(order_id="o2", customer_id="cust-1", total="300.00",
                             company="Initech"),
                 refund(order_id="o1", amount="100.00"),
                 *sold_order(order_id="o3", customer_id="cust-2", total="700.00"),
                 place_order(order_id="o4", customer_id="cust-3"),
                 *sold_order(order_id="o5", customer_id="cust-4", total="650.00"))
    rows = books.report("top-customers")["rows"]
    assert [(r["customer_id"], r["total_revenue"], r["order_count"]) for r in rows] == [
        ("cust-2", "700.00", 1), ("cust-1", "650.00", 2), ("cust-4", "650.00", 1)]
    assert rows[1] == {
        "customer_id": "cust-1", "name": "Customer cust-1", "email": "cust-1@example.org",
        "company": "Initech", "total_revenue": "650.00", "order_count": 2}
    assert [r["customer_id"] for r in books.report("top-customers", limit="2")["rows"]] == [
        "cust-2", "cust-1"]


def test_refund_of_an_order_that_never_sold_is_not_lost_revenue(books) -> None:
    # Given an order of 450 paid 100, refunded 100 and cancelled: it never sold
    books.record(configure_conference(), define_ticket(), place_order(order_id="o1"),
                 pay(order_id="o1", amount="100.00"), refund(order_id="o1", amount="100.00"),
                 cancel_order(order_id="o1"),
                 *sold_order(order_id="o2", customer_id="cust-2", total="200.00"))
    # Then only the sold order's customer shows, with its full total
    assert [(r["customer_id"], r["total_revenue"])
            for r in books.report("top-customers")["rows"]] == [("cust-2", "200.00")]


@pytest.mark.parametrize("value", ["0", "1001", "ten"])
def test_top_customers_limit_must_be_1_to_1000(books, value: str) -> None:
    books.record(configure_conference())
    with pytest.raises(FilterError):
        books.report("top-customers", limit=value)


@pytest.mark.parametrize(("n", "sizes"), [(0, (0, 0, 0)), (1, (1, 0, 0)), (7, (1, 2, 4)),
                                          (10, (1, 2, 7)), (11, (2, 2, 7))])
def test_segment_sizes_are_first_10_percent_then_up_to_30_percent(n: int, sizes: tuple) -> None:
    # ceil(n × 10 %) (at least 1), then ceil(n × 30 %) minus those, then the rest
    assert segment_sizes(n) == sizes


def test_segments_with_one_customer_put_it_in_high_value(books) -> None:
    books.record(configure_conference(), define_ticket(), *customers_with("450.00"))
    assert segments(books) == [("High Value", 1, "450.00", "450.00"),
                               ("Medium Value", 0, "0.00", "0.00"),
                               ("Low Value", 0, "0.00", "0.00")]


def test_segments_with_seven_customers(books) -> None:
    # Given 7 customers at 700, 600, 500, 400, 300, 200, 101:
    # High = ceil(0.7) = 1, Medium = ceil(2.1) − 1 = 2, Low = 4
    books.record(configure_conference(), define_ticket(),
                 *customers_with("700.00", "600.00", "500.00", "400.00", "300.00", "200.00",
                                 "101.00"))
    # Then Low = 400 + 300 + 200 + 101 = 1001, average 250.25
    assert segments(books) == [("High Value", 1, "700.00", "700.00"),
                               ("Medium Value", 2, "1100.00", "550.00"),
                               ("Low Value", 4, "1001.00", "250.25")]


def test_segments_with_ten_customers_round_averages_half_up(books) -> None:
    # Given 10 customers, listed out of order: High 1, Medium 2, Low 7
    books.record(configure_conference(), define_ticket(),
                 *customers_with("100.00", "1000.00", "800.01", "900.00", "700.00", "600.00",
                                 "500.00", "400.00", "300.00", "200.00"))
    # Then Medium = 900 + 800.01 = 1700.01, average 850.005 → 850.01;
    #      Low = 700 + 600 + 500 + 400 + 300 + 200 + 100 = 2800, average 400
    assert segments(books) == [("High Value", 1, "1000.00", "1000.00"),
                               ("Medium Value", 2, "1700.01", "850.01"),
                               ("Low Value", 7, "2800.00", "400.00")]


def test_segments_split_customers_that_tie_across_a_border(books) -> None:
    # Given c01 at 500, c02 at 600 less a 100 refund (500, a tie) and c03 at 100
    books.record(configure_conference(), define_ticket(),
                 *customers_with("500.00", "600.00", "100.00"),
                 refund(order_id="o02", amount="100.00"))
    assert [r["customer_id"] for r in books.report("top-customers")["rows"]] == [
        "c01", "c02", "c03"]
    # Then High = ceil(0.3) = 1 customer (c01, 500); Medium = ceil(0.9) − 1 = 0; Low = c02 + c03
    assert segments(books) == [("High Value", 1, "500.00", "500.00"),
                               ("Medium Value", 0, "0.00", "0.00"),
                               ("Low Value", 2, "600.00", "300.00")]


def test_segments_without_customers_show_three_empty_rows(books) -> None:
    books.record(configure_conference())
    assert [(name, count) for name, count, _, _ in segments(books)] == [
        ("High Value", 0), ("Medium Value", 0), ("Low Value", 0)]
