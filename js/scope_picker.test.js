// @vitest-environment happy-dom
// The "Edit scopes" dialog: listboxes, move buttons, filter, keyboard, save / cancel.

import { beforeEach, describe, expect, test } from "vitest";
import { computeAccessibleDescription, computeAccessibleName } from "dom-accessibility-api";
import { within } from "@testing-library/dom";
import { click, dblclick, mount, optionNames, press, type } from "./test_utils.js";
import { sampleProfiles } from "./fake_model.js";

const V3 = (sampleProfiles().v3?.scopes ?? []).map((s) => s.id);

beforeEach(() => document.body.replaceChildren());

/** @param {Partial<import("./types.js").Model>} [state] */
function openPicker(state = {}) {
  const view = mount(state);
  const editScopes = view.screen.getByRole("button", { name: "Edit scopes" });
  editScopes.click();
  const dialog = /** @type {HTMLDialogElement} */ (view.el.querySelector("dialog.ls-dialog--scopes"));
  const d = within(dialog);
  return {
    ...view,
    editScopes,
    dialog,
    available: d.getByRole("listbox", { name: "Available scopes" }),
    selected: d.getByRole("listbox", { name: "Selected scopes" }),
    filter: /** @type {HTMLInputElement} */ (d.getByRole("textbox", { name: "Filter scopes" })),
    btn: (/** @type {string} */ name) => d.getByRole("button", { name }),
    /** @param {HTMLElement} list @param {string} name */
    option: (list, name) => within(list).getByRole("option", { name }),
  };
}

describe("opening", () => {
  test("opens a modal with both lists, catalog order, the filter focused", () => {
    const p = openPicker({ scopes: ["employee:reports", "employee:all"] });
    expect(p.dialog.open).toBe(true);
    expect(document.activeElement).toBe(p.filter);
    expect(p.available.getAttribute("aria-multiselectable")).toBe("true");
    expect(optionNames(p.available)).toEqual(V3.filter((id) => !["employee:reports", "employee:all"].includes(id)));
    // Catalog order, not the order in the model.
    expect(optionNames(p.selected)).toEqual(["employee:all", "employee:reports"]);
    expect(p.dialog.getAttribute("data-lm-suppress-shortcuts")).toBe("true");
    for (const name of ["Add all scopes", "Add selected scopes", "Remove selected scopes", "Remove all scopes", "Save scopes", "Cancel"]) {
      expect(p.btn(name)).toBeTruthy();
    }
    expect(p.btn("Add all scopes").textContent).toBe("»");
    expect(p.btn("Add selected scopes").textContent).toBe(">");
    expect(p.btn("Remove selected scopes").textContent).toBe("<");
    expect(p.btn("Remove all scopes").textContent).toBe("«");
  });

  test("an option is named by its scope id and described by its description", () => {
    const p = openPicker();
    const option = p.option(p.available, "employee:inventory_read");
    expect(computeAccessibleName(option)).toBe("employee:inventory_read");
    expect(computeAccessibleDescription(option)).toBe("View items and inventory.");
    expect(option.getAttribute("aria-selected")).toBe("false");
  });
});

