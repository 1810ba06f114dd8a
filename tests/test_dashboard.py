"""/dashboard in a real browser (issue 15, ADR 0046): Debian's Chromium, driven headless by
Playwright, against a live `registry serve` with seeded reviews. The inspectorate sees every
number; a practitioner sees the same page with small numbers suppressed ("fewer than 5", never 0).
Search, a review page, the Welsh switch, phone width, the keyboard, and axe-core's accessibility
rules are checked; a screenshot of each page is kept in build/screenshots/."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from tests import factories, flows
from tests.conftest import REGISTRY, running_server, subprocess_env

pytestmark = pytest.mark.database_independent

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "build" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
INSPECTOR = ("inspector", "a long passphrase for the inspectorate")
READER = ("reader", "a long passphrase for a practitioner")
ADMIN = ("operator", "a long passphrase for the operator")
# Reviews completed in 2023 by region: the practitioner's table hides North Wales and West Glamorgan.
SEEDED = {"gwent": 6, "cardiff-vale": 6, "north-wales": 2, "west-glamorgan": 3}
BOARDS = {
    "cardiff-vale": "Cardiff and Vale Regional Safeguarding Board",
    "gwent": "Gwent Safeguarding Board",
    "north-wales": "North Wales Safeguarding Board",
    "west-glamorgan": "West Glamorgan Safeguarding Board",
}

if CHROMIUM is None:
    pytest.skip(
        "no browser: the dashboard's browser test needs Debian's chromium (`make browser` installs it; "
        "it could not be installed here)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api")


def _registry(env: dict[str, str], *args: str) -> None:
    import subprocess

    result = subprocess.run([REGISTRY, *args], env=env, check=False, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    folder = tmp_path_factory.mktemp("dashboard")
    env = subprocess_env(documents_dir=str(folder / "documents"), database_url=f"sqlite:///{folder / 'dashboard.db'}")
    _registry(env, "migrate")
    for (username, password), role in ((INSPECTOR, "inspectorate"), (READER, "practitioner"), (ADMIN, "admin")):
        _registry(env, "create-user", "--username", username, "--password", password, "--role", role)
    with running_server(env) as (base, _log), httpx.Client(base_url=base, timeout=60) as http:
        token = http.post(
            "/api/v1/auth/token", data={"grant_type": "password", "username": ADMIN[0], "password": ADMIN[1]}
        ).json()["access_token"]
        admin = {"Authorization": f"Bearer {token}"}
        ids = {}
        for region, count in SEEDED.items():
            for n in range(count):
                review = flows.create(
                    http,  # type: ignore[arg-type]  # an httpx.Client on the live server, as TestClient is
                    admin,
                    region=region,
                    reference=f"{region.upper()} {n + 1}/2023",
                    title=f"Child {region[0].upper()}{n + 1}",
                    title_cy=f"Plentyn {region[0].upper()}{n + 1}",
                    completed_on="2023-05-01",
                    language="en",
                )
                plan = factories.action_plan("R1", "R2", target_date="2025-06-30" if region == "gwent" else "2027-03-31")
                assert http.put(f"/api/v1/reviews/{review['id']}/action-plan", json=plan, headers=admin).status_code == 201
                flows.submit(http, admin, review)  # type: ignore[arg-type]
                flows.publish(http, admin, review)  # type: ignore[arg-type]
                ids[review["reference"]] = review["id"]
        yield SimpleNamespace(base=base, ids=ids)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    # A refused resource (CSP) or any other console error; a failed response is judged below instead.
    opened.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" and not m.text.startswith("Failed to load resource") else None,
    )
    opened.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 and not _expected(r) else None)
    yield opened
    context.close()
    assert errors == [], errors  # no script error, no refused resource, no failed request on any page


def _expected(response: Any) -> bool:
    """The one refusal the page expects: a practitioner's role does not show overdue actions."""
    return response.status == 403 and "/api/v1/actions/overdue" in response.url


def _sign_in(page: Any, live: SimpleNamespace, account: tuple[str, str]) -> None:
    page.goto(f"{live.base}/dashboard")
    page.get_by_label("Username").fill(account[0])
    page.get_by_label("Password").fill(account[1])
    page.get_by_label("Password").press("Enter")  # the keyboard alone signs in
    sync_api.expect(page.locator("#status")).to_have_text("The dashboard is up to date.", timeout=30_000)


def _table(page: Any, panel: str) -> dict[str, dict[str, str]]:
    """A panel's table as {row heading: {column heading: cell}}."""
    rows = page.locator(f"#{panel} table").evaluate(
        "table => [...table.rows].map(row => [...row.cells].map(cell => cell.textContent))"
    )
    header, *body = rows
    return {row[0]: dict(zip(header[1:], row[1:], strict=True)) for row in body}


def _no_accessibility_violations(page: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]}})
    assert results.violations_count == 0, results.generate_report()


