"""The dashboard in a real browser: sign in, every page, charts, tables, CSV links, drill-down.

Each test runs on a served demo conference (150 attendees); the `browsing` fixture fails a test on
any console error, uncaught page error, or request to a host other than the app's.
"""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from api.reportpage import PAGE_SIZE
from projections.catalogue import reports
from tests.browser.conftest import Browsing

pytestmark = pytest.mark.browser

CHART_STATE = """() => Array.from(document.querySelectorAll('.chart-box canvas')).map(c => {
  const chart = Chart.getChart(c);
  return {id: c.id, width: c.clientWidth, height: c.clientHeight, drawn: !!chart,
          datasets: chart ? chart.data.datasets.length : 0};
})"""
REPORT_PAGES = sorted(name for name in reports() if name not in ("dashboard", "financial"))


def assert_charts_drawn(browsing: Browsing, at_least: int = 1) -> list[dict[str, Any]]:
    charts = browsing.page.evaluate(CHART_STATE)
    assert len(charts) >= at_least, browsing.page.url
    for chart in charts:
        assert chart["drawn"] and chart["datasets"] > 0, chart
        assert chart["width"] > 0 and chart["height"] > 0, chart
    return charts


def table_rows(browsing: Browsing, title: str) -> list[list[str]]:
    """The cells of the table section titled `title`."""
    section = browsing.page.locator("section.grid", has=browsing.page.get_by_role(
        "heading", name=title, exact=True))
    cells: list[list[str]] = section.locator("tbody tr").evaluate_all(
        "rows => rows.map(row => Array.from(row.cells, cell => cell.innerText))")
    return cells


def api_body(browsing: Browsing, name: str, **params: str | float | bool) -> dict[str, Any]:
    """The report's JSON from the API (bearer token), to compare the page with."""
    server = browsing.server
    answer = browsing.context.request.get(
        server.url(f"/api/v1/conferences/{server.slug}/reports/{name}"), params=params,
        headers={"Authorization": f"Bearer {server.tokens['admin']}"})
    assert answer.ok, answer.text()
    body: dict[str, Any] = answer.json()
    return body


def test_a_visit_without_a_session_signs_in_first_and_lands_where_it_was_going(
        browsing: Browsing) -> None:
    # Given no session, when a person opens a filtered report page
    slug = browsing.server.slug
    wanted = f"/manage/{slug}/reports/sales/?period=week"
    browsing.open(wanted)
    # Then they are at the sign-in form, which remembers where they were going
    assert urlsplit(browsing.page.url).path == "/login"
    assert browsing.page.input_value("input[name=next]") == wanted
    # When they sign in from the keyboard (the token field has focus; Enter submits)
    browsing.page.keyboard.type(browsing.server.tokens["finance"])
    with browsing.page.expect_navigation():
        browsing.page.keyboard.press("Enter")
    # Then they land on the page they asked for, with an HttpOnly, SameSite=Strict cookie
    assert browsing.page.url == browsing.server.url(wanted)
    cookie, = browsing.context.cookies()
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["expires"] > 0
    assert browsing.server.tokens["finance"] not in cookie["value"]


def test_a_wrong_token_shows_the_form_again(browsing: Browsing) -> None:
    browsing.watch.expect("401")
    browsing.open("/login")
    browsing.page.fill("#token", "clt_not-a-token")
    browsing.page.click("button[type=submit]")
    assert browsing.page.get_by_role("alert").inner_text().startswith("That token is not valid")
    assert browsing.context.cookies() == []


def test_landing_page_draws_every_chart_and_fills_its_figures(browsing: Browsing) -> None:
    browsing.sign_in("viewer")
    # Inventory, orders, payments, vouchers, check-in, speakers, flow, revenue, budget
    assert len(assert_charts_drawn(browsing, at_least=9)) >= 9
    attendees = api_body(browsing, "attendees")["summary"]["total"]
    cards = browsing.page.locator(".cards .figure dd").all_inner_texts()
    assert cards[0] == f"{attendees:,}"
    assert len(table_rows(browsing, "Ticket inventory")) == len(api_body(browsing, "inventory")[
        "rows"])
    # Every report is one click away; a viewer gets no financial link
    assert browsing.page.locator(".report-list a").count() == len(REPORT_PAGES)
    assert browsing.page.get_by_role("link", name="Financial").count() == 0
    assert "Reflects event position" in browsing.page.locator(".freshness").inner_text()


def test_financial_page_shows_the_money_reports_figures(browsing: Browsing) -> None:
    browsing.sign_in("finance", f"/manage/{browsing.server.slug}/financial/")
    # Revenue, AOV, by ticket type, waterfall, cumulative, discounts (2), refunds (2), card
    # fees, budget, purchase orders, expenses, ROI
    assert len(assert_charts_drawn(browsing, at_least=14)) >= 14
    net = api_body(browsing, "reconciliation")["net_revenue"]
    assert browsing.page.locator(".cards .figure dd").first.inner_text() == f"{float(net):,.2f}"
    assert len(table_rows(browsing, "Recent orders")) == 20
    assert len(table_rows(browsing, "Orders by status")) == 5


