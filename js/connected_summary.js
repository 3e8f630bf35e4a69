// What the panel shows once connected, in place of the form: the account, the connection (name, API type, client),
// when the current access token expires, the scopes Lightspeed actually granted (from the token, which may differ
// from the ones asked for), and the buttons "Edit connection" (the form again) and "Disconnect"; below them the Sync
// part (sync_part.js): resources, "Sync now", progress, and the local tables.

import { button, h, setText } from "./dom.js";
import { createSyncPart } from "./sync_part.js";

/** @typedef {import("./types.js").ViewContext} ViewContext */

/**
 * The expiry as the analyst reads it: the local time, with the date when it is not today.
 * @param {number} epochSeconds
 * @param {number} [now]  Date.now(), for tests
 */
export function formatExpiry(epochSeconds, now = Date.now()) {
  const when = new Date(epochSeconds * 1000);
  const sameDay = when.toDateString() === new Date(now).toDateString();
  return sameDay
    ? when.toLocaleTimeString(undefined, { hour: "numeric", minute: "2-digit" })
    : when.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/**
 * @param {number} expiresAt  epoch seconds; 0 when unknown
 * @param {number} [now]
 */
export function expiryText(expiresAt, now = Date.now()) {
  if (!expiresAt) return "Access token renews automatically.";
  const time = formatExpiry(expiresAt, now);
  // A token that expired since Python last said so is renewed by the next request, not a problem to report.
  return expiresAt * 1000 > now
    ? `Access token renews automatically; the current one expires at ${time}.`
    : `Access token renews automatically; the last one expired at ${time} and the next request renews it.`;
}

/**
 * The account as the summary names it.
 * @param {string} name
 * @param {string} id
 */
export function accountText(name, id) {
  if (name && id) return `${name} (${id})`;
  return name || (id ? `account ${id}` : "Unknown account");
}

/**
 * The last sync as the analyst reads it: when (local time) and which tables; "Never" before the first.
 * @param {{ at?: string, resources?: string[], pages?: number }} lastSync  what Python says (the `_last_sync` trait)
 * @param {number} [now]  Date.now(), for tests
 */
export function lastSyncText(lastSync, now = Date.now()) {
  const when = lastSync.at ? Date.parse(lastSync.at) : NaN;
  if (Number.isNaN(when)) return "Never: Sync now (below) or conn.sync([...]) keeps the data at hand";
  const tables = (lastSync.resources ?? []).join(", ");
  return `${formatExpiry(when / 1000, now)}${tables ? ` (${tables})` : ""}`;
}

/**
 * @param {ViewContext} ctx
 * @param {object} [hooks]
 * @param {() => boolean} [hooks.isShown]  whether the summary is on show (the panel hides it while the analyst edits)
 * @param {() => void} [hooks.onEdit]      "Edit connection" was clicked
 * @param {() => void} [hooks.onFocusLeft] the summary went away while it had keyboard focus (e.g. Disconnect):
 *   the panel puts focus on a control of what replaced it, never on the page's body
 */
export function createConnectedSummary(ctx, { isShown, onEdit = () => {}, onFocusLeft = () => {} } = {}) {
  const { model } = ctx;
  const shown = isShown ?? (() => model.get("status") === "connected");
  const headingId = ctx.id("connected-heading");
  const scopesLabelId = ctx.id("granted-label");
  const scopes = h("div", { class: "ls-granted" });
  const expiry = h("dd", { class: "ls-fact-value" });
  const account = h("dd", { class: "ls-fact-value" });
  const connection = h("dd", { class: "ls-fact-value" });
  const synced = h("dd", { class: "ls-fact-value" });
  const editButton = button("Edit connection", { class: "ls-button" });
  // The state in words (colour alone says nothing to some); the dot is decoration. A saved copy with no Python
  // behind it says so instead: its reader may come days later, when nothing is connected any more.
  const badgeText = h("span", {}, "Connected");
  const badge = h("span", { class: "ls-badge ls-badge--success" }, h("span", { class: "ls-badge-dot", "aria-hidden": "true" }), badgeText);
  const expiryFact = h("div", { class: "ls-fact" }, h("dt", { class: "ls-label" }, "Access token"), expiry);
  const disconnect = button("Disconnect", { class: "ls-button" });
  /** @type {HTMLElement} */
  let element;
  const syncPart = createSyncPart(ctx, { isShown: () => Boolean(element) && !element.hidden });
  element = h(
    "div",
    { class: "ls-connected", role: "group", "aria-labelledby": headingId, hidden: true },
    h(
      "div",
      { class: "ls-connected-header" },
      h("h4", { class: "ls-subtitle", id: headingId }, "Sign-in"),
      badge,
    ),
    h(
      "dl",
      { class: "ls-facts" },
      h("div", { class: "ls-fact" }, h("dt", { class: "ls-label" }, "Account"), account),
      h("div", { class: "ls-fact" }, h("dt", { class: "ls-label" }, "Connection"), connection),
      expiryFact,
      h("div", { class: "ls-fact" }, h("dt", { class: "ls-label" }, "Last sync"), synced),
    ),
    h("span", { class: "ls-label", id: scopesLabelId }, "Granted scopes"),
    scopes,
    h("div", { class: "ls-row ls-connected-actions" }, editButton, disconnect),
    syncPart.element,
  );

  /** @type {string} the scope list last drawn, so an unchanged list is not rebuilt */
  let drawn = "";
  let disconnecting = false;

  const update = () => {
    const connected = model.get("status") === "connected";
    if (!connected) {
      disconnecting = false;
      disconnect.removeAttribute("aria-disabled");
    }
    const hide = !(connected && shown());
    const hadFocus = hide && !element.hidden && element.contains(element.ownerDocument?.activeElement ?? null);
    element.hidden = hide;
    if (hadFocus) onFocusLeft();
    if (element.hidden) return;
    const saved = ctx.link?.state === "absent";
    badge.classList.toggle("ls-badge--success", !saved);
    badge.classList.toggle("ls-badge--saved", saved);
    element.classList.toggle("ls-connected--saved", saved);
    setText(badgeText, saved ? "Saved copy" : "Connected");
    // No expiry on a saved copy: a time that passed long ago, or one still to come, would both read as live news.
    expiryFact.hidden = saved;
    const granted = model.get("_granted_scopes") ?? [];
    const key = JSON.stringify(granted);
    if (key !== drawn) {
      drawn = key;
      scopes.replaceChildren(
        granted.length
          ? h(
              "ul",
              { class: "ls-chips", "aria-labelledby": scopesLabelId },
              ...granted.map((scope) => h("li", { class: "ls-chip" }, scope)),
            )
          : h("p", { class: "ls-hint" }, "Lightspeed did not list the granted scopes."),
      );
    }
    setText(account, accountText(model.get("account_name") ?? "", model.get("account_id") ?? ""));
    const profile = model.get("_profiles")?.[model.get("api_type")];
    const client = profile?.client_source === "user" ? model.get("oauth_client") : null;
    setText(
      connection,
      [model.get("name") || "Unnamed", profile?.label ?? model.get("api_type"), client && `client ${client}`]
        .filter(Boolean)
        .join(" \u00b7 "),
    );
    setText(expiry, saved ? "" : expiryText(model.get("_expires_at") ?? 0));
    setText(synced, lastSyncText(model.get("_last_sync") ?? {}));
    syncPart.update();
  };

  editButton.addEventListener("click", () => onEdit(), { signal: ctx.signal });
  disconnect.addEventListener(
    "click",
    () => {
      // aria-disabled, not disabled: a native disabled button would drop keyboard focus to <body>.
      if (disconnecting) return;
      disconnecting = true;
      disconnect.setAttribute("aria-disabled", "true");
      model.send({ type: "disconnect" });
      ctx.announce("Disconnecting\u2026", { holdsWhile: (status) => status === "connected" });
    },
    { signal: ctx.signal },
  );

  update();
  return { element, update, editButton };
}
