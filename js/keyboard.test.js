// @vitest-environment happy-dom
// Keys pressed in the panel must not drive the notebook (see keyboard.js), except the run-cell keys.

import { beforeEach, describe, expect, test } from "vitest";
import { isRunKey } from "./keyboard.js";
import { mount, press } from "./test_utils.js";

beforeEach(() => document.body.replaceChildren());

test("run-cell keys: Shift/Ctrl/Cmd/Alt+Enter, not Enter alone", () => {
  const key = (/** @type {KeyboardEventInit} */ init) => isRunKey(new KeyboardEvent("keydown", init));
  expect(key({ key: "Enter", shiftKey: true })).toBe(true);
  expect(key({ key: "Enter", ctrlKey: true })).toBe(true);
  expect(key({ key: "Enter", metaKey: true })).toBe(true);
  expect(key({ key: "Enter", altKey: true })).toBe(true);
  expect(key({ key: "Enter" })).toBe(false);
  expect(key({ key: "a", shiftKey: true })).toBe(false);
});

describe("keyboard isolation from notebook shortcuts", () => {
  test("keys inside the panel stay inside; run-cell keys pass through", () => {
    const { screen, el } = mount();
    /** @type {string[]} */
    const reached = [];
    const listener = (/** @type {KeyboardEvent} */ e) => reached.push(e.key + (e.shiftKey ? "+shift" : ""));
    document.addEventListener("keydown", listener);
    expect(el.getAttribute("data-lm-suppress-shortcuts")).toBe("true");
    const button = screen.getByRole("button", { name: "Edit scopes" });
    press(button, "a");
    press(button, "ArrowDown");
    press(button, "Escape");
    press(button, "Enter", { shiftKey: true });
    press(button, "Enter", { ctrlKey: true });
    expect(reached).toEqual(["Enter+shift", "Enter"]);
    document.removeEventListener("keydown", listener);
  });

  test("every focusable element carries Lumino's suppress attribute (its selectors match the focused element)", () => {
    const { el } = mount();
    const focusables = [...el.querySelectorAll("a[href], button, input, select, textarea, summary, [tabindex]")];
    expect(focusables.length).toBeGreaterThan(20);
    for (const f of focusables) expect([f.outerHTML.slice(0, 60), f.getAttribute("data-lm-suppress-shortcuts")]).toEqual([f.outerHTML.slice(0, 60), "true"]);
    for (const d of el.querySelectorAll("dialog")) expect(d.getAttribute("data-lm-suppress-shortcuts")).toBe("true");
  });

  test("for a run-cell key the attribute is lifted along the target's path while the event travels", async () => {
    const { screen, el } = mount();
    const button = screen.getByRole("button", { name: "Edit scopes" });
    /** @type {[string | null, string | null][]} */
    const seen = [];
    const capture = () => seen.push([el.getAttribute("data-lm-suppress-shortcuts"), button.getAttribute("data-lm-suppress-shortcuts")]);
    document.addEventListener("keydown", capture, true);
    press(button, "Enter", { shiftKey: true });
    expect(seen).toEqual([[null, null]]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(el.getAttribute("data-lm-suppress-shortcuts")).toBe("true");
    expect(button.getAttribute("data-lm-suppress-shortcuts")).toBe("true");
    press(button, "b");
    expect(seen.at(-1)).toEqual(["true", "true"]);
    // Inside a dialog nothing is lifted: the run keys do not leave a modal.
    screen.getByRole("button", { name: "Edit scopes" }).click();
    const filter = screen.getByRole("textbox", { name: "Filter scopes" });
    press(filter, "Enter", { shiftKey: true });
    expect(seen.at(-1)).toEqual(["true", "true"]);
    document.removeEventListener("keydown", capture, true);
  });
});

test("cleanup removes the window listener and the root's attribute", () => {
  const { el, cleanup, screen } = mount();
  const button = screen.getByRole("button", { name: "Edit scopes" });
  cleanup();
  expect(el.hasAttribute("data-lm-suppress-shortcuts")).toBe(false);
  // A detached old button pressing a run key no longer touches anything.
  document.body.append(button);
  button.setAttribute("data-lm-suppress-shortcuts", "true");
  press(button, "Enter", { shiftKey: true });
  expect(button.getAttribute("data-lm-suppress-shortcuts")).toBe("true");
});
