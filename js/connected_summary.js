// What the panel shows once connected, under the form: the scopes Lightspeed actually granted (from the token,
// which may differ from the ones asked for), when the current access token expires, and "Disconnect". The account
// itself is named in the status region ("Connected to ... (...)").

import { button, h, setText } from "./dom.js";

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

/** @param {ViewContext} ctx */
export function createConnectedSummary(ctx) {
  const { model } = ctx;
  const headingId = ctx.id("connected-heading");
  const scopesLabelId = ctx.id("granted-label");
  const scopes = h("div", { class: "ls-granted" });
  const expiry = h("p", { class: "ls-hint" });
  const disconnect = button("Disconnect", { class: "ls-button" });
  const element = h(
    "div",
    { class: "ls-connected", role: "group", "aria-labelledby": headingId, hidden: true },
    h("h4", { class: "ls-subtitle", id: headingId }, "Sign-in"),
    h("span", { class: "ls-label", id: scopesLabelId }, "Granted scopes"),
    scopes,
    expiry,
    h("div", { class: "ls-row" }, disconnect),
  );

  /** @type {string} the scope list last drawn, so an unchanged list is not rebuilt */
  let drawn = "";
  let disconnecting = false;

  const update = () => {
    const connected = model.get("status") === "connected";
    element.hidden = !connected;
    if (!connected) {
      disconnecting = false;
      disconnect.removeAttribute("aria-disabled");
      return;
    }
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
          : h("p", { class: "ls-muted" }, "Lightspeed did not list the granted scopes."),
      );
    }
    setText(expiry, expiryText(model.get("_expires_at") ?? 0));
  };

  disconnect.addEventListener(
    "click",
    () => {
      // aria-disabled, not disabled: a native disabled button would drop keyboard focus to <body>.
      if (disconnecting) return;
      disconnecting = true;
      disconnect.setAttribute("aria-disabled", "true");
      model.send({ type: "disconnect" });
      ctx.announce("Disconnecting\u2026");
    },
    { signal: ctx.signal },
  );

  update();
  return { element, update };
}
