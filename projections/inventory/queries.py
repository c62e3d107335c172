"""The inventory report: per ticket type, then per add-on, what is sold, reserved and left.

`inventory_rows()` is THE inventory the dashboards show. Reserved stock is that of pending orders
whose hold is still open at `context.now` (the as-of moment in a replay); a pending order without
a hold expiry holds its stock until it is paid or cancelled.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from projections.inventory.projection import HOLDS, PRODUCTS, instant
from projections.reports import Body, Context, Report, key, register, yes_no
from projections.tables import Range, Reader, Row

KINDS = {"ticket": "Ticket", "addon": "Add-on"}
RANK = {kind: n for n, kind in enumerate(KINDS)}


def reserved(reader: Reader, context: Context) -> dict[str, int]:
    """Product id → quantity held by pending orders whose hold is open at `context.now`:
    without an expiry, or expiring after now (the first instant text after now, as instants
    are fixed-width text)."""
    after_now = instant(context.now + timedelta(microseconds=1))
    found: dict[str, int] = defaultdict(int)
    for where in ({"expires": None}, {"expires": Range(after_now, None)}):
        for product_id, held in reader.sums(HOLDS, context.conference, "quantity",
                                            by="product_id", where=where).items():
            found[product_id] += held["quantity"]
    return dict(found)


def inventory_rows(reader: Reader, context: Context) -> list[dict[str, Any]]:
    """Ticket types then add-ons, each by sort order then name, with their stock."""
    held = reserved(reader, context)
    products = sorted(reader.many(PRODUCTS, context.conference),
                      key=lambda p: (RANK[p["kind"]], p["sort_order"], p["name"], p["product_id"]))
    return [_stock(context, product, held.get(product["product_id"], 0))
            for product in products]


def _stock(context: Context, product: Row, held: int) -> dict[str, Any]:
    total, sold = product["total_quantity"], product["sold"]
    unlimited = total == 0
    return {"kind": product["kind"], "product_id": product["product_id"],
            "name": product["name"], "price": context.money(product["price"]),
            "total_quantity": total, "sold": sold, "reserved": held,
            "remaining": None if unlimited else max(0, total - sold - held),
            "oversold": 0 if unlimited else max(0, sold - total), "unlimited": unlimited,
            "is_active": product["is_active"], "available_from": product["available_from"],
            "available_until": product["available_until"]}


def build_inventory(reader: Reader, context: Context) -> Body:
    return {"rows": inventory_rows(reader, context)}


def _or_unlimited(name: str) -> Callable[[dict[str, Any]], Any]:
    """A quantity column that reads "Unlimited" for products without a limit (as organisers
    know it from django-program's export)."""
    return lambda row: "Unlimited" if row["unlimited"] else row[name]


register(Report("inventory", ("inventory",), build_inventory, (
    ("Type", lambda row: KINDS[row["kind"]]), ("Name", key("name")), ("Price", key("price")),
    ("Total Quantity", _or_unlimited("total_quantity")), ("Sold", key("sold")),
    ("Reserved", key("reserved")), ("Remaining", _or_unlimited("remaining")),
    ("Active", yes_no("is_active")), ("Available From", key("available_from")),
    ("Available Until", key("available_until")))))
