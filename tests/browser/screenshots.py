"""Screenshots of the landing and financial pages for the README (docs/screenshots/).

Seed and serve the full demo on a scratch database, then point this at it:

    export CONFLEDGER_DATABASE_URL=sqlite:////tmp/shots.db CONFLEDGER_BOOTSTRAP_TOKEN=shots
    confledger demo && confledger serve --port 8765 &
    python -m tests.browser.screenshots http://127.0.0.1:8765 shots

It signs in through the form with the system Chromium and waits for every chart to be drawn.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from api.cli import DEMO_SLUG
from tests.browser.conftest import launch

PAGES = {"landing.png": f"/manage/{DEMO_SLUG}/reports/",
         "financial.png": f"/manage/{DEMO_SLUG}/financial/"}
WAIT_FOR_CHARTS = """() => Array.from(document.querySelectorAll('.chart-box canvas'))
  .every(canvas => !!Chart.getChart(canvas))"""


def capture(page: Page, base_url: str, out: Path) -> None:
    for name, path in PAGES.items():
        page.goto(base_url + path)
        page.wait_for_function(WAIT_FOR_CHARTS)
        page.screenshot(path=str(out / name), full_page=True)
        print(f"wrote {out / name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url")
    parser.add_argument("token")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--width", type=int, default=1440)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": args.width, "height": 900})
        page.goto(f"{args.base_url}/login")
        page.fill("#token", args.token)
        with page.expect_navigation():
            page.click("button[type=submit]")
        capture(page, args.base_url, args.out)
        browser.close()


if __name__ == "__main__":
    main()
