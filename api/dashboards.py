"""The landing page and the financial dashboard, laid out from the `dashboard` and `financial`
report bodies: key figures, charts (drawn by the report pages' own chart builders) and tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api.auth import Principal
from api.charts import Spec, gauge, numbered
from api.presenting import Figures, Links, Section, figures, grid, keyed_grid, label, text
from api.report_charts import CHARTS, charts_for
from projections.catalogue import reports

DASHBOARDS = ("dashboard", "financial")


@dataclass(frozen=True)
class ReportLink:
    name: str
    title: str
    href: str


@dataclass(frozen=True)
class DashboardView:
    cards: Figures
    charts: list[Spec]
    sections: list[Section]
    reports: list[ReportLink]


def report_links(slug: str) -> list[ReportLink]:
    """Every report but the dashboards themselves, by title."""
    found = [ReportLink(name, label(name), f"/manage/{slug}/reports/{name}/")
             for name in reports() if name not in DASHBOARDS]
    return sorted(found, key=lambda link: link.title)


def landing_view(body: dict[str, Any], *, slug: str, principal: Principal) -> DashboardView:
    """Attendees and check-in, stock, orders, payments, vouchers, speakers, 30 days, budget."""
    attendees, check_in = body["attendees"], body["check_in"]
    cards = Figures("At a glance", [
        ("Attendees", text(attendees["total"])), ("Checked in", text(attendees["checked_in"])),
        ("Completed registration", text(attendees["completed"])),
        ("Check-in progress", text(check_in["rate"], "rate")),
        ("Vouchers used", _of(body["vouchers"]["used"], body["vouchers"]["total"])),
        ("Speakers registered", _of(body["speakers"]["registered"], body["speakers"]["total"]))])
    window = f"{body['window']['date_from']} to {body['window']['date_until']}"
    charts = [
        *CHARTS["inventory"]({"rows": body["inventory"]}),
        *CHARTS["reconciliation"]({"by_order_status": body["orders_by_status"],
                                   "by_payment_method": body["payments_by_method"]}),
        *CHARTS["vouchers"]({"rows": body["voucher_redemption"]}),
        gauge("Check-in progress", check_in["rate"], "Checked in", "Not yet"),
        *CHARTS["speakers"]({"summary": body["speakers"]}),
        _titled(CHARTS["flow"]({"rows": body["flow"]}), f"Registration flow, {window}"),
        _titled(CHARTS["sales"]({"rows": body["revenue"]}), f"Revenue, {window}"),
    ]
    if body["budget"]:
        charts += CHARTS["budget"](body["budget"])
    sections: list[Section] = [
        grid("Ticket inventory", body["inventory"]),
        figures("Vouchers", body["vouchers"]),
        *([figures("Budget", body["budget"])] if body["budget"] else []),
    ]
    return DashboardView(cards, numbered(charts), sections, report_links(slug))


def _of(part: int, whole: int) -> str:
    return f"{text(part)} of {text(whole)}"


def _titled(charts: list[Spec], title: str) -> Spec:
    return {**charts[0], "title": title}


def financial_view(body: dict[str, Any], *, slug: str, principal: Principal) -> DashboardView:
    """Revenue cards, the money charts, and the tables behind them."""
    summary = body["summary"]
    cards = Figures("At a glance", [
        ("Net revenue", text(summary["net_revenue"])), ("Orders", text(summary["orders"])),
        ("Active carts", text(summary["active_carts"])),
        ("Credits outstanding", text(summary["credits_outstanding"]))])
    charts = [spec for name, part in body["charts"].items() for spec in charts_for(name, part)]
    charts += [*CHARTS["budget"](body["budget"])] if body["budget"] else []
    charts += [*CHARTS["purchase-orders"]({"summary": body["purchase_orders"]}),
               *CHARTS["expenses"](body["expenses"]), *CHARTS["roi"](body["roi"])]
    return DashboardView(cards, numbered(charts), _financial_tables(body, slug, principal),
                         report_links(slug))


def _financial_tables(body: dict[str, Any], slug: str, principal: Principal) -> list[Section]:
    links: Links = ({"order_id": lambda row: f"/manage/{slug}/history/order/{row['order_id']}/"}
                    if principal.may("auditor") else {})
    po = body["purchase_orders"]
    return [
        figures("Revenue and store credit", body["revenue"]),
        grid("Orders by status", body["orders_by_status"]),
        figures("Carts by status", body["carts_by_status"]),
        grid("Payments by method (succeeded)", body["payments_by_method"]),
        grid("Payments by status", body["payments_by_status"]),
        grid("Ticket sales", body["ticket_sales"]),
        grid("Recent orders", body["recent_orders"], links),
        grid("Active carts", body["active_carts"]),
        figures("Purchase orders", {k: v for k, v in po.items() if not isinstance(v, dict)}),
        keyed_grid("Purchase orders by status", "by_status", po["by_status"]),
        keyed_grid("Purchase-order payments by method", "by_method", po["payments_by_method"]),
        *([figures("Budget", body["budget"])] if body["budget"] else []),
        figures("Expenses", {k: v for k, v in body["expenses"].items() if k != "rows"}),
        grid("Expenses by category", body["expenses"]["rows"]),
        figures("Return on investment", body["roi"]),
    ]
