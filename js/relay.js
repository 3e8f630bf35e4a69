// Catching the redirect through the Jupyter server route. Lightspeed sends the browser to
// `<base_url>ls-widget/oauth/callback`, whose static page (ls_widget/capture/callback.html) relays the query both on
// a BroadcastChannel (same origin as the notebook; survives a provider page whose Cross-Origin-Opener-Policy cut
// `window.opener`) and by postMessage to its opener. The page validates nothing, so this side does: the message
// type, for postMessage the origin and the sending window, and above all `state`, which must be the one this view
// is waiting for. Several panels (and several views of one panel) may listen at once: each one takes only its own
// sign-in, and a result is taken once although both routes deliver it.

import { isClosed } from "./popup.js";

/** @typedef {import("./types.js").RedirectResult} RedirectResult */

export const CHANNEL_NAME = "ls-widget-oauth";
export const REDIRECT_TYPE = "ls-widget-oauth-redirect";
export const ACK_TYPE = "ls-widget-oauth-ack";

/**
 * The relayed result, or null for anything that is not one (other pages use postMessage too).
 * @param {unknown} data
 * @returns {RedirectResult | null}
 */
export function readResult(data) {
  if (!data || typeof data !== "object") return null;
  const record = /** @type {Record<string, unknown>} */ (data);
  if (record.type !== REDIRECT_TYPE || typeof record.state !== "string" || !record.state) return null;
  /** @param {unknown} value */
  const text = (value) => (typeof value === "string" && value ? value : null);
  return {
    code: text(record.code),
    state: record.state,
    error: text(record.error),
    error_description: text(record.error_description),
  };
}

/**
 * Listen on both routes until `signal` aborts (which also closes the channel).
 * @param {Window} win
 * @param {object} options
 * @param {() => string | null} options.pendingState  the state this view waits for; null when none
 * @param {() => Window | null} options.popup         the sign-in window this view opened, if any
 * @param {(result: RedirectResult) => void} options.onResult  called once per state, after the acknowledgement
 * @param {AbortSignal} signal
 */
export function listenForRedirect(win, { pendingState, popup, onResult }, signal) {
  // Every current browser has BroadcastChannel; without it, postMessage alone still works while the opener lives.
  const channel = typeof globalThis.BroadcastChannel === "function" ? new BroadcastChannel(CHANNEL_NAME) : null;
  /** @type {Set<string>} states already forwarded */
  const handled = new Set();

  /**
   * @param {unknown} data
   * @param {((ack: { type: string, state: string }) => void) | null} reply
   */
  const receive = (data, reply) => {
    const result = readResult(data);
    if (!result || handled.has(result.state) || result.state !== pendingState()) return;
    handled.add(result.state);
    // Tell the callback page it can close: on the channel always (it listens there even when its opener is gone),
    // and back to the window that posted, when it came that way.
    const ack = { type: ACK_TYPE, state: result.state };
    channel?.postMessage(ack);
    reply?.(ack);
    onResult(result);
  };

  channel?.addEventListener("message", (event) => receive(event.data, null), { signal });

  win.addEventListener(
    "message",
    (event) => {
      if (event.origin !== win.location.origin) return;
      // With a live handle on the sign-in window, only that window may speak. A severed handle (COOP) or a link
      // opened in a new tab leaves nothing to compare with: origin and state carry the check then.
      const expected = popup();
      if (expected && !isClosed(expected) && event.source !== expected) return;
      const source = /** @type {Window | null} */ (event.source);
      receive(event.data, (ack) => {
        try {
          source?.postMessage(ack, event.origin);
        } catch {
          // The window went away meanwhile; the channel carried the acknowledgement too.
        }
      });
    },
    { signal },
  );

  signal.addEventListener("abort", () => channel?.close());
}