describe("moving scopes", () => {
  test("select + Add selected, then Save scopes commits in catalog order and returns focus", () => {
    const p = openPicker();
    click(p.option(p.available, "employee:reports"));
    click(p.option(p.available, "employee:all"), { ctrlKey: true });
    expect(p.option(p.available, "employee:all").getAttribute("aria-selected")).toBe("true");
    p.btn("Add selected scopes").click();
    expect(optionNames(p.selected)).toEqual(["employee:all", "employee:reports"]);
    expect(optionNames(p.available)).not.toContain("employee:all");
    // Nothing is written before Save.
    expect(p.model.get("scopes")).toEqual([]);
    p.btn("Save scopes").click();
    expect(p.model.get("scopes")).toEqual(["employee:all", "employee:reports"]);
    expect(p.model.saved.at(-1)).toEqual({ scopes: ["employee:all", "employee:reports"] });
    expect(p.dialog.open).toBe(false);
    expect(document.activeElement).toBe(p.editScopes);
  });

  test("Add all, Remove selected, Remove all", () => {
    const p = openPicker();
    p.btn("Add all scopes").click();
    expect(optionNames(p.selected)).toEqual(V3);
    expect(optionNames(p.available)).toEqual([]);
    expect(p.btn("Add all scopes").getAttribute("aria-disabled")).toBe("true");
    click(p.option(p.selected, "employee:admin"));
    p.btn("Remove selected scopes").click();
    expect(optionNames(p.selected)).not.toContain("employee:admin");
    expect(optionNames(p.available)).toEqual(["employee:admin"]);
    p.btn("Remove all scopes").click();
    expect(optionNames(p.selected)).toEqual([]);
    expect(optionNames(p.available)).toEqual(V3);
    expect(p.btn("Remove all scopes").getAttribute("aria-disabled")).toBe("true");
  });

  test("disabled move buttons do nothing and keep focus", () => {
    const p = openPicker();
    const addSelected = p.btn("Add selected scopes");
    expect(addSelected.getAttribute("aria-disabled")).toBe("true");
    addSelected.focus();
    addSelected.click();
    expect(optionNames(p.selected)).toEqual([]);
    expect(document.activeElement).toBe(addSelected);
  });

  test("Shift+click selects a range; double-click moves one", () => {
    const p = openPicker();
    click(p.option(p.available, "employee:admin"));
    click(p.option(p.available, "employee:inventory"), { shiftKey: true });
    p.btn("Add selected scopes").click();
    expect(optionNames(p.selected)).toEqual(["employee:admin", "employee:customers_read", "employee:inventory"]);
    dblclick(p.option(p.selected, "employee:customers_read"));
    expect(optionNames(p.selected)).toEqual(["employee:admin", "employee:inventory"]);
  });

  test("Cancel discards, and so does Escape; focus returns to Edit scopes", () => {
    const p = openPicker({ scopes: ["employee:all"] });
    p.btn("Add all scopes").click();
    p.btn("Cancel").click();
    expect(p.dialog.open).toBe(false);
    expect(p.model.get("scopes")).toEqual(["employee:all"]);
    expect(document.activeElement).toBe(p.editScopes);

    p.editScopes.click();
    p.btn("Remove all scopes").click();
    const esc = press(p.available, "Escape");
    expect(esc.defaultPrevented).toBe(true);
    expect(p.dialog.open).toBe(false);
    expect(p.model.get("scopes")).toEqual(["employee:all"]);
    expect(document.activeElement).toBe(p.editScopes);
    // Reopening starts again from the model.
    p.editScopes.click();
    expect(optionNames(p.selected)).toEqual(["employee:all"]);
  });

  test("a Save that Python refuses leaves the summary showing the model", () => {
    const p = openPicker();
    // Python refusing = the model value does not change; the fake keeps what was set, so reset like Python would.
    p.btn("Add all scopes").click();
    p.btn("Save scopes").click();
    p.model.pythonSet({ scopes: [] });
    expect(p.el.querySelector(".ls-scope-summary")?.textContent).toBe("No scopes chosen yet");
  });
});

describe("filter", () => {
  test("matches id or description, case-insensitively; Add all adds what is shown", () => {
    const p = openPicker();
    type(p.filter, "INVENTORY");
    expect(optionNames(p.available)).toEqual(["employee:inventory", "employee:inventory_read"]);
    type(p.filter, "reports");
    expect(optionNames(p.available)).toEqual(["employee:reports"]);
    type(p.filter, "customer accounts");
    expect(optionNames(p.available)).toEqual(["employee:customers_read"]);
    p.btn("Add all scopes").click();
    expect(optionNames(p.selected)).toEqual(["employee:customers_read"]);
    type(p.filter, "zzz");
    expect(optionNames(p.available)).toEqual([]);
    expect(p.dialog.querySelector(".ls-listbox-empty:not([hidden])")?.textContent).toContain('No available scope matches "zzz"');
    type(p.filter, "");
    expect(optionNames(p.available)).toHaveLength(V3.length - 1);
  });

  test("ArrowDown in the filter goes to the available list", () => {
    const p = openPicker();
    type(p.filter, "tags");
    press(p.filter, "ArrowDown");
    expect(document.activeElement).toBe(p.available);
  });
});