def _screenshot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_the_inspectorate_sees_every_number_searches_and_opens_a_review(page, live):
    _sign_in(page, live, INSPECTOR)
    by_year = _table(page, "by-year-region")
    assert by_year == {"2023": {BOARDS[region]: str(count) for region, count in SEEDED.items()}}
    themes = _table(page, "by-theme-year")
    assert themes["Voice of the child"] == {"2023": "17"} and themes["Hierarchy of knowledge"] == {"2023": "17"}
    overdue = _table(page, "overdue")  # Gwent's 12 actions were due on 2025-06-30
    assert overdue == {BOARDS["gwent"]: {"1-30": "0", "31-90": "0", "91-180": "0", "over-180": "12", "Total": "12"}}
    outcomes = _table(page, "outcomes")
    assert set(outcomes) == set(BOARDS.values())
    assert page.locator("#by-year-region canvas").get_attribute("role") == "img"
    _no_accessibility_violations(page)
    _screenshot(page, "dashboard-inspectorate")

    page.get_by_label("Words to find").fill("chronology")
    page.get_by_label("Words to find").press("Enter")
    sync_api.expect(page.locator("#search-total")).to_have_text("17 reviews found.")
    assert page.locator("#hits li").first.locator("mark").first.inner_text().lower().startswith("chronolog")
    page.get_by_label("Words to find").fill("chronology G1")  # Gwent's first: "Child G1"
    page.get_by_label("Words to find").press("Enter")
    sync_api.expect(page.locator("#search-total")).to_have_text("1 review found.")
    first = page.locator("#hits li").first
    _screenshot(page, "search")
    first.locator("a").focus()
    page.keyboard.press("Enter")  # opened from the keyboard
    sync_api.expect(page.locator("#review-title")).to_be_visible()
    assert page.locator("#review-title").inner_text() == "Child G1"
    recommendations = page.locator("#review-recommendations > li")
    assert recommendations.count() == 2
    assert "Agencies keep a shared chronology" in recommendations.first.inner_text()
    assert "Not started" in recommendations.first.locator(".actions").inner_text()
    assert "due 2025-06-30, overdue" in recommendations.first.locator(".actions").inner_text()  # a Gwent review
    _no_accessibility_violations(page)
    _screenshot(page, "review")


def test_a_practitioner_sees_small_numbers_suppressed_and_no_overdue_actions(page, live):
    _sign_in(page, live, READER)
    by_year = _table(page, "by-year-region")
    assert by_year == {"2023": {BOARDS[region]: str(n) if n >= 5 else "fewer than 5" for region, n in SEEDED.items()}}
    assert page.locator("#by-year-region td.suppressed").count() == 2
    assert page.locator("#overdue").inner_text().endswith("Your role does not show overdue actions.")
    _no_accessibility_violations(page)
    _screenshot(page, "dashboard-practitioner")

    page.get_by_role("button", name="Cymraeg").click()
    sync_api.expect(page.locator("#status")).to_have_text("Mae'r dangosfwrdd yn gyfredol.", timeout=30_000)
    assert page.locator("html").get_attribute("lang") == "cy"
    assert page.locator("h1").inner_text() == "Dangosfwrdd"
    welsh = _table(page, "by-year-region")
    assert welsh["2023"]["Bwrdd Diogelu Gogledd Cymru"] == "llai na 5"  # the board's Welsh name
    assert "Llais y plentyn" in _table(page, "by-theme-year")  # the vocabulary's Welsh label
    assert page.get_by_role("button", name="Cymraeg").get_attribute("aria-pressed") == "true"
    _no_accessibility_violations(page)
    _screenshot(page, "dashboard-practitioner-cy")


def test_a_browser_that_prefers_welsh_opens_the_dashboard_in_welsh(browser, live):
    context = browser.new_context(locale="cy-GB")  # Accept-Language and navigator.language: cy-GB
    opened = context.new_page()
    try:
        opened.goto(f"{live.base}/dashboard")
        sync_api.expect(opened.locator("h1")).to_have_text("Dangosfwrdd")
        assert opened.locator("html").get_attribute("lang") == "cy"
        assert opened.get_by_label("Enw defnyddiwr").is_visible()
    finally:
        context.close()


def test_the_dashboard_works_at_phone_width(browser, live):
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    phone = context.new_page()
    try:
        _sign_in(phone, live, INSPECTOR)
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # nothing off the side
        _no_accessibility_violations(phone)
        _screenshot(phone, "dashboard-phone")
    finally:
        context.close()


def test_the_page_loads_nothing_from_elsewhere_and_allows_no_inline_script(live):
    answer = httpx.get(f"{live.base}/dashboard")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "default-src 'none'" in policy
    assert "http" not in answer.text.replace(live.base, "")  # every asset is this origin's
    for asset in ("/static/dashboard/dashboard.js", "/static/dashboard/dashboard.css", "/static/chartjs/chart.umd.min.js"):
        assert httpx.get(f"{live.base}{asset}").status_code == 200, asset
