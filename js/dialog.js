// A modal dialog on the native <dialog> element: showModal() puts it in the top layer and makes the rest of the
// page inert, so focus stays inside without a hand-written focus trap. This module adds what the element leaves
// to us: Escape and the close button run the caller's cancel logic, the first field gets focus on open, and focus
// goes back to the opener on close.

import { h } from "./dom.js";
import { suppressShortcuts } from "./keyboard.js";

/** @typedef {import("./types.js").ViewContext} ViewContext */

/**
 * @param {ViewContext} ctx
 * @param {object} options
 * @param {string} options.name          used in ids and as a class modifier (`ls-dialog--NAME`)
 * @param {string} options.title
 * @param {() => void} options.onCancel  Escape or a Cancel button: discard and close
 */
export function createDialog(ctx, { name, title, onCancel }) {
  const titleId = ctx.id(`${name}-title`);
  const heading = h("h2", { class: "ls-dialog-title", id: titleId }, title);
  const body = h("div", { class: "ls-dialog-body" });
  const footer = h("div", { class: "ls-dialog-footer" });
  const dialog = h("dialog", { class: `ls-dialog ls-dialog--${name}`, "aria-labelledby": titleId }, heading, body, footer);
  // The dialog lives inside the panel's root (so the root's key isolation applies), but it is a separate place
  // for Lumino's shortcut matching too.
  suppressShortcuts(dialog);

  /** @type {HTMLElement | null} */
  let opener = null;

  dialog.addEventListener(
    "keydown",
    (event) => {
      if (event.key === "Escape" && !event.isComposing) {
        // Handled here rather than left to the browser's "cancel" so the caller's discard logic always runs
        // (the browser may skip a second cancel without a user gesture in between).
        event.preventDefault();
        onCancel();
      }
      // A modal is its own world: no key pressed in it is for the notebook, not even the run-cell keys.
      event.stopPropagation();
    },
    { signal: ctx.signal },
  );
  // Any other close request the browser makes (e.g. a platform back gesture) goes through the same path.
  dialog.addEventListener(
    "cancel",
    (event) => {
      event.preventDefault();
      onCancel();
    },
    { signal: ctx.signal },
  );

  return {
    dialog,
    heading,
    body,
    footer,
    get isOpen() {
      return dialog.open;
    },
    /**
     * @param {HTMLElement} from      the control that opened the dialog; focus returns to it on close
     * @param {HTMLElement} [first]   what to focus first (default: the first focusable element in the body)
     */
    open(from, first) {
      opener = from;
      if (!dialog.open) {
        if (typeof dialog.showModal === "function") dialog.showModal();
        else dialog.setAttribute("open", "");
      }
      (first ?? firstFocusable(body) ?? dialog).focus();
    },
    /**
     * @param {HTMLElement | null} [focusTarget]  where focus goes now (default: the opener)
     */
    close(focusTarget) {
      if (dialog.open) {
        if (typeof dialog.close === "function") dialog.close();
        else dialog.removeAttribute("open");
      }
      const target = focusTarget ?? opener;
      opener = null;
      if (target?.isConnected) target.focus();
    },
  };
}

/** @param {HTMLElement} container */
function firstFocusable(container) {
  return /** @type {HTMLElement | null} */ (
    container.querySelector("input:not([disabled]), select:not([disabled]), textarea, button:not([disabled]), [tabindex='0']")
  );
}
