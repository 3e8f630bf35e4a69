// @vitest-environment happy-dom
// The connected summary's Sync part: resources (the models' inputs ticked), Sync now, progress, Cancel sync, the
// outcome, and the local tables, with Python played by the fake model.

import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { within } from "@testing-library/dom";
import { flush } from "./fake_model.js";
import { mount } from "./test_utils.js";
import { progressPercent, progressText, syncState, timeLeftText, updatedText } from "./sync_part.js";

beforeEach(() => {
  document.body.replaceChildren();
});
afterEach(() => {
  vi.useRealTimers();
});

const RESOURCES = [
  { name: "Shop", summary: "A store.", selected: true },
  { name: "Item", summary: "Products.", selected: true },
  { name: "Customer", summary: "Customers.", selected: false },
];

/** @param {Partial<import("./types.js").SyncPartState>} [sync] */
function connected(sync = {}) {
  return {
    name: "Store reports",
    status: /** @type {const} */ ("connected"),
    account_id: "12345",
    account_name: "Downtown",
    _granted_scopes: ["employee:all"],
    _sync: syncState({ resources: RESOURCES, ...sync }),
  };
}

/** @param {ReturnType<typeof mount>["screen"]} screen */
function syncGroup(screen) {
  return within(screen.getByRole("group", { name: "Sync" }));
}

/** @param {HTMLElement} el */
const box = (el) => /** @type {HTMLInputElement} */ (el);

const PROGRESS = {
  resource: "Item", phase: /** @type {const} */ ("page"), pages: 3, records: 300, total_pages: null, seconds_left: null,
  resources_done: 1, resources_total: 2, all_pages: 4, all_records: 310,
};

