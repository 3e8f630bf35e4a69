// Test support (not bundled): mount the panel on a fake model and drive it like a user would.

import { within } from "@testing-library/dom";
import widget from "./index.js";
import { FakeModel } from "./fake_model.js";

/**
 * Render one view into a fresh element attached to the document.
 * @param {Partial<import("./types.js").Model>} [state]
 * @param {FakeModel} [existing]  a model that already has a view
 * @param {ConstructorParameters<typeof FakeModel>[1]} [python]  what the fake Python answers (see FakeModel)
 */
export function mount(state = {}, existing, python) {
  const model = existing ?? new FakeModel(state, python);
  const el = document.createElement("div");
  document.body.append(el);
  const controller = new AbortController();
  const cleanup = /** @type {() => void} */ (
    widget.render(/** @type {any} */ ({ model, el, signal: controller.signal }))
  );
  return { model, el, cleanup, controller, screen: within(el) };
}

/**
 * Dispatch a keydown like a browser does (bubbling, cancelable).
 * @param {Element} target
 * @param {string} key
 * @param {KeyboardEventInit} [init]
 */
export function press(target, key, init = {}) {
  const event = new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true, ...init });
  target.dispatchEvent(event);
  return event;
}

/**
 * Type into a text input: set the value and fire input (and change, as on blur).
 * @param {HTMLInputElement} input
 * @param {string} value
 * @param {{ commit?: boolean }} [options]  also fire change (the user left the field)
 */
export function type(input, value, { commit = true } = {}) {
  input.value = value;
  input.dispatchEvent(new Event("input", { bubbles: true }));
  if (commit) input.dispatchEvent(new Event("change", { bubbles: true }));
}

/**
 * Choose an option of a native select.
 * @param {HTMLSelectElement} select
 * @param {string} value
 */
export function choose(select, value) {
  select.value = value;
  select.dispatchEvent(new Event("change", { bubbles: true }));
}

/**
 * Click with modifiers.
 * @param {Element} target
 * @param {MouseEventInit} [init]
 */
export function click(target, init = {}) {
  target.dispatchEvent(new MouseEvent("click", { bubbles: true, cancelable: true, ...init }));
}

/** @param {Element} target */
export function dblclick(target) {
  target.dispatchEvent(new MouseEvent("click", { bubbles: true, cancelable: true, detail: 1 }));
  target.dispatchEvent(new MouseEvent("click", { bubbles: true, cancelable: true, detail: 2 }));
  target.dispatchEvent(new MouseEvent("dblclick", { bubbles: true, cancelable: true, detail: 2 }));
}

/**
 * The accessible names of the options of a listbox, in order.
 * @param {HTMLElement} listbox
 */
export function optionNames(listbox) {
  return within(listbox)
    .queryAllByRole("option")
    .map((option) => option.getAttribute("aria-label"));
}

/**
 * The ids an element's aria-describedby points at, resolved to their text.
 * @param {Element} el
 */
export function descriptionOf(el) {
  const ids = (el.getAttribute("aria-describedby") ?? "").split(/\s+/).filter(Boolean);
  return ids.map((id) => el.ownerDocument.getElementById(id)?.textContent ?? `<missing ${id}>`).join(" ");
}
