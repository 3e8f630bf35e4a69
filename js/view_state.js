// What one view of the panel shows, derived from the model's values and the few things only this view knows (see
// index.js). A pure function: the same inputs always draw the same panel, so `redraw()` in index.js can run after
// every change, whatever changed, and the rules of what shows when live here, testable without a DOM.

import { statusLines } from "./status.js";

/** @typedef {import("./types.js").Status} Status */
/** @typedef {import("./types.js").LinkState} LinkState */
/** @typedef {import("./types.js").FieldErrors} FieldErrors */
/** @typedef {import("./status.js").StatusLine} StatusLine */
/** @typedef {import("./paste_field.js").PasteLayout} PasteLayout */

/**
 * @typedef {object} ViewInputs
 * @property {Status} status          Python's `status`
 * @property {string} error           Python's `error`
 * @property {string} notice          Python's `_notice`
 * @property {string} account_name
 * @property {string} account_id
 * @property {LinkState} link         whether a live Python answers this view (kernel_link.js)
 * @property {string} offlineText     why the panel cannot act when nothing answers, worded for where it is read
 * @property {"jupyter" | "paste"} captureMode  how the redirect comes back (redirect.js's plan)
 * @property {boolean} editing        the analyst asked for the form of a connected panel ("Edit connection")
 * @property {boolean} cancelled      the analyst cancelled this view's sign-in; Python may not have said so yet
 * @property {boolean} signInStale    nothing more will come of this view's sign-in (sign_in.js)
 * @property {string} signInText      how this view's sign-in is going, in words (sign_in.js)
 * @property {string} transient       a short-lived confirmation ("Redirect URI copied")
 * @property {string} clientProblems  stored client files Python could not read, in words
 * @property {FieldErrors} fieldErrors  the field errors to show (validation.js's FieldErrorState.visible)
 * @property {string} errorSummary    the panel's own "Fix 2 fields: ..." line, while a failed check has it
 */

/**
 * @typedef {object} ViewState
 * @property {Status} status          the status this view draws (see `drawnStatus`)
 * @property {"form" | "summary"} part  the form, or the connected summary in its place
 * @property {boolean} controlsEnabled  false: a saved copy, every control disabled as a whole
 * @property {boolean} authorizeEnabled  "Save and authorize"
 * @property {boolean} cancelSignInShown  "Cancel sign-in"
 * @property {boolean} backToSummaryShown  "Back to summary"
 * @property {PasteLayout} paste      the "Redirected URL" box: none, the paste step, or folded away as a fallback
 * @property {FieldErrors} fieldErrors
 * @property {StatusLine[]} statusLines  the status region's lines, most important first
 */

/**
 * The status a view draws: Python's, except that a sign-in this view cancelled reads as "draft" until Python says
 * otherwise (it may not know "cancel" yet: then the next "Save and authorize" simply starts afresh).
 * @param {Status} status
 * @param {boolean} cancelled
 * @returns {Status}
 */
export function drawnStatus(status, cancelled) {
  return cancelled && status === "authorizing" ? "draft" : status;
}

/**
 * @param {ViewInputs} input
 * @returns {ViewState}
 */
export function viewState(input) {
  const status = drawnStatus(input.status, input.cancelled);
  const authorizing = status === "authorizing";
  const connected = status === "connected";
  const saved = input.link === "absent";
  return {
    status,
    part: connected && !input.editing ? "summary" : "form",
    controlsEnabled: !saved,
    // Busy: no second sign-in over the running one (a native disabled button: it is not a thing to press now),
    // unless nothing more can come of it (its code expired, its window closed): then it is the way on.
    authorizeEnabled: !authorizing || input.signInStale,
    // While Python waits for Lightspeed's answer: the way out of the sign-in (its window may be gone for good).
    cancelSignInShown: authorizing,
    // While a connected panel shows its form: the way back to the summary, changing nothing.
    backToSummaryShown: connected && input.editing,
    paste: !authorizing ? "hidden" : input.captureMode === "paste" ? "paste" : "fallback",
    fieldErrors: input.fieldErrors,
    statusLines: statusLines({
      summary: input.errorSummary,
      transient: input.transient,
      offline: saved ? input.offlineText : "",
      notice: [input.notice, input.clientProblems].filter(Boolean).join(" "),
      flow: input.signInText,
      status,
      error: input.error,
      account_name: input.account_name,
      account_id: input.account_id,
      saved,
    }),
  };
}

/** @typedef {"authorize" | "cancel-sign-in" | "edit-connection"} FocusTarget */

/**
 * Where the keyboard goes when a redraw took away (hid or disabled) the control that had it; null: it stays.
 * @param {ViewState} view  what the redraw drew
 * @param {"authorize" | "cancel-sign-in" | "form" | "elsewhere"} had  which control had focus before it: one of the
 *   two sign-in buttons, another control of the form, or anything else (the summary, outside the panel, nothing)
 * @returns {FocusTarget | null}
 */
export function focusAfterRedraw(view, had) {
  if (had === "authorize" && !view.authorizeEnabled) return "cancel-sign-in";
  if (had === "cancel-sign-in" && !view.cancelSignInShown && view.part === "form") return "authorize";
  if (had !== "elsewhere" && view.part === "summary") return "edit-connection";
  return null;
}

/**
 * Where the keyboard goes after the connected summary went away while it had it (Disconnect, here or by Python):
 * the form's next step.
 * @param {ViewState} view
 * @returns {FocusTarget | null}
 */
export function focusAfterSummary(view) {
  if (view.part === "form") return view.authorizeEnabled ? "authorize" : "cancel-sign-in";
  return "edit-connection";
}
