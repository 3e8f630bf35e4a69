// Paste mode: the "Redirected URL" textbox and "Complete authorization". After approving, the browser lands on the
// registered https://localhost, which does not load; its address holds the code, and the analyst pastes it here.
// The address is a credential for as long as the code lives: it goes to Python in one `complete` message and the
// textbox is emptied at once. It never becomes a trait and never stays in the page.
//
// Codes live 60 s (v3; 30 s on the legacy v2 server), so a countdown shows how long is left. The panel cannot see
// the moment Lightspeed issues the code, so it counts from the best sign it has: the analyst coming back to this
// window (focus or visibility) after the sign-in window opened, which is what they do once they have approved; or
// from the opening itself when focus never left.
//
// With the Jupyter route the same box is offered folded away: the callback page tells the analyst to paste its
// address here when the panel did not answer (the page was reloaded, the kernel restarted, ...).

import { button, h, setText } from "./dom.js";
import { errorSlot, label } from "./field.js";
import { suppressWithin } from "./keyboard.js";

/** @typedef {import("./types.js").ViewContext} ViewContext */
/** @typedef {"hidden" | "paste" | "fallback"} PasteLayout */

export const PASTE_HELP =
  "After you click 'Authorize application', your browser lands on a page that does not load " +
  "(https://localhost/?code=\u2026). Copy that page's whole address here.";
export const FALLBACK_SUMMARY = "The sign-in window says your notebook did not answer?";
export const FALLBACK_HELP = "Copy the address the sign-in window shows into this box.";
export const EXPIRED_TEXT = "The code has probably expired: click Save and authorize again.";
export const EMPTY_ERROR = "Paste the whole address from the browser's address bar after approving (it starts with https://).";
const TICK_MS = 250;
/** Seconds an authorization code lives, per API type (lightspeed-api.md, "Code lifetime"). */
export const CODE_LIFETIME_S = /** @type {const} */ ({ v2: 30, v3: 60 });

/**
 * "Paste within 0:60". Codes live a minute at most, so the count is written as 0:ss from 0:60 down.
 * @param {number} seconds
 */
export function countdownText(seconds) {
  return `Paste within 0:${String(Math.max(0, seconds)).padStart(2, "0")}`;
}

/**
 * @param {ViewContext} ctx
 * @param {{ onSent: () => void, onExpired: () => void }} hooks
 */