describe("the Sync part", () => {
  test("offers the readable resources, the models' inputs ticked, and syncs the ticked ones", async () => {
    const { screen, model } = mount(connected());
    const sync = syncGroup(screen);
    expect(box(sync.getByRole("checkbox", { name: "Shop" })).checked).toBe(true);
    expect(box(sync.getByRole("checkbox", { name: "Item" })).checked).toBe(true);
    expect(box(sync.getByRole("checkbox", { name: "Customer" })).checked).toBe(false);
    // Each resource says what it holds to a screen reader (and on hover).
    expect(sync.getByRole("checkbox", { name: "Item" }).getAttribute("aria-describedby")).toBeTruthy();
    const all = box(sync.getByRole("checkbox", { name: "Select all resources" }));
    expect(all.checked).toBe(false);
    expect(all.indeterminate).toBe(true);
    sync.getByRole("checkbox", { name: "Customer" }).click();
    expect(all.checked).toBe(true);
    sync.getByRole("checkbox", { name: "Shop" }).click();
    sync.getByRole("button", { name: "Sync now" }).click();
    await flush();
    // In the offer's order, whatever the order of the clicks.
    expect(model.requests("sync_start")).toEqual([
      expect.objectContaining({ type: "sync_start", resources: ["Item", "Customer"], full: false }),
    ]);
  });

  test("select all, and none: Sync now then says what to do and asks Python nothing", async () => {
    const { screen, model } = mount(connected());
    const sync = syncGroup(screen);
    const all = sync.getByRole("checkbox", { name: "Select all resources" });
    all.click();
    expect(RESOURCES.every((r) => box(sync.getByRole("checkbox", { name: r.name })).checked)).toBe(true);
    all.click();
    expect(RESOURCES.some((r) => box(sync.getByRole("checkbox", { name: r.name })).checked)).toBe(false);
    sync.getByRole("button", { name: "Sync now" }).click();
    await flush();
    expect(model.requests("sync_start")).toHaveLength(0);
    expect(sync.getByText("Choose at least one resource to sync.")).toBeTruthy();
    // Ticking one clears it.
    sync.getByRole("checkbox", { name: "Item" }).click();
    expect(sync.queryByText("Choose at least one resource to sync.")).toBeNull();
  });

  test("full sync on request", async () => {
    const { screen, model } = mount(connected());
    const sync = syncGroup(screen);
    sync.getByRole("checkbox", { name: "Read everything again (full sync)" }).click();
    sync.getByRole("button", { name: "Sync now" }).click();
    await flush();
    expect(model.requests("sync_start")[0]).toMatchObject({ resources: ["Shop", "Item"], full: true });
  });

  test("progress while running, Cancel sync, then what was kept and the tables", async () => {
    vi.useFakeTimers();
    const { screen, model } = mount(connected());
    const sync = syncGroup(screen);
    const syncNow = sync.getByRole("button", { name: "Sync now" });
    expect(sync.queryByRole("button", { name: "Cancel sync" })).toBeNull();
    expect(sync.queryByRole("progressbar")).toBeNull();
    syncNow.click();
    // Python starts it (the trait first, then the reply), on a thread of its own.
    model.pythonSet({ _sync: syncState({ resources: RESOURCES, running: true }) });
    await model.reply("sync_start");
    expect(syncNow.getAttribute("aria-disabled")).toBe("true");
    const bar = sync.getByRole("progressbar", { name: "Sync progress" });
    expect(bar.getAttribute("aria-valuetext")).toBe("Starting\u2026");
    expect(bar.hasAttribute("aria-valuenow")).toBe(false);
    vi.advanceTimersByTime(10);
    expect(screen.getByRole("status").textContent).toContain("Sync started.");
    // Checkboxes cannot change what is running.
    expect(box(sync.getByRole("checkbox", { name: "Item" })).disabled).toBe(true);
    model.pythonSet({ _sync: syncState({ resources: RESOURCES, running: true, progress: PROGRESS }) });
    expect(bar.getAttribute("aria-valuetext")).toBe("Item (2 of 2): 3 pages, 300 records");
    expect(bar.getAttribute("aria-valuenow")).toBe("50");
    expect(sync.getByText("Item (2 of 2): 3 pages, 300 records")).toBeTruthy();
    vi.advanceTimersByTime(10);
    expect(screen.getByRole("status").textContent).toContain("Syncing Item\u2026");
    // Cancel: one message, however many clicks.
    const cancel = sync.getByRole("button", { name: "Cancel sync" });
    cancel.focus();
    cancel.click();
    cancel.click();
    expect(model.requests("sync_cancel")).toEqual([{ type: "sync_cancel" }]);
    model.pythonSet({ _sync: syncState({ resources: RESOURCES, running: true, cancelling: true, progress: PROGRESS }) });
    expect(bar.getAttribute("aria-valuetext")).toContain("Cancelling");
    const kept = "Cancelled after 4 pages in 2 s (310 rows added, 0 updated, 0 deleted). Cancelled: every chunk committed before it is kept (Item (300 rows)). The next sync carries on from there.";
    model.pythonSet({
      _sync: syncState({
        resources: RESOURCES, running: false, result: kept,
        tables: [
          { table: "Item", rows: 300, kind: "raw", updated: "2026-12-07T16:40:00+00:00" },
          { table: "items", rows: 300, kind: "model", updated: null },
        ],
      }),
    });
    expect(sync.queryByRole("progressbar")).toBeNull();
    expect(sync.queryByRole("button", { name: "Cancel sync" })).toBeNull();
    // The keyboard was on Cancel sync, which went: it lands on Sync now, never on the page's body.
    expect(document.activeElement).toBe(syncNow);
    expect(syncNow.hasAttribute("aria-disabled")).toBe(false);
    expect(sync.getByText(kept)).toBeTruthy();
    vi.advanceTimersByTime(10);
    expect(screen.getByRole("status").textContent).toContain(kept);
    const table = sync.getByRole("table", { name: "Local tables" });
    const rows = within(table).getAllByRole("row").map((row) => [...row.children].map((cell) => cell.textContent));
    expect(rows).toEqual([
      ["Table", "Rows", "Last updated", "Kind"],
      ["Item", "300", updatedText("2026-12-07T16:40:00+00:00"), "Lightspeed"],
      ["items", "300", "Unknown", "Model"],
    ]);
  });

  test("Python's refusal and errors are shown, saying what to do", async () => {
    const { screen, model } = mount(connected());
    const sync = syncGroup(screen);
    sync.getByRole("button", { name: "Sync now" }).click();
    model.pythonSend({ type: "sync_start_reply", id: model.requests("sync_start")[0].id, ok: false,
      error: "A sync is already running: wait for it to finish, or cancel it." });
    await flush();
    expect(sync.getByText("A sync is already running: wait for it to finish, or cancel it.")).toBeTruthy();
    const failure = "Another sync is using this connection's tables: run it again once the first is done.";
    model.pythonSet({ _sync: syncState({ resources: RESOURCES, error: failure }) });
    // The view's own message wins until the next try; a new click clears it.
    sync.getByRole("button", { name: "Sync now" }).click();
    await flush();
    expect(sync.queryByText("A sync is already running: wait for it to finish, or cancel it.")).toBeNull();
    model.pythonSet({ _sync: syncState({ resources: RESOURCES, running: true }) });
    await model.reply("sync_start");
    model.pythonSet({ _sync: syncState({ resources: RESOURCES, error: failure }) });
    expect(sync.getByText(failure)).toBeTruthy();
  });

  test("no tables yet, and scopes that read nothing, say so", () => {
    const { screen } = mount(connected({ resources: [] }));
    const sync = syncGroup(screen);
    expect(sync.getByText(/No local tables yet/)).toBeTruthy();
    expect(sync.queryByRole("table")).toBeNull();
    expect(sync.getByText(/scopes read none of the resources/)).toBeTruthy();
    expect(box(sync.getByRole("checkbox", { name: "Select all resources" })).disabled).toBe(true);
  });

  test("a new offer from Python replaces the ticks; an unchanged one keeps the analyst's", () => {
    const { screen, model } = mount(connected());
    const sync = syncGroup(screen);
    sync.getByRole("checkbox", { name: "Customer" }).click();
    model.pythonSet({ _sync: syncState({ resources: RESOURCES, tables: [{ table: "Shop", rows: 2, kind: "raw", updated: null }] }) });
    expect(box(sync.getByRole("checkbox", { name: "Customer" })).checked).toBe(true);
    model.pythonSet({ _sync: syncState({ resources: RESOURCES.map((r) => ({ ...r, selected: r.name === "Customer" })) }) });
    expect(box(sync.getByRole("checkbox", { name: "Item" })).checked).toBe(false);
    expect(box(sync.getByRole("checkbox", { name: "Customer" })).checked).toBe(true);
  });

  test("hidden unless connected; a saved copy shows its tables, its controls disabled", async () => {
    const { screen, model } = mount({ name: "x", _sync: syncState({ resources: RESOURCES }) });
    expect(screen.queryByRole("group", { name: "Sync" })).toBeNull();
    model.pythonSet(connected());
    expect(screen.getByRole("group", { name: "Sync" })).toBeTruthy();

    vi.useFakeTimers();
    const saved = mount(connected({ tables: [{ table: "Sale", rows: 80, kind: "raw", updated: null }] }), undefined,
      { kernel: false });
    vi.advanceTimersByTime(5000);
    await flush();
    const savedSync = syncGroup(saved.screen);
    expect(savedSync.getByRole("table", { name: "Local tables" }).textContent).toContain("Sale");
    const fieldset = /** @type {HTMLFieldSetElement} */ (saved.el.querySelector("fieldset.ls-controls"));
    expect(fieldset.disabled).toBe(true);
    expect(fieldset.contains(savedSync.getByRole("button", { name: "Sync now" }))).toBe(true);
    // Even a click that gets through asks nothing of a Python that is not there.
    savedSync.getByRole("button", { name: "Sync now" }).click();
    await flush();
    expect(saved.model.requests("sync_start")).toHaveLength(0);
  });
});

describe("words", () => {
  test("time left", () => {
    expect(timeLeftText(null)).toBe("");
    expect(timeLeftText(0.2)).toBe("less than a second left");
    expect(timeLeftText(42.4)).toBe("about 42 s left");
    expect(timeLeftText(600)).toBe("about 10 min left");
  });

  test("progress", () => {
    expect(progressText(null)).toBe("Starting\u2026");
    expect(progressText({ ...PROGRESS, resources_total: 1, resources_done: 0, total_pages: 10, seconds_left: 30 }))
      .toBe("Item: 3 pages of 10, 300 records, about 30 s left");
    expect(progressText({ ...PROGRESS, resources_done: 2, phase: "end" }))
      .toBe("All 2 read (4 pages, 310 records); updating the models\u2026");
    expect(progressPercent(null)).toBeNull();
    expect(progressPercent({ ...PROGRESS, resources_done: 0, total_pages: 6 })).toBe(25);
    expect(progressPercent({ ...PROGRESS, resources_done: 2, phase: "end" })).toBe(100);
  });
});
