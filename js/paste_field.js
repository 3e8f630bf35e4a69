// Paste mode: the "Redirected URL" textbox and "Complete authorization". After approving, the browser lands on the
// registered https://localhost, which does not load; its address holds the code, and the analyst pastes it here.
// The address is a credential for as long as the code lives: it goes to Python in one `complete` message and the
// textbox is emptied at once. It never becomes a trait and never stays in the page.
//
// Codes live briefly, for as long as Python's catalog says for the API type (`_profiles[api_type].code_lifetime`,
// from profiles.Profile.code_lifetime: 60 s on v3, 30 s on the legacy v2 server), so the help names the limit and a
// countdown shows how long is left; both follow a change of API type. The panel cannot see
// the moment Lightspeed issues the code, so it counts from the best sign it has: the analyst coming back to this
// window (focus or visibility) after the sign-in window opened, which is what they do once they have approved; or
// from the opening itself when focus never left.
//
// With the Jupyter route the same box is offered folded away: the callback page tells the analyst to paste its
// address here when the panel did not answer (the page was reloaded, the kernel restarted, ...).

import { button, h, setText } from "./dom.js";
import { errorSlot, label, textInput } from "./field.js";
import { suppressWithin } from "./keyboard.js";

/** @typedef {import("./types.js").ViewContext} ViewContext */
/** @typedef {"hidden" | "paste" | "fallback"} PasteLayout */

/**
 * The help under "Redirected URL", naming how long the code lives (null: unknown, see UNKNOWN_LIFETIME_TEXT).
 * @param {number | null} seconds
 */
export function pasteHelp(seconds) {
  return (
    "After you click 'Authorize application', your browser lands on a page that does not load " +
    "(https://localhost/?code=\u2026). Copy that page's whole address here" +
    (seconds === null ? " at once." : ` within ${seconds} seconds: the code expires then.`)
  );
}
export const FALLBACK_SUMMARY = "The sign-in window says your notebook did not answer?";
export const FALLBACK_HELP = "Copy the address the sign-in window shows into this box.";
export const EXPIRED_TEXT = "The code has probably expired: click Save and authorize again.";
export const EMPTY_ERROR = "Paste the whole address from the browser's address bar after approving (it starts with https://).";
const TICK_MS = 250;
/** Shown instead of a countdown when Python's catalog has no code lifetime for the API type. */
export const UNKNOWN_LIFETIME_TEXT =
  "This panel cannot tell how long the code lives: its Python and browser halves are different versions of " +
  "ls_widget. Paste the address at once, and restart the kernel after upgrading.";

/**
 * Seconds an authorization code of the model's API type lives, as Python's catalog says; null when the catalog lacks
 * it (the panel then says so rather than guess).
 * @param {import("./types.js").PanelModel} model
 * @returns {number | null}
 */
export function codeLifetime(model) {
  const seconds = model.get("_profiles")?.[model.get("api_type")]?.code_lifetime;
  return typeof seconds === "number" && seconds > 0 ? seconds : null;
}

/**
 * "Paste within 1:00", then "0:59" down: minutes and seconds, as a clock reads (never "0:60").
 * @param {number} seconds
 */
export function countdownText(seconds) {
  const left = Math.max(0, Math.floor(seconds));
  return `Paste within ${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
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

  const input = textInput({ id: inputId, mono: true, inputmode: "url", placeholder: "https://localhost/?code=\u2026" });
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

  /** @type {string | null} the API type already reported as lacking a code lifetime */
  let reported = null;
  const lifetime = () => {
    const seconds = codeLifetime(model);
    if (seconds === null && reported !== model.get("api_type")) {
      reported = model.get("api_type");
      console.error(`ls_widget: the panel's catalog has no code_lifetime for ${reported}`);
    }
    return seconds;
  };
  /** Whole seconds left; null when the lifetime is unknown. */
  const remaining = () => {
    const seconds = lifetime();
    if (seconds === null) return null;
    return startedAt === null ? 0 : Math.ceil((seconds * 1000 - (Date.now() - startedAt)) / 1000);
  };

  const stopTicking = () => {
    clearInterval(ticker);
    ticker = undefined;
  };

  const drawCountdown = () => {
    const counting = layout === "paste" && startedAt !== null;
    countdown.hidden = !counting;
    if (counting) {
      const left = remaining();
      if (left === null) {
        stopTicking();
        setText(countdown, UNKNOWN_LIFETIME_TEXT);
        countdown.classList.remove("ls-countdown--expired");
        error.refresh();
        return;
      }
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
    const left = layout === "paste" && startedAt !== null ? remaining() : 0;
    if (left !== null && left > 0) ticker = setInterval(drawCountdown, TICK_MS);
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

  // Another API type (or a new catalog) means another code lifetime: the help and the count follow at once.
  const lifetimeChanged = () => {
    if (layout === "paste") setText(help, pasteHelp(lifetime()));
    schedule();
  };
  ctx.listen("change:api_type", lifetimeChanged);
  ctx.listen("change:_profiles", lifetimeChanged);

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
        setText(help, pasteHelp(lifetime()));
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
