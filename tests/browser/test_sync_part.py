"""The connected summary's Sync part in a real JupyterLab 4 and Chromium, against the sandbox (run in the notebook's own
kernel): pick resources by keyboard, Sync now, see the progress and then the local tables with their row counts; run
another cell while a slow sync runs (the kernel is not blocked); cancel, and see what was kept; no axe violation.
"""

from __future__ import annotations

import contextlib
import re

import pytest
from playwright.sync_api import expect

from .lab_harness import CURRENT_NOTEBOOK, add_and_run_cell, run_python
from .test_accessibility import _require_axe, assert_accessible  # noqa: F401 (fixture)
from .test_sign_in import sign_in

pytestmark = pytest.mark.browser

FAST = "bucket_size=1e6, drip_rate=1e6, burst_limit=10**6"
SLOW = "bucket_size=2, drip_rate=1, burst_limit=10"  # a page a second: 8,000 items take over a minute
SYNC_CELL = (
    "from ls_widget import sandbox\n"
    "demo = sandbox.start(items={items}, customers=20, sales=80, employees=2, categories=3, {rate})\n"
    "conn = demo.connection(name={name!r})\n"
    "conn"
)


@pytest.fixture
def sync_lab(make_lab):
    labs = []

    def factory(items: int, rate: str):
        # A connection of its own per test: the kernels share the harness's store, and a second test syncing into
        # the first one's tables would carry on from its high-water mark instead of pulling everything.
        lab = make_lab(SYNC_CELL.format(items=items, rate=rate, name=f"Sync part {len(labs) + 1} {items}"))
        labs.append(lab)
        sign_in(lab)
        return lab

    yield factory
    for lab in labs:
        with contextlib.suppress(Exception):
            if not lab.page.is_closed():
                run_python(lab.page, "conn._sync_part.stop(10)\ndemo.stop()")


def sync_part(root):
    return root.get_by_role("group", name="Sync", exact=True)


def checkbox(part, name: str):
    return part.get_by_role("checkbox", name=name, exact=True)


def untick_all(page, part) -> None:
    """By keyboard: Space on "Select all resources" until nothing is ticked."""
    select_all = checkbox(part, "Select all resources")
    select_all.focus()
    page.keyboard.press("Space")  # mixed -> all
    expect(select_all).to_be_checked()
    page.keyboard.press("Space")  # all -> none
    expect(select_all).not_to_be_checked()


def test_sync_by_keyboard_shows_progress_then_the_tables(sync_lab):
    lab = sync_lab(60, FAST)
    page, root = lab.page, lab.panel
    part = sync_part(root)
    expect(part).to_be_visible()
    # The models' inputs the scopes can read come ticked; the rest not.
    ticked = lab.value("[r['name'] for r in conn._sync['resources'] if r['selected']]")
    assert {"Sale", "Item", "Shop", "Customer"} <= set(ticked)
    for name in ticked:
        expect(checkbox(part, name)).to_be_checked()
    expect(part.get_by_text("No local tables yet", exact=False)).to_be_visible()

    # Nothing ticked: Sync now says what to do (and the state passes axe).
    untick_all(page, part)
    sync_now = part.get_by_role("button", name="Sync now", exact=True)
    sync_now.focus()
    page.keyboard.press("Enter")
    expect(part.get_by_text("Choose at least one resource to sync.")).to_be_visible()
    assert_accessible(lab, "sync-nothing-chosen")

    # Tab from "Select all" to the first resource, Space ticks it; then Item; Enter on Sync now.
    checkbox(part, "Select all resources").focus()
    page.keyboard.press("Tab")
    ticked_first = lab.value("conn._sync['resources'][0]['name']")
    expect(checkbox(part, ticked_first)).to_be_focused()
    page.keyboard.press("Space")
    checkbox(part, "Item").focus()
    page.keyboard.press("Space")
    expect(checkbox(part, "Item")).to_be_checked()
    expect(part.get_by_text("Choose at least one resource to sync.")).to_be_hidden()
    sync_now.focus()
    page.keyboard.press("Enter")

    table = part.get_by_role("table", name="Local tables")
    expect(table).to_be_visible(timeout=60_000)
    expect(table.get_by_role("row", name=re.compile(r"^Item 60 "))).to_be_visible()
    expect(table.get_by_role("row", name=re.compile(rf"^{ticked_first} "))).to_be_visible()
    expect(part.get_by_text(re.compile(r"^Synced 2 tables"))).to_be_visible()
    expect(root.get_by_role("status")).to_contain_text("Synced 2 tables")
    assert lab.value("int(conn.sql('select count(*) as n from Item')['n'][0])") == 60
    assert lab.value("conn._sync['running']") is False
    assert_accessible(lab, "synced", shots=True)


def test_the_kernel_stays_usable_while_a_slow_sync_runs_and_cancel_keeps_what_was_committed(sync_lab):
    lab = sync_lab(8000, SLOW)
    page, root = lab.page, lab.panel
    part = sync_part(root)
    untick_all(page, part)
    checkbox(part, "Item").focus()
    page.keyboard.press("Space")
    part.get_by_role("button", name="Sync now", exact=True).click()

    bar = part.get_by_role("progressbar", name="Sync progress")
    expect(bar).to_be_visible()
    expect(bar).to_have_attribute("aria-valuetext", re.compile(r"^Item: \d+ pages?, [\d,]+ records"), timeout=30_000)
    expect(part.get_by_text(re.compile(r"^Item: [1-9]\d* pages?, [\d,]+ records"))).to_be_visible(timeout=30_000)

    # Another cell runs at once while the sync goes on in the kernel.
    index = add_and_run_cell(page, "answer = 6 * 7\nprint(answer)")
    cell = page.locator(f"{CURRENT_NOTEBOOK} .jp-Cell").nth(index)
    expect(cell.locator(".jp-OutputArea-output")).to_have_text(re.compile(r"^\s*42\s*$"))
    assert lab.value("conn._sync_part.running") is True
    expect(bar).to_be_visible()
    assert_accessible(lab, "syncing")

    cancel = part.get_by_role("button", name="Cancel sync", exact=True)
    # Still running (a failure here says how the sync ended instead: its error or result, from Python's state).
    assert lab.value("conn._sync_part.running") is True, lab.value("{k: conn._sync[k] for k in ('error', 'result')}")
    cancel.focus()
    page.keyboard.press("Enter")
    result = part.get_by_text(re.compile(r"^Cancelled after"))
    expect(result).to_be_visible(timeout=60_000)
    expect(result).to_contain_text("The next sync carries on from there.")
    expect(bar).to_be_hidden()
    expect(part.get_by_role("button", name="Sync now", exact=True)).to_be_focused()  # not lost to the page
    kept = lab.value("int(conn.sql('select count(*) as n from Item')['n'][0])")
    assert 0 < kept < 8000
    row = part.get_by_role("table", name="Local tables").get_by_role("row", name=re.compile(r"^Item "))
    expect(row).to_contain_text(f"{kept:,}")
    assert_accessible(lab, "sync-cancelled")
