// The "Scopes" field: a summary of the chosen scopes, and the "Edit scopes" dialog with two listboxes (available /
// selected) and the move buttons. The dialog edits a working copy; only "Save scopes" writes `scopes` to the model,
// and Python validates it against the API type's catalog. Everything shown comes from `_profiles`.

import { button, h, requiredMark, setText } from "./dom.js";
import { createDialog } from "./dialog.js";
import { errorSlot, label, textInput } from "./field.js";
import { createListbox } from "./listbox.js";

/** @typedef {import("./types.js").ViewContext} ViewContext */
/** @typedef {import("./types.js").Scope} Scope */

/**
 * The scopes of the current API type, in catalog order.
 * @param {import("./types.js").PanelModel} model
 * @returns {Scope[]}
 */
export function catalogOf(model) {
  return model.get("_profiles")?.[model.get("api_type")]?.scopes ?? [];
}

/**
 * Case-insensitive match on the id or the description.
 * @param {Scope} scope
 * @param {string} filter
 */
export function scopeMatches(scope, filter) {
  const needle = filter.trim().toLowerCase();
  return !needle || scope.id.toLowerCase().includes(needle) || scope.description.toLowerCase().includes(needle);
}

/** @param {ViewContext} ctx */
export function createScopeField(ctx) {
  const { model } = ctx;
  const labelId = ctx.id("scopes-label");
  const summaryId = ctx.id("scopes-summary");
  const summary = h("div", { class: "ls-scope-summary", id: summaryId });
  const editButton = button("Edit scopes", { class: "ls-button" });
  const group = h(
    "div",
    { class: "ls-field ls-field--scopes", role: "group", "aria-labelledby": labelId },
    h("span", { class: "ls-label", id: labelId }, "Scopes", requiredMark()),
    summary,
    editButton,
  );
  const error = errorSlot(ctx, "scopes", { target: editButton, invalidTarget: group, hints: [summaryId] });
  group.append(error.element);

  /** @type {string} the chips last drawn (ids and descriptions), so an unchanged list is not rebuilt */
  let drawn = "";

  /** Draw the chosen scopes; the panel calls it on every redraw. */
  const update = () => {
    const chosen = model.get("scopes") ?? [];
    const descriptions = new Map(catalogOf(model).map((scope) => [scope.id, scope.description]));
    const chips = chosen.map((scopeId) => [scopeId, descriptions.get(scopeId) ?? ""]);
    const key = JSON.stringify(chips);
    if (key === drawn) return;
    drawn = key;
    summary.replaceChildren(
      chips.length === 0
        ? h("p", { class: "ls-muted" }, "No scopes chosen yet")
        : h(
            "ul",
            { class: "ls-chips", "aria-label": "Chosen scopes" },
            ...chips.map(([scopeId, description]) => h("li", { class: "ls-chip", title: description }, scopeId)),
          ),
    );
  };

  const picker = createPicker(ctx, editButton);
  editButton.addEventListener("click", () => picker.open(), { signal: ctx.signal });
  update();

  return {
    element: group,
    dialogs: [picker.element],
    focusTarget: editButton,
    setError: error.set,
    update,
    /** The API type (or its catalog) changed: the open picker keeps only what the new catalog offers. */
    catalogChanged: picker.catalogChanged,
    picker,
  };
}

/**
 * @param {ViewContext} ctx
 * @param {HTMLButtonElement} opener
 */
