"""The `orders` report: sold orders by paid day, where a day of the sales report drills down to.

Rows `{order_id, reference, paid_day, customer_name, customer_email, status, total, paid,
refunded, placed_at}` of the orders that became paid in `date_from`..`date_until` (conference
days), by paid day then order id, a page at a time (`limit`, default 100, and the `next_cursor`
the answer gives); the CSV streams every matching order. Which orders are sold and on which day
comes from the sales read model (the one definition of revenue); each order's money and current
status from the reconciliation read model.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from projections.paging import read_page
from projections.reconciliation.projection import ORDERS as MONEY
from projections.reconciliation.queries import order_line
from projections.reports import Body, Context, Report, key, register
from projections.sales.projection import ORDERS as SOLD
from projections.tables import Reader, Row

BY_PAID_DAY = (("paid_day", False), ("order_id", False))
CSV_BATCH = 500


def _lines(reader: Reader, context: Context, sold: list[Row]) -> list[dict[str, Any]]:
    """The sold orders with their money and status, in the order given."""
    money = {r["order_id"]: r for r in reader.many(
        MONEY, context.conference, where={"order_id": [o["order_id"] for o in sold]})}
    return [_line(context, order, money[order["order_id"]]) for order in sold
            if order["order_id"] in money]


def _line(context: Context, sold: Row, order: Row) -> dict[str, Any]:
    line = order_line(context, order)
    return {"order_id": line.pop("order_id"), "reference": line.pop("reference"),
            "paid_day": sold["paid_day"], **line}


def build_orders(reader: Reader, context: Context) -> Body:
    """One page of the orders paid in the date range, and `next_cursor` for the next."""
    page = read_page(reader, SOLD, context, kind="order", order=BY_PAID_DAY,
                     where={"paid_day": context.days})
    return {"date_from": context.days.low, "date_until": context.days.high,
            "rows": _lines(reader, context, page.rows), "next_cursor": page.next_cursor}


def order_csv_rows(reader: Reader, context: Context) -> Iterator[dict[str, Any]]:
    """Every order paid in the date range, streamed a few hundred at a time."""
    days = context.days  # checked before streaming starts, so a bad filter fails the request
    return _in_batches(reader, context, reader.stream(SOLD, context.conference,
                                                      where={"paid_day": days},
                                                      order=BY_PAID_DAY))


def _in_batches(reader: Reader, context: Context,
                sold: Iterator[Row]) -> Iterator[dict[str, Any]]:
    batch: list[Row] = []
    for order in sold:
        batch.append(order)
        if len(batch) == CSV_BATCH:
            yield from _lines(reader, context, batch)
            batch = []
    yield from _lines(reader, context, batch)


register(Report("orders", ("sales", "reconciliation"), build_orders, (
    ("Order ID", key("order_id")), ("Reference", key("reference")),
    ("Paid Day", key("paid_day")), ("Customer", key("customer_name")),
    ("Email", key("customer_email")), ("Status", key("status")), ("Total", key("total")),
    ("Paid", key("paid")), ("Refunded", key("refunded")), ("Placed At", key("placed_at"))),
    csv_rows=order_csv_rows, filters=("date_from", "date_until", "limit", "cursor")))
