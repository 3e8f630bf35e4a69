// A multi-select listbox (ARIA listbox pattern, "focus does not select" variant) for the scope picker.
//
// Focus stays on the list itself and aria-activedescendant names the active option, so the list is a single tab
// stop. Keys: Up/Down/Home/End move, Space toggles, Shift+Up/Down (and Shift+Home/End) extend the selection,
// Ctrl/Cmd+A selects all, Enter moves the selection (or the active option) to the other list. Mouse: click selects
// one, Ctrl/Cmd+click toggles, Shift+click selects a range, double-click moves one.
//
// Each option is named by its scope id (aria-label) and described by its description (aria-describedby), so a
// screen reader says "employee:inventory_read, View items and inventory." and tests find it by the id alone.

import { h, setText } from "./dom.js";

/** @typedef {import("./types.js").Scope} Scope */
/** @typedef {import("./types.js").ViewContext} ViewContext */

/**
 * @param {ViewContext} ctx
 * @param {object} options
 * @param {string} options.name                      used in ids
 * @param {string} options.labelledBy                id of the element naming the list
 * @param {(ids: string[]) => void} options.onMove   move these options to the other list
 * @param {() => void} options.onSelectionChange     the selection changed (buttons enable/disable)
 */
export function createListbox(ctx, { name, labelledBy, onMove, onSelectionChange }) {
  const list = h("ul", {
    class: "ls-listbox",
    role: "listbox",
    "aria-multiselectable": "true",
    "aria-labelledby": labelledBy,
    tabindex: "0",
  });
  const empty = h("p", { class: "ls-listbox-empty", hidden: true });

  /** @type {Scope[]} */
  let items = [];
  /** @type {Set<string>} */
  const selected = new Set();
  /** @type {string | null} */
  let active = null;
  /** @type {string | null} where a Shift range starts */
  let anchor = null;
  /** @type {Map<string, string>} scope id -> element id, stable for the life of the view */
  const elementIds = new Map();
  /** @type {Map<string, HTMLLIElement>} */
  let options = new Map();

  /** @param {string} scopeId */
  const elementId = (scopeId) => {
    let id = elementIds.get(scopeId);
    if (!id) {
      id = ctx.id(`${name}-opt`);
      elementIds.set(scopeId, id);
    }
    return id;
  };

  const indexOf = (/** @type {string | null} */ scopeId) => items.findIndex((item) => item.id === scopeId);

  /** Reflect selection and the active option in the DOM. */
  const paint = () => {
    for (const [scopeId, li] of options) {
      li.setAttribute("aria-selected", String(selected.has(scopeId)));
      li.classList.toggle("ls-option--active", scopeId === active);
    }
    if (active && options.has(active)) {
      list.setAttribute("aria-activedescendant", elementId(active));
      const li = options.get(active);
      if (li && typeof li.scrollIntoView === "function") li.scrollIntoView({ block: "nearest" });
    } else {
      list.removeAttribute("aria-activedescendant");
    }
  };

  /** @param {boolean} [notify] */
  const changed = (notify = true) => {
    paint();
    if (notify) onSelectionChange();
  };

  /** @param {string} scopeId */
  const buildOption = (scopeId) => {
    const item = items[indexOf(scopeId)];
    const descId = `${elementId(scopeId)}-desc`;
    const li = h(
      "li",
      {
        class: "ls-option",
        role: "option",
        id: elementId(scopeId),
        "aria-label": scopeId,
        "aria-describedby": descId,
        "aria-selected": "false",
        "data-scope": scopeId,
        title: item.description,
      },
      h("span", { class: "ls-option-id" }, scopeId),
      // The description is drawn by CSS from data-text (widget.css), not as text of the option: the option's name is
      // its scope id alone (the contract), and text inside it that is not in its name would mislead voice control.
      // Assistive technology gets it as the option's description, from the hidden copy aria-describedby points at.
      h("span", { class: "ls-option-desc", "aria-hidden": "true", "data-text": item.description }),
      h("span", { id: descId, hidden: true }, item.description),
    );
    return li;
  };

  /** @param {number} index  clamped to the list */
  const moveTo = (index) => {
    if (items.length === 0) return null;
    const clamped = Math.max(0, Math.min(items.length - 1, index));
    active = items[clamped].id;
    return active;
  };

  /**
   * Select every option between two (inclusive).
   * @param {string} from
   * @param {string} to
   */
  const selectRange = (from, to) => {
    const [a, b] = [indexOf(from), indexOf(to)].sort((x, y) => x - y);
    for (let i = Math.max(a, 0); i <= b; i++) selected.add(items[i].id);
  };

  const currentSelection = () => items.filter((item) => selected.has(item.id)).map((item) => item.id);

  list.addEventListener(
    "keydown",
    (event) => {
      if (items.length === 0) return;
      const accel = event.ctrlKey || event.metaKey;
      const here = indexOf(active);
      switch (event.key) {
        case "ArrowDown":
        case "ArrowUp": {
          const from = active ?? items[0].id;
          const to = moveTo(here < 0 ? 0 : here + (event.key === "ArrowDown" ? 1 : -1));
          if (event.shiftKey && to) {
            selected.add(from);
            selected.add(to);
            anchor = anchor ?? from;
          } else {
            anchor = to;
          }
          changed(event.shiftKey);
          break;
        }
        case "Home":
        case "End": {
          const from = active ?? items[0].id;
          const to = moveTo(event.key === "Home" ? 0 : items.length - 1);
          if (event.shiftKey && to) selectRange(from, to);
          else anchor = to;
          changed(event.shiftKey);
          break;
        }
        case " ":
        case "Spacebar": {
          const target = active ?? moveTo(0);
          if (target) {
            if (selected.has(target)) selected.delete(target);
            else selected.add(target);
            anchor = target;
          }
          changed();
          break;
        }
        case "a":
        case "A":
          if (!accel) return;
          for (const item of items) selected.add(item.id);
          changed();
          break;
        case "Enter": {
          if (event.shiftKey || event.altKey || accel) return;
          const moving = currentSelection();
          if (moving.length === 0 && active) moving.push(active);
          if (moving.length) onMove(moving);
          break;
        }
        default:
          return;
      }
      event.preventDefault();
    },
    { signal: ctx.signal },
  );

  list.addEventListener(
    "mousedown",
    (event) => {
      // Shift+click would otherwise select the page's text.
      if (event.shiftKey) event.preventDefault();
      // The press focuses the list before the click arrives: make the pressed option the active one now, so the
      // focus handler does not activate (and scroll to) the first option and move the list under the pointer.
      const scopeId = /** @type {Element} */ (event.target).closest?.("[role=option]")?.getAttribute("data-scope");
      if (scopeId) active = scopeId;
    },
    { signal: ctx.signal },
  );

  list.addEventListener(
    "click",
    (event) => {
      const li = /** @type {Element} */ (event.target).closest?.("[role=option]");
      const scopeId = li?.getAttribute("data-scope");
      if (!scopeId) return;
      if (event.shiftKey && anchor && indexOf(anchor) >= 0) {
        selected.clear();
        selectRange(anchor, scopeId);
      } else if (event.ctrlKey || event.metaKey) {
        if (selected.has(scopeId)) selected.delete(scopeId);
        else selected.add(scopeId);
        anchor = scopeId;
      } else {
        selected.clear();
        selected.add(scopeId);
        anchor = scopeId;
      }
      active = scopeId;
      list.focus();
      changed();
    },
    { signal: ctx.signal },
  );

  list.addEventListener(
    "dblclick",
    (event) => {
      const scopeId = /** @type {Element} */ (event.target).closest?.("[role=option]")?.getAttribute("data-scope");
      if (scopeId) onMove([scopeId]);
    },
    { signal: ctx.signal },
  );

  // Entering the list with Tab shows where the keys will act.
  list.addEventListener(
    "focus",
    () => {
      if (!active && items.length) {
        active = currentSelection()[0] ?? items[0].id;
        paint();
      }
    },
    { signal: ctx.signal },
  );

  return {
    list,
    empty,
    /**
     * Replace the options (catalog order). Selection and the active option survive for options still present;
     * when the active option left (it was moved), the one now at its place becomes active.
     * @param {Scope[]} next
     * @param {string} emptyText  shown when there is no option
     */
    setItems(next, emptyText) {
      const previous = items;
      const oldIndex = indexOf(active);
      items = next;
      const present = new Set(items.map((item) => item.id));
      for (const scopeId of [...selected]) if (!present.has(scopeId)) selected.delete(scopeId);
      if (anchor && !present.has(anchor)) anchor = null;
      if (active && !present.has(active)) {
        // The next option that is still here, else the closest one before: the keyboard user keeps their place.
        const after = previous.slice(oldIndex + 1).find((item) => present.has(item.id));
        const before = previous.slice(0, Math.max(oldIndex, 0)).reverse().find((item) => present.has(item.id));
        active = (after ?? before)?.id ?? null;
      }
      options = new Map(items.map((item) => [item.id, buildOption(item.id)]));
      list.replaceChildren(...options.values());
      setText(empty, emptyText);
      empty.hidden = items.length > 0;
      changed();
    },
    /** The selected scope ids in list order. */
    selection: currentSelection,
    /** Every scope id shown, in list order. */
    shown: () => items.map((item) => item.id),
    clear() {
      selected.clear();
      active = null;
      anchor = null;
      changed(false);
    },
  };
}
