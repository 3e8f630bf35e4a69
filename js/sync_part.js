// The connected summary's Sync part: which resources to keep as local tables (those the granted scopes can read, the
// models' inputs ticked), "Sync now", the progress while Python syncs on a thread of its own (resource, pages,
// records, time left), "Cancel sync" (it keeps what was committed), what the last sync did or what went wrong, and
// the local tables with their rows and when each was last brought up to date.
//
// Python owns the state (the `_sync` trait, ls_widget/panel_sync.py); this view keeps only the ticks the analyst has
// not synced yet. Milestones (started, done, cancelled, failed) go to the panel's one live region through
// `ctx.announce`; the pages and records, which change several times a second, are in a progress bar's text, read
// when the analyst asks for it, never announced on every page.

import { button, h, setText } from "./dom.js";
import { suppressWithin } from "./keyboard.js";

/** @typedef {import("./types.js").ViewContext} ViewContext */
/** @typedef {import("./types.js").SyncPartState} SyncPartState */
/** @typedef {import("./types.js").SyncProgress} SyncProgress */
/** @typedef {import("./types.js").LocalTable} LocalTable */

/** @type {SyncPartState} */
const EMPTY = { running: false, cancelling: false, resources: [], progress: null, error: "", result: "", tables: [] };

/**
 * Python's state, every key present whatever a saved notebook or an older kernel holds.
 * @param {Partial<SyncPartState> | null | undefined} state
 * @returns {SyncPartState}
 */
export function syncState(state) {
  return { ...EMPTY, ...(state ?? {}) };
}

/**
 * A count as the analyst reads it: 1,234.
 * @param {number} n
 */
function count(n) {
  return Number(n ?? 0).toLocaleString();
}

/**
 * The time left in words, or "" when unknown.
 * @param {number | null | undefined} seconds
 */
export function timeLeftText(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "";
  if (seconds < 1) return "less than a second left";
  if (seconds < 90) return `about ${Math.round(seconds)} s left`;
  return `about ${Math.round(seconds / 60)} min left`;
}

/**
 * Where a running sync stands, in words: "Sale (2 of 5): 12 pages, 1,200 records, about 40 s left".
 * @param {SyncProgress | null} progress
 * @param {boolean} cancelling
 */
export function progressText(progress, cancelling = false) {
  if (cancelling) return "Cancelling: committing the pages already fetched\u2026";
  if (!progress) return "Starting\u2026";
  if (progress.resources_total && progress.resources_done >= progress.resources_total) {
    return `All ${progress.resources_total} read (${count(progress.all_pages)} pages, ${count(progress.all_records)} records); updating the models\u2026`;
  }
  const position = progress.resources_total > 1 ? ` (${progress.resources_done + 1} of ${progress.resources_total})` : "";
  const pages = `${count(progress.pages)} page${progress.pages === 1 ? "" : "s"}`;
  const of = progress.total_pages ? ` of ${count(progress.total_pages)}` : "";
  const left = timeLeftText(progress.seconds_left);
  return `${progress.resource}${position}: ${pages}${of}, ${count(progress.records)} records${left ? `, ${left}` : ""}`;
}

/**
 * How far the sync is, 0-100: resources done, plus the share of the current one's pages when its total is known.
 * @param {SyncProgress | null} progress
 * @returns {number | null}  null while nothing can be said (the bar is then indeterminate)
 */
export function progressPercent(progress) {
  if (!progress || !progress.resources_total) return null;
  const share = progress.total_pages ? Math.min(1, progress.pages / progress.total_pages) : 0;
  const done = Math.min(progress.resources_total, progress.resources_done + (progress.phase === "end" ? 0 : share));
  return Math.round((done / progress.resources_total) * 100);
}

/**
 * When a table was last brought up to date, as local time (with the date unless it is today).
 * @param {string | null} iso
 * @param {number} [now]  Date.now(), for tests
 */
export function updatedText(iso, now = Date.now()) {
  const when = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(when)) return "Unknown";
  const date = new Date(when);
  return date.toDateString() === new Date(now).toDateString()
    ? date.toLocaleTimeString(undefined, { hour: "numeric", minute: "2-digit" })
    : date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/**
 * @param {ViewContext} ctx
 * @param {object} [hooks]
 * @param {() => boolean} [hooks.isShown]  whether the part is on show (the connected summary is)
 */