export function createPasteField(ctx, { onSent, onExpired }) {
  const { model } = ctx;
  const win = /** @type {Window} */ (globalThis.window);
  const inputId = ctx.id("redirected-url");
  const helpId = ctx.id("redirected-url-help");
  const countdownId = ctx.id("redirected-url-countdown");

  const input = h("input", {
    class: "ls-input ls-input--mono",
    id: inputId,
    type: "text",
    inputmode: "url",
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "https://localhost/?code=\u2026",
  });
  const complete = button("Complete authorization", { class: "ls-button ls-button--primary" });
  const help = h("p", { class: "ls-hint", id: helpId });
  // role=timer is not announced on every tick (its live setting is off); the expiry goes to the status region.
  const countdown = h("p", { class: "ls-countdown", id: countdownId, role: "timer", hidden: true });
  const error = errorSlot(ctx, "redirected-url", {
    target: input,
    hints: () => [helpId, !countdown.hidden && countdownId],
  });
  const fields = h(
    "div",
    { class: "ls-field" },
    label(inputId, "Redirected URL"),
    help,
    h("div", { class: "ls-row" }, input, complete),
    countdown,
    error.element,
  );
  const fallbackSummary = h("summary", {}, FALLBACK_SUMMARY);
  const fallback = h("details", { class: "ls-help ls-paste-fallback" }, fallbackSummary);
  const element = h("div", { class: "ls-paste", hidden: true });
  // These are attached only while authorizing, after keyboard.js marked the panel's controls at render: mark them
  // here so notebook shortcuts stay out of the box too.
  suppressWithin(fields);
  suppressWithin(fallback);

  /** @type {PasteLayout} */
  let layout = "hidden";
  /** @type {number | null} when the countdown started (Date.now()); null: not counting */
  let startedAt = null;
  /** @type {ReturnType<typeof setInterval> | undefined} */
  let ticker;
  let expiredSaid = false;

  const lifetime = () => {
    const apiType = model.get("api_type") === "v2" ? "v2" : "v3";
    return model.get("_profiles")?.[apiType]?.code_lifetime ?? CODE_LIFETIME_S[apiType];
  };
  const remaining = () =>
    startedAt === null ? 0 : Math.ceil((lifetime() * 1000 - (Date.now() - startedAt)) / 1000);

  const stopTicking = () => {
    clearInterval(ticker);
    ticker = undefined;
  };

  const drawCountdown = () => {
    const counting = layout === "paste" && startedAt !== null;
    countdown.hidden = !counting;
    if (counting) {
      const left = remaining();
      setText(countdown, left > 0 ? countdownText(left) : EXPIRED_TEXT);
      countdown.classList.toggle("ls-countdown--expired", left <= 0);
      if (left <= 0) {
        stopTicking();
        if (!expiredSaid) {
          expiredSaid = true;
          onExpired();
        }
      }
    }
    error.refresh();
  };

  /** Redraw a few times a second: the count is computed from the clock, and setText writes only on a change. */
  const schedule = () => {
    stopTicking();
    if (layout === "paste" && startedAt !== null && remaining() > 0) ticker = setInterval(drawCountdown, TICK_MS);
    drawCountdown();
  };

  /** (Re)start the countdown from the full lifetime. */
  const restart = () => {
    startedAt = Date.now();
    expiredSaid = false;
    schedule();
  };

  const submit = () => {
    const url = input.value.trim();
    // Empty the box before anything else: the address holds the code.
    input.value = "";
    if (!url) {
      error.set(EMPTY_ERROR);
      input.focus();
      return;
    }
    error.set("");
    model.send({ type: "complete", url });
    // Keep counting: if Python finds the address wrong (wrong sign-in, no code), the analyst pastes again while the
    // code still lives. The flow's end (connected, or an error that ends it) resets the box.
    onSent();
  };

  complete.addEventListener("click", submit, { signal: ctx.signal });
  input.addEventListener(
    "keydown",
    (event) => {
      if (event.key !== "Enter" || event.isComposing || event.shiftKey || event.ctrlKey || event.metaKey || event.altKey)
        return;
      event.preventDefault();
      submit();
    },
    { signal: ctx.signal },
  );
  input.addEventListener("input", () => error.set(""), { signal: ctx.signal });

  // The analyst is back from the sign-in window: most likely they have just approved, so the code is fresh.
  /** @param {Event} event */
  const cameBack = (event) => {
    // Focus moving between elements inside the page is not a return; only the window's own focus event is.
    if (event.type === "focus" && event.target && "nodeType" in event.target) return;
    if (startedAt !== null && win.document.visibilityState !== "hidden") restart();
  };
  win.addEventListener("focus", cameBack, { signal: ctx.signal });
  win.document.addEventListener("visibilitychange", cameBack, { signal: ctx.signal });
  ctx.signal.addEventListener("abort", stopTicking);

  return {
    element,
    /**
     * Show the box for this state of the flow.
     * @param {PasteLayout} next
     */
    setLayout(next) {
      if (next === layout) return;
      layout = next;
      element.hidden = next === "hidden";
      if (next === "paste") {
        setText(help, PASTE_HELP);
        element.replaceChildren(fields);
      } else if (next === "fallback") {
        setText(help, FALLBACK_HELP);
        fallback.replaceChildren(fallbackSummary, fields);
        element.replaceChildren(fallback);
      } else {
        // Nothing typed survives the box going away.
        input.value = "";
        error.set("");
      }
      schedule();
    },
    /** The sign-in window opened (or the analyst followed the link): start counting. */
    start: restart,
    /** The sign-in is over or starts again: stop counting, empty the box. */
    reset() {
      startedAt = null;
      input.value = "";
      error.set("");
      schedule();
    },
    input,
  };
}
