// The panel's frame: its title, the connected summary or the form in its place, the form's actions ("Save and
// authorize", "Cancel sign-in", "Back to summary"), the status region, and the dialogs. The fields and parts are
// built elsewhere and handed in; `show(view)` draws on the frame what view_state.js derived, and keeps the keyboard on
// a control that is still there.

import { button, h, requiredMark } from "./dom.js";
import { focusAfterRedraw, focusAfterSummary } from "./view_state.js";

/** @typedef {import("./view_state.js").ViewState} ViewState */
/** @typedef {import("./view_state.js").FocusTarget} FocusTarget */
/** @typedef {import("./types.js").ViewContext} ViewContext */

/**
 * @param {HTMLElement} el  the view's element; the frame replaces its children
 * @param {ViewContext} ctx
 * @param {object} parts
 * @param {HTMLElement} parts.summary       the connected summary (connected_summary.js)
 * @param {HTMLButtonElement} parts.editConnection  its "Edit connection"
 * @param {HTMLElement[]} parts.fields      the form's fields, in order
 * @param {HTMLElement} parts.signInLink    the row with the sign-in link (sign_in.js), beside the actions
 * @param {HTMLElement} parts.paste         the "Redirected URL" box (paste_field.js)
 * @param {HTMLElement} parts.status        the status region (status.js)
 * @param {HTMLElement[]} parts.dialogs     outside the section: they are modal and labelled on their own
 */
export function createFrame(el, ctx, { summary, editConnection, fields, signInLink, paste, status, dialogs }) {
  const titleId = ctx.id("title");
  const authorize = button("Save and authorize", { class: "ls-button ls-button--primary" });
  const cancelSignIn = button("Cancel sign-in", { class: "ls-button", hidden: true });
  const backToSummary = button("Back to summary", { class: "ls-button", hidden: true });
  // The form, which a connected panel folds away behind its summary.
  const form = h(
    "div",
    { class: "ls-form-fields" },
    ...fields,
    h("div", { class: "ls-actions" }, authorize, cancelSignIn, backToSummary, signInLink),
    paste,
  );
  // A disabled fieldset disables every control in it, including ones added later (the paste box), natively: no
  // control can be missed, and each one reads as disabled to assistive technology and to the browser.
  const controls = h("fieldset", { class: "ls-controls" }, summary, form, status);
  // Visual only: assistive technology learns "required" from aria-required on each control. Only with the form.
  const requiredNote = h("p", { class: "ls-muted ls-required-note", "aria-hidden": "true" }, "Fields marked ", requiredMark(), " are required.");
  el.classList.add("ls-widget");
  el.replaceChildren(
    h(
      "section",
      { class: "ls-panel", "aria-labelledby": titleId },
      h("h3", { class: "ls-title", id: titleId }, "Lightspeed Retail connection"),
      requiredNote,
      controls,
    ),
    ...dialogs,
  );

  /** @type {Record<FocusTarget, HTMLElement>} */
  const targets = { authorize, "cancel-sign-in": cancelSignIn, "edit-connection": editConnection };
  /** @param {FocusTarget | null} target */
  const focus = (target) => target && targets[target].focus();
  const focused = () => el.ownerDocument?.activeElement ?? null;
  /** @type {ViewState | null} the view last shown */
  let shown = null;

  return {
    authorize,
    cancelSignIn,
    backToSummary,
    /**
     * Draw the frame's share of the view: which part shows, which actions, whether anything can be used at all. Call
     * it after the parts drew themselves: the control it may move focus to has to be on show.
     * @param {ViewState} view
     */
    show(view) {
      shown = view;
      const had = focused();
      controls.disabled = !view.controlsEnabled;
      form.hidden = view.part !== "form";
      requiredNote.hidden = form.hidden;
      authorize.disabled = !view.authorizeEnabled;
      cancelSignIn.hidden = !view.cancelSignInShown;
      backToSummary.hidden = !view.backToSummaryShown;
      // Keep the keyboard where it was meant to be when the element that had focus went away or disabled itself.
      const before =
        had === authorize ? "authorize"
        : had === cancelSignIn ? "cancel-sign-in"
        : had && form.contains(had) ? "form"
        : "elsewhere";
      focus(focusAfterRedraw(view, before));
    },
    /**
     * The connected summary went away while it had focus: once every part of the change has been drawn (a microtask
     * later), the keyboard goes to the form's next step, unless it already is on a control of this panel that is
     * still on show (a browser moves focus off a hidden element by itself, to the body; some DOMs leave it there).
     */
    summaryLeft() {
      queueMicrotask(() => {
        if (ctx.signal.aborted || !shown) return;
        const active = focused();
        if (active && el.contains(active) && !active.closest("[hidden]")) return;
        focus(focusAfterSummary(shown));
      });
    },
    /** The view is going: empty its element. */
    remove() {
      el.replaceChildren();
      el.classList.remove("ls-widget");
    },
  };
}