@pytest.mark.parametrize("name", REPORT_PAGES)
def test_every_report_page_draws_its_chart_and_shows_what_the_api_answers(
        browsing: Browsing, name: str) -> None:
    browsing.sign_in("finance", f"/manage/{browsing.server.slug}/reports/{name}/")
    assert_charts_drawn(browsing)
    body = api_body(browsing, name)
    shown = browsing.page.locator("tbody tr").count() + browsing.page.locator(".figure").count()
    assert shown > 0
    if body.get("rows"):
        # Reports that page themselves (`next_cursor`) show their page; others 50 at a time
        paged = "next_cursor" in body
        expected = len(body["rows"]) if paged else min(len(body["rows"]), PAGE_SIZE)
        assert len(table_rows(browsing, "Rows")) == expected
    assert browsing.page.locator("#csv-link").count() == 1


def test_csv_link_keeps_the_filters_and_downloads_with_the_session(browsing: Browsing) -> None:
    # Given the sales page, filtered to a range of weeks
    slug = browsing.server.slug
    browsing.sign_in("finance", f"/manage/{slug}/reports/sales/")
    days = [row["date"] for row in api_body(browsing, "sales")["rows"]]
    browsing.page.fill("#f-date_from", days[3])
    browsing.page.fill("#f-date_until", days[-3])
    browsing.page.select_option("#f-period", "week")
    with browsing.page.expect_navigation():
        browsing.page.click("text=Apply filters")
    # Then the CSV link carries exactly those filters
    href = browsing.page.get_attribute("#csv-link", "href")
    assert href is not None
    assert parse_qs(urlsplit(href).query) == {"date_from": [days[3]], "date_until": [days[-3]],
                                              "period": ["week"]}
    # And downloading it with the session gives the organisers' header and the page's rows
    with browsing.page.expect_download() as download:
        browsing.page.click("#csv-link")
    lines = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert lines[0] == ["Date", "Orders", "Revenue"]
    weeks = api_body(browsing, "sales", date_from=days[3], date_until=days[-3], period="week")
    assert [line[0] for line in lines[1:]] == [row["date"] for row in weeks["rows"]]
    assert len(table_rows(browsing, "Rows")) == len(weeks["rows"])


def test_a_day_of_sales_drills_down_to_its_orders_and_an_orders_history(
        browsing: Browsing) -> None:
    # Given an auditor on the sales page
    slug = browsing.server.slug
    browsing.sign_in("auditor", f"/manage/{slug}/reports/sales/")
    first = api_body(browsing, "sales")["rows"][0]
    # When they click the first day
    with browsing.page.expect_navigation():
        browsing.page.get_by_role("link", name=first["date"], exact=True).click()
    # Then they see exactly the orders paid that day
    assert urlsplit(browsing.page.url).path == f"/manage/{slug}/reports/orders/"
    rows = table_rows(browsing, "Rows")
    assert len(rows) == first["count"]
    assert {row[2] for row in rows} == {first["date"]}
    assert_charts_drawn(browsing)
    # And an order's id opens its history, event by event, as the audit API tells it
    order_id = rows[0][0]
    with browsing.page.expect_navigation():
        browsing.page.get_by_role("link", name=order_id, exact=True).click()
    assert urlsplit(browsing.page.url).path == f"/manage/{slug}/history/order/{order_id}/"
    history = browsing.context.request.get(
        browsing.server.url(f"/api/v1/conferences/{slug}/history/order/{order_id}"),
        headers={"Authorization": f"Bearer {browsing.server.tokens['admin']}"}).json()
    steps = browsing.page.locator(".step > h2").all_inner_texts()
    assert [step.split(" position")[0] for step in steps] == [
        event["type"] for event in history["events"]]


def test_a_viewer_gets_no_csv_link_and_no_financial_page(browsing: Browsing) -> None:
    slug = browsing.server.slug
    browsing.sign_in("viewer", f"/manage/{slug}/reports/sales/")
    assert browsing.page.locator("#csv-link").count() == 0
    browsing.watch.expect("403")
    response = browsing.page.goto(browsing.server.url(f"/manage/{slug}/financial/"))
    assert response is not None and response.status == 403
    csv_response = browsing.context.request.get(
        browsing.server.url(f"/manage/{slug}/reports/sales.csv"))
    assert csv_response.status == 403


def test_another_conferences_token_is_refused_like_the_api_refuses_it(
        browsing: Browsing) -> None:
    browsing.watch.expect("403")
    browsing.watch.expect("404")  # its own conference was never configured
    browsing.sign_in("other-conference", "/manage/elsewhere/reports/")
    response = browsing.page.goto(browsing.server.url(f"/manage/{browsing.server.slug}/reports/"))
    assert response is not None and response.status == 403
    assert browsing.page.locator("h1").inner_text() == "Forbidden"


def test_signing_out_ends_the_session(browsing: Browsing) -> None:
    slug = browsing.server.slug
    browsing.sign_in("viewer")
    with browsing.page.expect_navigation():
        browsing.page.get_by_role("button", name="Sign out").click()
    assert urlsplit(browsing.page.url).path == "/login"
    browsing.open(f"/manage/{slug}/reports/")
    assert urlsplit(browsing.page.url).path == "/login"


def test_keyboard_users_can_skip_to_the_content(browsing: Browsing) -> None:
    browsing.sign_in("viewer")
    browsing.page.keyboard.press("Tab")
    focused = browsing.page.evaluate("() => document.activeElement.className")
    assert focused == "skip-link"
    browsing.page.keyboard.press("Enter")
    assert browsing.page.evaluate("() => document.activeElement.id") == "main"