export function createSyncPart(ctx, { isShown = () => true } = {}) {
  const { model } = ctx;
  const headingId = ctx.id("sync-heading");
  const legendId = ctx.id("sync-legend");
  const progressTextId = ctx.id("sync-progress-text");

  const selectAll = h("input", { type: "checkbox", class: "ls-checkbox", id: ctx.id("sync-all") });
  const list = h("ul", { class: "ls-sync-resources", "aria-labelledby": legendId });
  const noResources = h("p", { class: "ls-hint", hidden: true },
    "This sign-in's scopes read none of the resources: add a scope with Edit connection, then Edit scopes.");
  const full = h("input", { type: "checkbox", class: "ls-checkbox", id: ctx.id("sync-full") });
  const syncNow = button("Sync now", { class: "ls-button ls-button--primary" });
  const cancel = button("Cancel sync", { class: "ls-button", hidden: true });
  const bar = h("div", { class: "ls-progress-fill" });
  const progressbar = h("div", {
    class: "ls-progress", role: "progressbar", "aria-label": "Sync progress", "aria-valuemin": "0",
    "aria-valuemax": "100", "aria-describedby": progressTextId,
  }, bar);
  const progressLine = h("p", { class: "ls-sync-progress-text", id: progressTextId });
  const progress = h("div", { class: "ls-sync-progress", hidden: true }, progressbar, progressLine);
  const result = h("p", { class: "ls-sync-result", hidden: true });
  const error = h("p", { class: "ls-field-error ls-sync-error", hidden: true });
  const tableBody = h("tbody");
  const table = h(
    "table",
    { class: "ls-sync-tables" },
    h("caption", { class: "ls-label" }, "Local tables"),
    h(
      "thead",
      {},
      h("tr", {},
        h("th", { scope: "col" }, "Table"),
        h("th", { scope: "col", class: "ls-num" }, "Rows"),
        h("th", { scope: "col" }, "Last updated"),
        h("th", { scope: "col" }, "Kind")),
    ),
    tableBody,
  );
  const noTables = h("p", { class: "ls-hint" }, "No local tables yet: choose resources and click Sync now.");

  const element = h(
    "div",
    { class: "ls-sync", role: "group", "aria-labelledby": headingId },
    h("h4", { class: "ls-subtitle", id: headingId }, "Sync"),
    h(
      "fieldset",
      { class: "ls-sync-choice" },
      h("legend", { class: "ls-label", id: legendId }, "Resources to sync"),
      h("label", { class: "ls-check ls-check--all" }, selectAll, h("span", {}, "Select all resources")),
      list,
      noResources,
    ),
    h("label", { class: "ls-check" }, full, h("span", {}, "Read everything again (full sync)")),
    h("div", { class: "ls-row ls-sync-actions" }, syncNow, cancel),
    progress,
    error,
    result,
    table,
    noTables,
  );

  /** @type {Set<string>} the resources ticked in this view */
  let chosen = new Set();
  /** @type {string} Python's offer last drawn (names and ticks), so an unchanged offer keeps the analyst's ticks */
  let offered = "";
  /** @type {string} */
  let tablesDrawn = "";
  /** the view asked Python to start a sync and has no answer yet */
  let starting = false;
  /** the view asked Python to cancel the running sync */
  let cancelAsked = false;
  /** what this view has to say about its own request (nothing chosen, Python refused): shown until the next try */
  let localError = "";
  let wasRunning = false;
  /** the first draw says nothing: a view drawn while a sync runs (or after one) has no news to announce */
  let first = true;
  /** @type {string} the resource last announced, so each resource is announced once */
  let announcedResource = "";
  /** @type {Map<string, HTMLInputElement>} */
  const boxes = new Map();

  /** @param {SyncPartState} state */
  function drawResources(state) {
    const key = JSON.stringify(state.resources.map((r) => [r.name, r.selected]));
    if (key === offered) return;
    offered = key;
    chosen = new Set(state.resources.filter((r) => r.selected).map((r) => r.name));
    boxes.clear();
    list.replaceChildren(
      ...state.resources.map((resource) => {
        const describedId = ctx.id(`sync-about-${resource.name}`);
        const box = h("input", {
          type: "checkbox", class: "ls-checkbox", value: resource.name, "aria-describedby": describedId,
        });
        box.checked = chosen.has(resource.name);
        box.addEventListener("change", () => {
          if (box.checked) chosen.add(resource.name);
          else chosen.delete(resource.name);
          localError = "";
          drawChoice();
          drawMessages(syncState(model.get("_sync")));
        }, { signal: ctx.signal });
        boxes.set(resource.name, box);
        return h(
          "li",
          { class: "ls-sync-resource", title: resource.summary },
          h("label", { class: "ls-check" }, box, h("span", { class: "ls-sync-name" }, resource.name)),
          h("span", { class: "ls-visually-hidden", id: describedId }, resource.summary),
        );
      }),
    );
    suppressWithin(list);
    noResources.hidden = state.resources.length > 0;
    drawChoice();
  }

  /** "Select all" reflects the ticks: ticked, unticked, or mixed. */
  function drawChoice() {
    const total = boxes.size;
    selectAll.checked = total > 0 && chosen.size === total;
    selectAll.indeterminate = chosen.size > 0 && chosen.size < total;
    selectAll.disabled = total === 0;
  }

  /** @param {SyncPartState} state */
  function drawRunning(state) {
    if (!state.running) cancelAsked = false;
    const busy = state.running || starting;
    // aria-disabled, not disabled: a native disabled button would drop keyboard focus to <body>.
    if (busy) syncNow.setAttribute("aria-disabled", "true");
    else syncNow.removeAttribute("aria-disabled");
    const cancelHadFocus = cancel.ownerDocument?.activeElement === cancel;
    cancel.hidden = !state.running;
    if (state.cancelling || cancelAsked) cancel.setAttribute("aria-disabled", "true");
    else cancel.removeAttribute("aria-disabled");
    if (cancelHadFocus && cancel.hidden) syncNow.focus();
    for (const box of [selectAll, full, ...boxes.values()]) box.disabled = state.running || (box === selectAll && boxes.size === 0);
    progress.hidden = !state.running;
    if (state.running) {
      const text = progressText(state.progress, state.cancelling);
      setText(progressLine, text);
      progressbar.setAttribute("aria-valuetext", text);
      const percent = progressPercent(state.progress);
      if (percent === null) {
        progressbar.removeAttribute("aria-valuenow");
        bar.classList.add("ls-progress-fill--unknown");
        bar.style.width = "";
      } else {
        progressbar.setAttribute("aria-valuenow", String(percent));
        bar.classList.remove("ls-progress-fill--unknown");
        bar.style.width = `${percent}%`;
      }
    }
  }

  /** @param {SyncPartState} state */
  function drawMessages(state) {
    const problem = localError || (state.running ? "" : state.error);
    setText(error, problem);
    error.hidden = !problem;
    const said = state.running ? "" : state.result;
    setText(result, said);
    result.hidden = !said;
  }

  /** @param {SyncPartState} state */
  function drawTables(state) {
    const key = JSON.stringify(state.tables);
    if (key === tablesDrawn) return;
    tablesDrawn = key;
    tableBody.replaceChildren(
      ...state.tables.map((t) =>
        h("tr", {},
          h("th", { scope: "row", class: "ls-sync-table-name" }, t.table),
          h("td", { class: "ls-num" }, count(t.rows)),
          h("td", {}, updatedText(t.updated)),
          h("td", {}, t.kind === "model" ? "Model" : "Lightspeed")),
      ),
    );
    table.hidden = state.tables.length === 0;
    noTables.hidden = state.tables.length > 0;
  }

  /** Say the moments that matter in the panel's live region: started, each resource, done, cancelled, failed.
   * @param {SyncPartState} state */
  function announce(state) {
    if (first) {
      first = false;
      announcedResource = state.progress?.resource ?? "";
    } else if (state.running) {
      const resource = state.progress?.resource ?? "";
      if (!wasRunning) ctx.announce("Sync started.");
      else if (resource && resource !== announcedResource) ctx.announce(`Syncing ${resource}\u2026`);
      announcedResource = resource;
    } else if (wasRunning) {
      announcedResource = "";
      if (state.error) ctx.announce(`Sync failed: ${state.error}`);
      else if (state.result) ctx.announce(state.result);
    }
    wasRunning = state.running;
  }

  const update = () => {
    if (!isShown()) return;
    const state = syncState(model.get("_sync"));
    drawResources(state);
    drawRunning(state);
    drawMessages(state);
    drawTables(state);
    announce(state);
  };

  selectAll.addEventListener("change", () => {
    chosen = selectAll.checked ? new Set(boxes.keys()) : new Set();
    for (const [name, box] of boxes) box.checked = chosen.has(name);
    localError = "";
    drawChoice();
    drawMessages(syncState(model.get("_sync")));
  }, { signal: ctx.signal });

  syncNow.addEventListener("click", async () => {
    const state = syncState(model.get("_sync"));
    // A saved copy has no Python to ask (its controls are disabled; this is for a click that gets through anyway).
    if (starting || state.running || ctx.link.state === "absent") return;
    // In Python's order, whatever order they were ticked in.
    const resources = state.resources.map((r) => r.name).filter((name) => chosen.has(name));
    if (!resources.length) {
      localError = "Choose at least one resource to sync.";
      drawMessages(state);
      ctx.announce(localError);
      return;
    }
    localError = "";
    starting = true;
    drawRunning(state);
    drawMessages(state);
    try {
      const reply = await ctx.link.request("sync_start", { resources, full: full.checked });
      if (!reply.ok) {
        localError = "error" in reply ? reply.error : "Python did not start the sync.";
        ctx.announce(`Sync did not start: ${localError}`);
      }
    } catch (problem) {
      if (ctx.signal.aborted) return;
      localError = "Python did not answer: run the panel's cell again, then Sync now.";
      ctx.announce(localError);
    } finally {
      starting = false;
    }
    if (!ctx.signal.aborted) update();
  }, { signal: ctx.signal });

  cancel.addEventListener("click", () => {
    const state = syncState(model.get("_sync"));
    if (!state.running || state.cancelling || cancelAsked) return;
    cancelAsked = true;
    cancel.setAttribute("aria-disabled", "true");
    model.send({ type: "sync_cancel" });
  }, { signal: ctx.signal });

  ctx.listen("change:_sync", update);
  update();
  return { element, update };
}
