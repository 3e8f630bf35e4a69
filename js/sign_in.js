// One sign-in attempt of this view, from the "Save and authorize" click to Python's answer:
//   click ─▶ open the sign-in window (inside the click) ─▶ request `authorize`
//         ◀─ its reply: Lightspeed's address ─▶ point the window at Lightspeed, remember its `state`
//         ◀─ the Jupyter route relays {code, state} (relay.js) ─▶ send `redirect`, acknowledge, close the window
//            or the analyst pastes the address (paste_field.js) ─▶ send `complete`
//         ◀─ Python sets `status` to "connected" or "error" ─▶ the attempt is over
// The attempt lives in this view only: the pending `state` is never a trait (another view of the same model, or
// another panel, must not take this sign-in's result), and Python's own answer is what counts in the end.

import { h } from "./dom.js";
import { suppressShortcuts } from "./keyboard.js";
import { closeWindow, navigate, openSignInWindow, POPUP_NAME_PREFIX, watchClosed } from "./popup.js";
import { listenForRedirect } from "./relay.js";
import { unlessExpected } from "./kernel_link.js";
import { EXPIRED_TEXT } from "./paste_field.js";

/** @typedef {import("./types.js").ViewContext} ViewContext */
/** @typedef {import("./types.js").Reply} Reply */
/** @typedef {import("./types.js").RedirectResult} RedirectResult */
/** @typedef {import("./types.js").Status} Status */

export const BLOCKED_TEXT = "Your browser blocked the sign-in window.";
export const LINK_TEXT = "Open the Lightspeed sign-in";
export const CLOSED_EARLY_TEXT = "The sign-in window was closed before Lightspeed's page opened.";
export const POPUP_CLOSED_TEXT =
  "The panel lost track of the sign-in window (it was closed, or the sign-in page cut its link to this page). If you " +
  "approved, the result is on its way; otherwise click Save and authorize to try again.";
export const SIGN_IN_TEXT = "Sign in to Lightspeed and approve access in the window that opened.";
// Paste mode: the paste box appears with the sign-in, and this line (in the live region) is how a screen reader
// learns of it.
export const SIGN_IN_PASTE_TEXT =
  "Sign in to Lightspeed and approve access in the window that opened, then paste the address that window lands " +
  "on into Redirected URL below.";
// Paste mode: the analyst closes the window to copy its address, so nothing is on its way; the box is the next step.
export const PASTE_CLOSED_TEXT =
  "The sign-in window was closed. If you approved access, paste the address you landed on " +
  "(https://localhost/?code=\u2026) into Redirected URL below; otherwise click Save and authorize to start again.";
export const ANSWERED_TEXT = "Lightspeed answered: finishing the sign-in\u2026";
export const PASTED_TEXT = "Checking the pasted address\u2026";
export const SLOW_TEXT = "Waiting for the kernel: is a cell still running? The sign-in continues once it answers.";
// Comm messages wait while a cell runs; after this long without Lightspeed's address, say so.
const SLOW_ANSWER_MS = 8000;

/**
 * @typedef {object} Attempt
 * @property {Window | null} popup     null when the browser blocked it
 * @property {boolean} blocked
 * @property {string | null} url       Lightspeed's address, once Python sent it
 * @property {string | null} state     the `state` in that address: the only result this view accepts
 * @property {boolean} answered        the result went to Python (relayed or pasted)
 * @property {boolean} stale           nothing more will come of it (its code expired, its window was closed): a new
 *   "Save and authorize" is the way on, so the panel lets that button be pressed again
 * @property {() => void} stopWatch
 * @property {ReturnType<typeof setTimeout> | undefined} slowTimer
 */

/**
 * Why an attempt ends, which decides what becomes of its window and of the progress line:
 *   "restart"   a new "Save and authorize": the next attempt reuses the window (same name) and says its own line
 *   "failed"    Python could not start the sign-in (its `error` says why), or the request never reached it
 *   "settled"   Python's status left "authorizing": connected, failed, or reset by a disconnect
 *   "cancelled" the analyst gave up on it ("Cancel sign-in")
 *   "view-gone" the view was removed: the window stays, since the analyst may be halfway through signing in and the
 *               callback page offers the address for pasting into a new view when no panel answers
 * @typedef {"restart" | "failed" | "settled" | "cancelled" | "view-gone"} EndReason
 */

