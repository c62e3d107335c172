"""Chart specs for report bodies: what to draw, as Chart.js configurations without colours.

Every report page and dashboard draws its charts from the report's own JSON body, so a chart can
never show a number the table does not. Values stay as the report gave them (money as decimal
strings, which Chart.js parses as numbers); `api/static/app.js` adds the palette and draws them.
A report without a chart of its own gets one from its rows (or its key figures).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from api.presenting import is_number, label, text

Spec = dict[str, Any]
Builder = Callable[[dict[str, Any]], list[Spec]]


def chart(title: str, kind: str, labels: list[Any], datasets: list[dict[str, Any]], *,
          stacked: bool = False, horizontal: bool = False, second_axis: str | None = None,
          options: dict[str, Any] | None = None) -> Spec:
    """One chart: a title and a Chart.js config; `second_axis` titles a right-hand y axis."""
    config_options: dict[str, Any] = {"plugins": {"title": {"display": False}}}
    if kind in ("bar", "line"):
        scales: dict[str, Any] = {"x": {"stacked": stacked}, "y": {"stacked": stacked,
                                                                   "beginAtZero": True}}
        if second_axis is not None:
            scales["y1"] = {"position": "right", "beginAtZero": True,
                            "title": {"display": True, "text": second_axis},
                            "grid": {"drawOnChartArea": False}}
        config_options["scales"] = scales
    if horizontal:
        config_options["indexAxis"] = "y"
    config_options |= options or {}
    return {"title": title, "config": {"type": kind, "data": {"labels": labels,
                                                             "datasets": datasets},
                                       "options": config_options}}


def numbered(charts: list[Spec]) -> list[Spec]:
    """The charts with the page-unique ids their canvases carry."""
    return [{**spec, "id": f"chart-{index}"} for index, spec in enumerate(charts, start=1)]


def series(name: str, values: list[Any], *, kind: str | None = None,
           axis: str | None = None, tones: list[str] | None = None) -> dict[str, Any]:
    """A dataset; `kind` mixes a line into a bar chart, `tones` colour bars by meaning."""
    found: dict[str, Any] = {"label": name, "data": values}
    if kind is not None:
        found["type"] = kind
    if axis is not None:
        found["yAxisID"] = axis
    if tones is not None:
        found["tones"] = tones
    return found


def column(rows: list[dict[str, Any]], name: str, default: Any = 0) -> list[Any]:
    return [default if row.get(name) is None else row[name] for row in rows]


def dated(title: str, rows: list[dict[str, Any]], money: str, money_label: str,
          count: str = "count", count_label: str = "Orders") -> Spec:
    """Money bars by date with a count line on a second axis (sales, AOV)."""
    return chart(title, "bar", column(rows, "date"),
                 [series(money_label, column(rows, money)),
                  series(count_label, column(rows, count), kind="line", axis="y1")],
                 second_axis=count_label)


def donut(title: str, parts: dict[str, Any]) -> Spec:
    return chart(title, "doughnut", [label(k) for k in parts],
                 [series(title, list(parts.values()))])


def gauge(title: str, percent: str, done: str, rest: str) -> Spec:
    """A half doughnut showing `percent` (a "12.34" rate string) of 100."""
    left = max(Decimal(0), Decimal(100) - Decimal(percent))
    return chart(f"{title}: {text(percent, 'rate')}", "doughnut", [done, rest],
                 [series(title, [percent, str(left)], tones=["accent", "muted"])],
                 options={"rotation": -90, "circumference": 180, "cutout": "65%"})


def pivot(rows: list[dict[str, Any]], across: str, down: str, value: str) -> tuple[list[Any],
                                                                                  list[dict]]:
    """Rows of (across, down, value) as one dataset per `down` value over sorted `across`."""
    labels = sorted({row[across] for row in rows})
    names = sorted({row[down] for row in rows})
    cells = {(row[across], row[down]): row[value] for row in rows}
    return labels, [series(name, [cells.get((at, name), 0) for at in labels]) for name in names]


def waterfall_bars(rows: list[dict[str, Any]]) -> Spec:
    """Floating bars: totals rise from zero, decreases hang from the running total."""
    running, bars = Decimal(0), []
    for row in rows:
        value = Decimal(row["value"])
        if row["type"] == "total":
            running = value
            bars.append(["0", str(value)])
        else:
            bars.append([str(running + value), str(running)])
            running += value
    tones = ["total" if r["type"] == "total" else "decrease" for r in rows]
    return chart("Cash-flow waterfall", "bar", column(rows, "label"),
                 [series("Amount", bars, tones=tones)], options={"plugins": {
                     "legend": {"display": False}}})


def generic(body: dict[str, Any], title: str = "Overview") -> list[Spec]:
    """A bar (or, over dates, line) chart of a report's rows; else of its key figures."""
    rows = [r for r in body.get("rows", []) if isinstance(r, dict)]
    if rows:
        names = list(rows[0])
        numeric = [n for n in names if all(is_number(r.get(n)) for r in rows)]
        money = [n for n in numeric if not isinstance(rows[0][n], int)]
        shown = (money or numeric)[:3]
        text = next((n for n in names if n not in numeric), None)
        if shown:
            labels = column(rows, text) if text else list(range(1, len(rows) + 1))
            kind = "line" if text == "date" else "bar"
            return [chart(title, kind, labels,
                          [series(label(n), column(rows, n)) for n in shown])]
    figures = {k: v for k, v in body.items() if is_number(v)}
    counts = {k: v for k, v in figures.items() if isinstance(v, int)}
    shown_figures = counts or figures
    return [chart("Key figures", "bar", [label(k) for k in shown_figures],
                  [series("Value", list(shown_figures.values()))],
                  options={"plugins": {"legend": {"display": False}}})]
