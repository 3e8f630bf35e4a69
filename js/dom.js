// A tiny element builder and id helpers. The panel builds its DOM once per view and then only updates text,
// attributes and option lists, so plain DOM calls are enough: no framework, nothing to bundle.

/** @typedef {string | number | boolean | null | undefined} AttrValue */
/** @typedef {Node | string | null | undefined | false} Child */

/**
 * Create an element. Attributes whose value is null, undefined or false are left out; `true` sets an empty
 * attribute (`hidden`, `disabled`, ...). `class` sets the class name and `text` the text content.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, AttrValue>} [attrs]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = String(value);
    else if (key === "text") el.textContent = String(value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false) el.append(child);
  }
  return el;
}

/**
 * A native button that never submits anything (`type="button"`), so Enter and Space work and no form reacts.
 * @param {string} text visible text
 * @param {Record<string, AttrValue>} [attrs]
 */
export function button(text, attrs = {}) {
  return h("button", { type: "button", ...attrs }, text);
}

/**
 * Element ids for one view. Two views of one model live in the same document, so every id carries a random
 * per-view token plus a counter; nothing here is shared between views.
 * @returns {(name: string) => string}
 */
export function idFactory() {
  const bytes = new Uint8Array(4);
  if (globalThis.crypto?.getRandomValues) globalThis.crypto.getRandomValues(bytes);
  else bytes.forEach((_, i) => (bytes[i] = Math.floor(Math.random() * 256)));
  const token = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  let counter = 0;
  return (name) => `ls-${token}-${++counter}-${name}`;
}

/**
 * Point `aria-describedby` at the given ids (empty ones skipped), or remove it when none are left.
 * @param {Element} el
 * @param {...(string | null | undefined | false)} ids
 */
export function describedBy(el, ...ids) {
  const value = ids.filter(Boolean).join(" ");
  if (value) el.setAttribute("aria-describedby", value);
  else el.removeAttribute("aria-describedby");
}

/**
 * Set text only when it changed: screen readers re-announce a live region on every write, even an identical one.
 * @param {Node} node
 * @param {string} text
 */
export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

/**
 * A visual "required" marker. It is hidden from assistive technology because the control itself carries
 * `aria-required`, and the accessible names are a contract that must not grow a "*".
 */
export function requiredMark() {
  return h("span", { class: "ls-required", "aria-hidden": "true", title: "required" }, "*");
}
