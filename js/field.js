// A form field's frame: the label above the control, optional help lines, and the error line under it, wired with
// aria-describedby / aria-invalid so a screen reader reads the error with the control.

import { describedBy, h, requiredMark, setText } from "./dom.js";

/** @typedef {import("./types.js").ViewContext} ViewContext */

/**
 * An error line for one control. The control's aria-describedby always lists its help lines and, while an error
 * shows, the error line too.
 * @param {ViewContext} ctx
 * @param {string} name               used in the element id only
 * @param {object} options
 * @param {HTMLElement} options.target        gets aria-describedby (the focusable control)
 * @param {HTMLElement} [options.invalidTarget] gets aria-invalid (default: target; a group for buttons, where
 *                                              ARIA does not allow aria-invalid)
 * @param {string[] | (() => (string | false | null | undefined)[])} [options.hints]  ids of help lines describing
 *                                              the control (a function when some of them come and go)
 */
export function errorSlot(ctx, name, { target, invalidTarget = target, hints = [] }) {
  const element = h("p", { class: "ls-field-error", id: ctx.id(`${name}-error`), hidden: true });
  /** @param {boolean} showing */
  const sync = (showing) => {
    describedBy(target, ...(typeof hints === "function" ? hints() : hints), showing && element.id);
    if (showing) invalidTarget.setAttribute("aria-invalid", "true");
    else invalidTarget.removeAttribute("aria-invalid");
  };
  sync(false);
  return {
    element,
    /** Recompute aria-describedby after a help line appeared or went away. */
    refresh: () => sync(!element.hidden),
    /** @param {string | null | undefined} message  empty hides the error */
    set(message) {
      setText(element, message || "");
      element.hidden = !message;
      sync(Boolean(message));
    },
  };
}

/**
 * A one-line text box as the panel draws them. Never autocompleted: what it holds (a connection's name, a client's id
 * or secret, an address with a code in it) is not for the browser to remember or offer elsewhere. Not spellchecked
 * either, unless it holds `prose`: ids, secrets, addresses and scope ids are not words.
 * @param {{ mono?: boolean, prose?: boolean, class?: string } & Record<string, import("./dom.js").AttrValue>} [options]
 *   mono: an address or id, drawn in a fixed-width font; class: classes besides the panel's input classes; anything
 *   else is an attribute (id, type, placeholder, readonly, aria-*, ...)
 * @returns {HTMLInputElement}
 */
export function textInput({ mono = false, prose = false, class: extra = "", ...attrs } = {}) {
  return h("input", {
    class: ["ls-input", mono && "ls-input--mono", extra].filter(Boolean).join(" "),
    type: "text",
    autocomplete: "off",
    spellcheck: prose ? null : "false",
    ...attrs,
  });
}

/**
 * A `<label>` for a control, with the visual required marker after the text (outside the accessible name).
 * @param {string} forId
 * @param {string} text
 * @param {{ required?: boolean, id?: string }} [options]
 */
export function label(forId, text, { required = false, id } = {}) {
  return h("label", { class: "ls-label", for: forId, id }, text, required && requiredMark());
}
