"""The staff console in real Chromium against the real stack (seeded demo data)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ROOT, log_in

pytestmark = pytest.mark.e2e
SCREENSHOTS = ROOT / "var" / "test-results"
CHARTS = ("trend", "distribution", "nps", "channel", "intent", "complaints", "sla")


def test_console_needs_a_login(page: Page, urls) -> None:
    page.goto(urls["crm"] + "/console/dashboard.html")
    expect(page).to_have_url(re.compile(r"/console/index\.html\?next="), timeout=15_000)
    page.fill("#username", "zhangzhuguan")
    page.fill("#password", "wrong-password")
    page.click("#submit")
    expect(page.locator("#error")).to_have_text("用户名或密码错误")


def test_supervisor_sees_the_dashboard_charts(page: Page, urls) -> None:
    console = urls["crm"] + "/console/"
    log_in(page, console, "zhangzhuguan")
    expect(page).to_have_url(re.compile(r"dashboard\.html"), timeout=15_000)
    expect(page.locator("body[data-loaded=true]")).to_have_count(1, timeout=15_000)
    expect(page.locator("#who")).to_contain_text("张主管")

    for name in CHARTS:
        chart = page.locator(f"svg.chart[data-chart={name}]")
        expect(chart).to_have_count(1)
        marks = chart.locator(".bar, .point")
        assert marks.count() > 0, f"chart {name} has no data marks"
        values = [
            float(v)
            for v in marks.evaluate_all("els => els.map(e => e.getAttribute('data-value'))")
        ]
        assert any(v > 0 for v in values), f"chart {name} drawn without data"
    # 30 days of seeded ratings: a point per day, all five scores, several intents
    assert page.locator("svg[data-chart=trend] circle").count() >= 25
    assert page.locator("svg[data-chart=distribution] .bar").count() == 5
    assert page.locator("svg[data-chart=intent] .bar").count() >= 5
    expect(page.locator("#kpi-csat .value")).to_have_text(re.compile(r"^\d+(\.\d)?%$"))
    expect(page.locator("#comments li").first).to_contain_text("★")
    # the bars have a real size on screen, not just DOM nodes
    bars = page.locator("svg[data-chart=distribution] .bar")
    heights = [box["height"] for box in (bars.nth(i).bounding_box() for i in range(5)) if box]
    assert len(heights) == 5 and max(heights) > 40, heights

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)

    # filters: one channel, a week's trend
    total = page.locator("#kpi-csat .sub").inner_text()
    page.select_option("#channel", "app")
    page.select_option("#granularity", "week")
    page.click("#filters button[type=submit]")
    expect(page.locator("#kpi-csat .sub")).not_to_have_text(total, timeout=15_000)
    assert page.locator("svg[data-chart=trend] circle").count() <= 12
    assert page.locator("svg[data-chart=channel] .bar").count() == 1


def test_agent_works_complaints_of_their_branch(page: Page, urls) -> None:
    console = urls["crm"] + "/console/"
    log_in(page, console, "xiaoli")
    expect(page).to_have_url(re.compile(r"complaints\.html"), timeout=15_000)
    rows = page.locator("#rows tr.link")
    expect(rows.first).to_be_visible(timeout=15_000)
    branches = rows.locator("td:nth-child(4)").all_inner_texts()
    assert branches and set(branches) == {"北京分行"}
    rows.first.click()
    expect(page.locator("#title")).to_contain_text("投诉 TS", timeout=15_000)
    expect(page.locator("#notes li").first).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "complaint-detail.png"), full_page=True)
