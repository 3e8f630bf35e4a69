// Keep the panel's keystrokes away from the notebook's command-mode shortcuts.
//
// JupyterLab and Notebook 7 route keys through Lumino's CommandRegistry, which listens for keydown on `document`:
// in the bubbling phase in JupyterLab 4.6 (`app.start({bubblingKeydown: true})`), in the capture phase in
// Notebook 7.6 (plain `app.start()`), as their bundles show. Without care, ArrowDown on a scope moves the cell
// selection, "a" on a button inserts a cell, Ctrl+A selects every cell. Two defences, because each covers one phase:
// - `data-lm-suppress-shortcuts`: when Lumino matches a keystroke against a binding's selector it walks up from the
//   event target, testing each element against the selector, and gives up at an element carrying this attribute.
//   The walk tests the target itself first, and the command-mode selectors end in `:focus`
//   (`.jp-Notebook.jp-mod-commandMode:not(.jp-mod-readWrite) :focus`), which the focused control itself matches:
//   an attribute on the panel's root alone is never reached. So every focusable element in the panel carries it
//   (checked in Notebook 7, where "a" on a button inserted a cell with the attribute on the root only).
// - stopPropagation on keydown at the root: keeps the keys from any other document-level listener (VS Code, Colab,
//   JupyterLab's bubbling-phase listener).
// The attribute would also swallow the "run cell" keys, and the analyst expects Shift+Enter to run the panel's cell
// like any other. So for exactly those keys, outside the modal dialogs, a window-level capture listener (which runs
// before Lumino's, in either phase) lifts the attribute from the target's path for the duration of that one event.

const SUPPRESS = "data-lm-suppress-shortcuts";

/**
 * Shift+Enter, Ctrl/Cmd+Enter, Alt+Enter: the notebook's "run cell" keys.
 * @param {KeyboardEvent} event
 */
export function isRunKey(event) {
  return event.key === "Enter" && (event.shiftKey || event.ctrlKey || event.metaKey || event.altKey);
}

/**
 * Mark an element so Lumino never matches a shortcut for keys pressed inside it.
 * @param {HTMLElement} el
 */
export function suppressShortcuts(el) {
  el.setAttribute(SUPPRESS, "true");
}

const FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex]";

/**
 * Mark the root and every focusable element inside it (call again after adding focusable elements).
 * @param {HTMLElement} root
 */
export function suppressWithin(root) {
  suppressShortcuts(root);
  root.querySelectorAll(FOCUSABLE).forEach((el) => el.setAttribute(SUPPRESS, "true"));
}

/**
 * Isolate the keys pressed inside `root`, except the run-cell keys outside dialogs. Build the panel first: the
 * focusable elements present now are marked.
 * @param {HTMLElement} root
 * @param {AbortSignal} signal  removes the listeners (and the attributes) when aborted
 */
export function isolateKeys(root, signal) {
  suppressWithin(root);
  const win = root.ownerDocument.defaultView;
  /** @type {Element[]} elements whose attribute is lifted for the event in flight */
  let lifted = [];
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let restoreTimer;

  /** @param {Event} event */
  const passesThrough = (event) => {
    const target = event.target;
    return (
      event instanceof KeyboardEvent &&
      isRunKey(event) &&
      target instanceof Element &&
      root.contains(target) &&
      !target.closest("dialog")
    );
  };

  const restore = () => {
    restoreTimer = undefined;
    if (!signal.aborted) lifted.forEach((el) => el.setAttribute(SUPPRESS, "true"));
    lifted = [];
  };

  // Before anything else on the page sees the event: lift the attribute along the target's path for a run key.
  // It comes back in a task, i.e. after this event has been dispatched to every listener.
  win?.addEventListener(
    "keydown",
    (event) => {
      if (!passesThrough(event)) return;
      for (let el = /** @type {Element | null} */ (event.target); el; el = el === root ? null : el.parentElement) {
        if (el.hasAttribute(SUPPRESS)) {
          el.removeAttribute(SUPPRESS);
          lifted.push(el);
        }
      }
      if (restoreTimer === undefined) restoreTimer = setTimeout(restore, 0);
    },
    { capture: true, signal },
  );

  root.addEventListener(
    "keydown",
    (event) => {
      if (!passesThrough(event)) event.stopPropagation();
    },
    { signal },
  );

  signal.addEventListener("abort", () => {
    if (restoreTimer !== undefined) clearTimeout(restoreTimer);
    root.removeAttribute(SUPPRESS);
  });
}