function createPicker(ctx, opener) {
  const { model } = ctx;
  /** @type {Set<string>} the working copy; model.scopes is untouched until "Save scopes" */
  let chosen = new Set();

  const cancel = () => {
    if (dialog.isOpen) dialog.close();
  };
  const dialog = createDialog(ctx, { name: "scopes", title: "Choose scopes", onCancel: cancel });

  const intro = h("p", { class: "ls-muted ls-dialog-intro" });
  const filterId = ctx.id("scope-filter");
  const filter = textInput({ id: filterId, placeholder: "Scope id or description" });

  const availableLabelId = ctx.id("available-label");
  const selectedLabelId = ctx.id("selected-label");
  const availableCount = h("span", { class: "ls-count", "aria-hidden": "true" });
  const selectedCount = h("span", { class: "ls-count", "aria-hidden": "true" });

  /** @param {string[]} ids */
  const add = (ids) => {
    ids.forEach((id) => chosen.add(id));
    refresh();
  };
  /** @param {string[]} ids */
  const remove = (ids) => {
    ids.forEach((id) => chosen.delete(id));
    refresh();
  };

  const available = createListbox(ctx, {
    name: "available",
    labelledBy: availableLabelId,
    onMove: add,
    onSelectionChange: () => syncButtons(),
  });
  const selected = createListbox(ctx, {
    name: "selected",
    labelledBy: selectedLabelId,
    onMove: remove,
    onSelectionChange: () => syncButtons(),
  });

  // Visible arrows, spoken names. aria-disabled rather than disabled: a native disabled button drops focus to
  // <body> when it disables itself, which would throw a keyboard user out of the list they are working on.
  const moveButton = (/** @type {string} */ glyph, /** @type {string} */ name) =>
    button(glyph, { class: "ls-button ls-move", "aria-label": name, title: name });
  const addAll = moveButton("»", "Add all scopes");
  const addSelected = moveButton(">", "Add selected scopes");
  const removeSelected = moveButton("<", "Remove selected scopes");
  const removeAll = moveButton("«", "Remove all scopes");

  const save = button("Save scopes", { class: "ls-button ls-button--primary" });
  const cancelButton = button("Cancel", { class: "ls-button" });

  dialog.body.append(
    intro,
    h("div", { class: "ls-field" }, label(filterId, "Filter scopes"), filter),
    h(
      "div",
      { class: "ls-picker" },
      h(
        "div",
        { class: "ls-picker-column" },
        h("div", { class: "ls-label" }, h("span", { id: availableLabelId }, "Available scopes"), " ", availableCount),
        h("div", { class: "ls-listbox-frame" }, available.list, available.empty),
      ),
      h("div", { class: "ls-picker-moves" }, addAll, addSelected, removeSelected, removeAll),
      h(
        "div",
        { class: "ls-picker-column" },
        h("div", { class: "ls-label" }, h("span", { id: selectedLabelId }, "Selected scopes"), " ", selectedCount),
        h("div", { class: "ls-listbox-frame" }, selected.list, selected.empty),
      ),
    ),
  );
  dialog.footer.append(save, cancelButton);

  /**
   * @param {HTMLButtonElement} btn
   * @param {boolean} enabled
   */
  const enable = (btn, enabled) => {
    if (enabled) btn.removeAttribute("aria-disabled");
    else btn.setAttribute("aria-disabled", "true");
  };

  function syncButtons() {
    enable(addAll, available.shown().length > 0);
    enable(addSelected, available.selection().length > 0);
    enable(removeSelected, selected.selection().length > 0);
    enable(removeAll, chosen.size > 0);
  }

  function refresh() {
    const catalog = catalogOf(model);
    const text = filter.value;
    const availableItems = catalog.filter((scope) => !chosen.has(scope.id) && scopeMatches(scope, text));
    const selectedItems = catalog.filter((scope) => chosen.has(scope.id));
    const left = catalog.length - chosen.size;
    available.setItems(
      availableItems,
      left === 0 ? "Every scope is selected." : `No available scope matches "${text.trim()}".`,
    );
    selected.setItems(selectedItems, "No scopes selected yet.");
    setText(availableCount, text.trim() ? `(${availableItems.length} of ${left})` : `(${left})`);
    setText(selectedCount, `(${selectedItems.length})`);
    const profile = model.get("_profiles")?.[model.get("api_type")];
    setText(
      intro,
      profile
        ? `${profile.label} offers ${catalog.length} scopes. Choose only what this notebook needs.`
        : "No scope catalog for this API type.",
    );
    syncButtons();
  }

  /**
   * Run a move button's action unless it is (aria-)disabled.
   * @param {HTMLButtonElement} btn
   * @param {() => void} action
   */
  const onPress = (btn, action) =>
    btn.addEventListener(
      "click",
      () => {
        if (btn.getAttribute("aria-disabled") !== "true") action();
      },
      { signal: ctx.signal },
    );
  // "Add all" adds every scope the filter shows, i.e. the whole catalog when no filter is typed.
  onPress(addAll, () => add(available.shown()));
  onPress(addSelected, () => add(available.selection()));
  onPress(removeSelected, () => remove(selected.selection()));
  onPress(removeAll, () => remove([...chosen]));

  filter.addEventListener("input", () => refresh(), { signal: ctx.signal });
  filter.addEventListener(
    "keydown",
    (event) => {
      // Down from the filter goes to the results, as in a search field with a result list.
      if (event.key === "ArrowDown" && available.shown().length) {
        event.preventDefault();
        available.list.focus();
      }
    },
    { signal: ctx.signal },
  );

  save.addEventListener(
    "click",
    () => {
      const order = catalogOf(model).map((scope) => scope.id);
      ctx.commit(
        "scopes",
        order.filter((id) => chosen.has(id)),
      );
      dialog.close();
    },
    { signal: ctx.signal },
  );
  cancelButton.addEventListener("click", cancel, { signal: ctx.signal });

  return {
    element: dialog.dialog,
    open() {
      chosen = new Set(model.get("scopes") ?? []);
      filter.value = "";
      available.clear();
      selected.clear();
      refresh();
      dialog.open(opener, filter);
    },
    /** The API type (or its catalog) changed: drop what the new catalog lacks and redraw if open. */
    catalogChanged() {
      if (!dialog.isOpen) return;
      const known = new Set(catalogOf(model).map((scope) => scope.id));
      chosen = new Set([...chosen].filter((id) => known.has(id)));
      refresh();
    },
    get isOpen() {
      return dialog.isOpen;
    },
  };
}