describe("keyboard in the lists", () => {
  /** @param {HTMLElement} list */
  const activeName = (list) => {
    const id = list.getAttribute("aria-activedescendant");
    return id ? document.getElementById(id)?.getAttribute("aria-label") : null;
  };
  /** @param {HTMLElement} list */
  const selectedNames = (list) =>
    within(list)
      .queryAllByRole("option")
      .filter((o) => o.getAttribute("aria-selected") === "true")
      .map((o) => o.getAttribute("aria-label"));

  test("focus shows the active option; Up/Down/Home/End move without selecting", () => {
    const p = openPicker();
    p.available.focus();
    expect(activeName(p.available)).toBe(V3[0]);
    press(p.available, "ArrowDown");
    press(p.available, "ArrowDown");
    expect(activeName(p.available)).toBe(V3[2]);
    press(p.available, "ArrowUp");
    expect(activeName(p.available)).toBe(V3[1]);
    press(p.available, "End");
    expect(activeName(p.available)).toBe(V3.at(-1));
    press(p.available, "Home");
    expect(activeName(p.available)).toBe(V3[0]);
    press(p.available, "ArrowUp");
    expect(activeName(p.available)).toBe(V3[0]);
    expect(selectedNames(p.available)).toEqual([]);
  });

  test("Space toggles, Shift+Down extends, Ctrl/Cmd+A selects all, Enter moves", () => {
    const p = openPicker();
    p.available.focus();
    const space = press(p.available, " ");
    expect(space.defaultPrevented).toBe(true);
    expect(selectedNames(p.available)).toEqual([V3[0]]);
    press(p.available, " ");
    expect(selectedNames(p.available)).toEqual([]);
    press(p.available, " ");
    press(p.available, "ArrowDown", { shiftKey: true });
    press(p.available, "ArrowDown", { shiftKey: true });
    expect(selectedNames(p.available)).toEqual(V3.slice(0, 3));
    press(p.available, "Enter");
    expect(optionNames(p.selected)).toEqual(V3.slice(0, 3));
    // The option that took the moved one's place is active, and focus stays in the list.
    expect(activeName(p.available)).toBe(V3[3]);
    expect(document.activeElement).toBe(p.available);

    p.selected.focus();
    press(p.selected, "a", { metaKey: true });
    expect(selectedNames(p.selected)).toEqual(V3.slice(0, 3));
    press(p.selected, "Enter");
    expect(optionNames(p.selected)).toEqual([]);
    press(p.available, "a", { ctrlKey: true });
    expect(selectedNames(p.available)).toEqual(V3);
  });

  test("Enter with nothing selected moves the active option", () => {
    const p = openPicker();
    p.available.focus();
    press(p.available, "ArrowDown");
    press(p.available, "Enter");
    expect(optionNames(p.selected)).toEqual([V3[1]]);
  });

  test("list keys do not reach the notebook", () => {
    const p = openPicker();
    /** @type {string[]} */
    const reached = [];
    const spy = (/** @type {KeyboardEvent} */ e) => reached.push(e.key);
    document.addEventListener("keydown", spy);
    p.available.focus();
    press(p.available, "ArrowDown");
    press(p.available, "a", { ctrlKey: true });
    press(p.available, "Enter", { shiftKey: true });
    document.removeEventListener("keydown", spy);
    expect(reached).toEqual([]);
  });
});

describe("API type changes while the picker is open", () => {
  test("scopes the new catalog lacks leave the working copy", () => {
    const p = openPicker({ scopes: ["employee:all", "employee:tags"] });
    p.model.pythonSet({ api_type: "v2", scopes: ["employee:all"] });
    expect(optionNames(p.selected)).toEqual(["employee:all"]);
    expect(optionNames(p.available)).toEqual(["employee:register", "employee:inventory", "employee:customers_credit_limit"]);
  });
});