/**
 * The `state` parameter of Lightspeed's authorize address.
 * @param {string} url
 */
export function stateOf(url) {
  try {
    return new URL(url).searchParams.get("state") || null;
  } catch {
    return null;
  }
}

/**
 * @param {ViewContext} ctx
 * @param {object} hooks
 * @param {() => void} hooks.onFlowChange  the line for the status region changed (read it with `flowText()`)
 * @param {{ start: () => void, reset: () => void }} hooks.paste  the paste field's countdown
 * @param {() => "jupyter" | "paste"} [hooks.mode]  how the redirect comes back (paste: the analyst brings it)
 * @param {() => void} [hooks.onStaleChange]  whether the attempt is stale changed (read it with `stale()`)
 */
export function createSignIn(ctx, { onFlowChange, paste, mode = () => "jupyter", onStaleChange = () => {} }) {
  const { model } = ctx;
  const win = /** @type {Window} */ (globalThis.window);
  // One window per view: a second click reuses it rather than stacking sign-in windows.
  const windowName = POPUP_NAME_PREFIX + ctx.id("sign-in");

  const link = h("a", { class: "ls-link", target: "_blank", rel: "noopener" }, LINK_TEXT);
  suppressShortcuts(link); // built without href, so keyboard.js's sweep at render does not see it as focusable
  const linkRow = h("p", { class: "ls-signin-link", hidden: true }, link);

  /** @type {Attempt | null} */
  let attempt = null;
  let flow = "";

  /** @param {string} text */
  const say = (text) => {
    if (flow === text) return;
    flow = text;
    onFlowChange();
  };

  const showLink = () => {
    if (!attempt?.url) return;
    link.href = attempt.url;
    linkRow.hidden = false;
  };

  /**
   * End this view's attempt, whatever ends it: stop watching its window and waiting for Python, close the window
   * unless the next attempt reuses it or the view is going, and put the link, the paste box and the line back.
   * @param {EndReason} reason
   */
  const end = (reason) => {
    const ending = attempt;
    attempt = null;
    if (ending) {
      ending.stopWatch();
      clearTimeout(ending.slowTimer);
    }
    if (reason === "view-gone") return;
    if (ending) {
      if (reason !== "restart") closeWindow(ending.popup);
      linkRow.hidden = true;
      link.removeAttribute("href");
      paste.reset();
      onStaleChange();
    }
    if (reason !== "restart") say("");
  };

  const markStale = () => {
    if (!attempt || attempt.stale) return;
    attempt.stale = true;
    onStaleChange();
  };

  /** What to say once the analyst is to act in (or after) the sign-in window. */
  const signInText = () => (mode() === "paste" ? SIGN_IN_PASTE_TEXT : SIGN_IN_TEXT);

  const popupClosed = () => {
    if (!attempt || attempt.answered) return;
    // Before the address came, nothing was approved yet: the link will offer the page when it arrives.
    // After, a Cross-Origin-Opener-Policy on Lightspeed's page can make an open window read as closed while the
    // result still arrives on the BroadcastChannel, so this is news, not an error.
    // In paste mode closing the window is part of the job (the analyst copies its address): nothing is on its way,
    // the paste box is the next step.
    if (!attempt.url) {
      say("");
      return;
    }
    say(mode() === "paste" ? PASTE_CLOSED_TEXT : POPUP_CLOSED_TEXT);
    markStale();
  };

  /** Open the window and ask Python for Lightspeed's address. Must run synchronously inside the click. */
  const open = () => {
    end("restart");
    const popup = openSignInWindow(win, windowName);
    /** @type {Attempt} */
    const next = {
      popup,
      blocked: !popup,
      url: null,
      state: null,
      answered: false,
      stale: false,
      stopWatch: () => {},
      slowTimer: undefined,
    };
    attempt = next;
    if (popup) {
      next.stopWatch = watchClosed(popup, popupClosed);
      paste.start();
    }
    next.slowTimer = setTimeout(() => {
      if (attempt === next && !next.url) say(SLOW_TEXT);
    }, SLOW_ANSWER_MS);
    say(popup ? "" : BLOCKED_TEXT);
    // No timeout: a busy kernel answers once its cell ends, and SLOW_TEXT says so meanwhile. The answer belongs to
    // this attempt only: after two quick clicks Python keeps the second sign-in, and only its address counts.
    ctx.link
      .request("authorize")
      .then((reply) => {
        if (attempt !== next) return;
        if (reply.ok && reply.type === "authorize_reply" && typeof reply.url === "string") urlArrived(reply.url);
        else if (!reply.ok) end("failed");
      }, unlessExpected("asking Python to start the sign-in", { onFault: () => attempt === next && end("failed") }));
  };

  /** @param {string} url */
  const urlArrived = (url) => {
    if (!attempt || attempt.answered) return;
    attempt.url = url;
    attempt.state = stateOf(url);
    clearTimeout(attempt.slowTimer);
    if (navigate(attempt.popup, url)) {
      say(signInText());
      return;
    }
    showLink();
    say(attempt.blocked ? BLOCKED_TEXT : CLOSED_EARLY_TEXT);
  };

  /** @param {RedirectResult} result */
  const relayed = (result) => {
    if (!attempt) return;
    model.send({ type: "redirect", ...result });
    attempt.answered = true;
    attempt.state = null;
    attempt.stopWatch();
    closeWindow(attempt.popup);
    linkRow.hidden = true;
    paste.reset();
    say(ANSWERED_TEXT);
  };

  listenForRedirect(
    win,
    {
      pendingState: () => (attempt && !attempt.answered ? attempt.state : null),
      popup: () => attempt?.popup ?? null,
      onResult: relayed,
    },
    ctx.signal,
  );

  link.addEventListener(
    "click",
    () => {
      // The analyst opened the sign-in by hand: that is the moment the countdown counts from.
      paste.start();
      say(signInText());
    },
    { signal: ctx.signal },
  );

  ctx.signal.addEventListener("abort", () => end("view-gone"));

  return {
    /** The row with the "Open the Lightspeed sign-in" link (shown when the window was blocked or closed early). */
    linkElement: linkRow,
    /**
     * "Save and authorize" passed the panel's checks: open the sign-in window now, while the click still counts as
     * one for the popup blocker, then ask Python. Never without a kernel: nobody would send the window anywhere, and
     * an empty window is all the analyst got.
     */
    start() {
      if (ctx.link.state === "live") open();
      // The first answer is still on its way (a few ms normally, at most the probe's 3 s): wait for it. Browsers let
      // a click open a window for about 5 s, so the window still opens (and if not, the link is offered).
      else if (ctx.link.state === "checking") {
        ctx.link.settled().then((state) => state === "live" && !ctx.signal.aborted && open());
      }
    },
    flowText: () => flow,
    /** Whether a new "Save and authorize" is the way on: this view's attempt will come to nothing more. */
    stale: () => Boolean(attempt?.stale),
    /**
     * The paste box's countdown ran out: the code this attempt waits for has expired, and "Save and authorize" (which
     * the message names) starts a fresh sign-in.
     */
    expired() {
      if (attempt && !attempt.answered) markStale();
      ctx.announce(EXPIRED_TEXT, { holdsWhile: (status) => status === "authorizing" });
    },
    /**
     * Python's `status` changed. Leaving "authorizing" ends an attempt whose address had come (connected, failed,
     * or reset by a disconnect); before the address, only "error" means this click failed.
     * @param {Status} status
     */
    statusChanged(status) {
      if (status === "authorizing") return;
      if (attempt && !attempt.url && status !== "error") return;
      end("settled");
    },
    /**
     * Python refused the click: its field checks set `_field_errors` or `error`, which arrive before its answer.
     */
    refused() {
      if (attempt && !attempt.url) end("failed");
    },
    /**
     * The analyst gave up on this sign-in ("Cancel sign-in"): close its window, stop waiting, and tell Python (a
     * one-way `cancel`), which forgets the pending `state`. A result that arrives later is not this view's any more.
     */
    cancel() {
      end("cancelled");
      model.send({ type: "cancel" });
    },
    /** The analyst pasted the address: Python is trading the code. */
    pasted() {
      if (attempt) {
        attempt.answered = true;
        attempt.stopWatch();
        if (attempt.stale) {
          attempt.stale = false; // pasted after all: Python decides now (the code may still be good)
          onStaleChange();
        }
      }
      say(PASTED_TEXT);
    },
    /** Python reported a problem: progress lines that say "on its way" no longer hold. */
    errorShown() {
      if (flow === ANSWERED_TEXT || flow === PASTED_TEXT) say("");
    },
  };
}
