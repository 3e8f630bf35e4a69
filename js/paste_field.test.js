// @vitest-environment happy-dom
// Paste mode: the "Redirected URL" box and "Complete authorization", the pasted address never kept, the countdown,
// and the folded-away fallback of the Jupyter route.

import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { computeAccessibleDescription } from "dom-accessibility-api";
import { installBrowserFakes } from "./fake_browser.js";
import { readyForm, sampleProfiles } from "./fake_model.js";
import { mount, press, type } from "./test_utils.js";
import {
  EMPTY_ERROR,
  EXPIRED_TEXT,
  FALLBACK_SUMMARY,
  UNKNOWN_LIFETIME_TEXT,
  countdownText,
  pasteHelp,
} from "./paste_field.js";
import { PASTED_TEXT } from "./sign_in.js";

const READY = readyForm("paste");
const URL_A = "https://cloud.lightspeedapp.com/auth/oauth/authorize?response_type=code&state=state-A";
const PASTED = "https://localhost/?code=def502-secret-code&state=state-A";

/** @type {ReturnType<typeof installBrowserFakes>} */
let fakes;
beforeEach(() => {
  document.body.replaceChildren();
  fakes = installBrowserFakes(window);
});
afterEach(() => {
  fakes.restore();
  vi.useRealTimers();
});

/** @param {Partial<import("./types.js").Model>} [state] */
async function authorizing(state = {}) {
  const view = mount({ ...READY, ...state });
  view.screen.getByRole("button", { name: "Save and authorize" }).click();
  view.model.pythonSet({ status: "authorizing" });
  await view.model.reply("authorize", { url: URL_A });
  return view;
}

/** @param {ReturnType<typeof mount>["screen"]} screen */
const box = (screen) => /** @type {HTMLInputElement} */ (screen.getByRole("textbox", { name: "Redirected URL" }));
/** @param {ReturnType<typeof mount>["el"]} el */
const countdownOf = (el) => /** @type {HTMLElement} */ (el.querySelector(".ls-countdown"));

describe("paste controls", () => {
  test("only while authorizing, with the exact names and help", () => {
    const { screen, model } = mount({ ...READY });
    expect(screen.queryByRole("textbox", { name: "Redirected URL" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Complete authorization" })).toBeNull();
    model.pythonSet({ status: "authorizing" });
    const input = box(screen);
    expect(screen.getByRole("button", { name: "Complete authorization" })).toBeTruthy();
    expect(computeAccessibleDescription(input)).toContain(pasteHelp(60));
    // Attached after render: still kept away from the notebook's shortcuts.
    expect(input.getAttribute("data-lm-suppress-shortcuts")).toBe("true");
    expect(pasteHelp(60)).toBe(
      "After you click 'Authorize application', your browser lands on a page that does not load (https://localhost/?code=\u2026). Copy that page's whole address here within 60 seconds: the code expires then.",
    );
    model.pythonSet({ status: "connected" });
    expect(screen.queryByRole("textbox", { name: "Redirected URL" })).toBeNull();
  });

  test("Complete authorization sends the address once and empties the box at once", async () => {
    const { screen, model, el } = await authorizing();
    const input = box(screen);
    type(input, PASTED, { commit: false });
    screen.getByRole("button", { name: "Complete authorization" }).click();
    expect(model.sent.filter((m) => m.type === "complete")).toEqual([{ type: "complete", url: PASTED }]);
    expect(input.value).toBe("");
    // Never a trait, never left in the page.
    expect(JSON.stringify(model.saved)).not.toContain("secret-code");
    expect(el.innerHTML).not.toContain("secret-code");
    expect(screen.getByRole("status").textContent).toContain(PASTED_TEXT);
  });

  test("Enter in the box does the same; surrounding spaces are dropped", async () => {
    const { screen, model } = await authorizing();
    const input = box(screen);
    type(input, `  ${PASTED}\n`, { commit: false });
    const event = press(input, "Enter");
    expect(event.defaultPrevented).toBe(true);
    expect(model.sent.filter((m) => m.type === "complete")).toEqual([{ type: "complete", url: PASTED }]);
    expect(input.value).toBe("");
  });

  test("an empty box: an inline error, nothing sent", async () => {
    const { screen, model } = await authorizing();
    const input = box(screen);
    type(input, "   ", { commit: false });
    screen.getByRole("button", { name: "Complete authorization" }).click();
    expect(model.sent.filter((m) => m.type === "complete")).toHaveLength(0);
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(computeAccessibleDescription(input)).toContain(EMPTY_ERROR);
    expect(document.activeElement).toBe(input);
    // Typing clears it.
    type(input, "h", { commit: false });
    expect(input.hasAttribute("aria-invalid")).toBe(false);
  });

  test("a half-typed address does not survive the box going away", async () => {
    const { screen, model } = await authorizing();
    type(box(screen), "https://localhost/?code=abc", { commit: false });
    model.pythonSet({ status: "error", error: "Something failed." });
    model.pythonSet({ status: "authorizing" });
    expect(box(screen).value).toBe("");
  });

  test("Jupyter route: the box is folded away as the callback page's fallback, without a countdown", () => {
    const { screen, el, model } = mount({ ...READY, capture_mode: "jupyter" });
    model.pythonSet({ status: "authorizing" });
    const details = /** @type {HTMLDetailsElement} */ (el.querySelector("details.ls-paste-fallback"));
    expect(details.querySelector("summary")?.textContent).toBe(FALLBACK_SUMMARY);
    expect(details.open).toBe(false);
    details.open = true;
    expect(details.contains(box(screen))).toBe(true);
    expect(countdownOf(el).hidden).toBe(true);
    type(box(screen), PASTED, { commit: false });
    screen.getByRole("button", { name: "Complete authorization" }).click();
    expect(model.sent.filter((m) => m.type === "complete")).toEqual([{ type: "complete", url: PASTED }]);
  });
});

describe("the countdown", () => {
  test("from 1:00 at the opening (never 0:60), down to the expiry message", async () => {
    vi.useFakeTimers();
    const { el, screen } = await authorizing();
    const countdown = countdownOf(el);
    expect(countdown.hidden).toBe(false);
    expect(countdown.textContent).toBe("Paste within 1:00");
    expect(countdown.getAttribute("role")).toBe("timer");
    vi.advanceTimersByTime(1000);
    expect(countdown.textContent).toBe("Paste within 0:59");
    vi.advanceTimersByTime(49_000);
    expect(countdown.textContent).toBe("Paste within 0:10");
    vi.advanceTimersByTime(10_000);
    expect(countdown.textContent).toBe(EXPIRED_TEXT);
    expect(EXPIRED_TEXT).toBe("The code has probably expired: click Save and authorize again.");
    // Announced too (the timer itself is not a live region).
    vi.advanceTimersByTime(10);
    expect(screen.getByRole("status").textContent).toContain(EXPIRED_TEXT);
    // And the box still works: Python has the last word on whether the code is still good.
    expect(box(screen)).toBeTruthy();
  });

  test("restarts when the analyst comes back to this window (focus or visibility)", async () => {
    vi.useFakeTimers();
    const { el } = await authorizing();
    const countdown = countdownOf(el);
    vi.advanceTimersByTime(45_000);
    expect(countdown.textContent).toBe("Paste within 0:15");
    window.dispatchEvent(new Event("focus"));
    expect(countdown.textContent).toBe("Paste within 1:00");
    vi.advanceTimersByTime(61_000);
    expect(countdown.textContent).toBe(EXPIRED_TEXT);
    document.dispatchEvent(new Event("visibilitychange"));
    expect(countdown.textContent).toBe("Paste within 1:00");
    vi.advanceTimersByTime(1000);
    expect(countdown.textContent).toBe("Paste within 0:59");
  });

  test("focus moving inside the page is not a return", async () => {
    vi.useFakeTimers();
    const { el, screen } = await authorizing();
    vi.advanceTimersByTime(10_000);
    box(screen).focus();
    box(screen).dispatchEvent(new FocusEvent("focus"));
    expect(countdownOf(el).textContent).toBe("Paste within 0:50");
  });

  test("v2 codes live 30 seconds: the help and the count say so", async () => {
    vi.useFakeTimers();
    const { el, screen } = await authorizing({ api_type: "v2", oauth_client: null });
    expect(countdownOf(el).textContent).toBe("Paste within 0:30");
    expect(computeAccessibleDescription(box(screen))).toContain(pasteHelp(30));
    expect(computeAccessibleDescription(box(screen))).not.toContain("60 seconds");
    vi.advanceTimersByTime(30_000);
    expect(countdownOf(el).textContent).toBe(EXPIRED_TEXT);
  });

  test("the lifetimes are Python's: the fake model's catalog comes from profiles.panel_catalog()", () => {
    // js/fixtures/panel_state.json, written by scripts/panel_fixture.py from profiles.Profile.code_lifetime.
    const { model } = mount();
    expect(model.get("_profiles").v2?.code_lifetime).toBe(30);
    expect(model.get("_profiles").v3?.code_lifetime).toBe(60);
  });

  test("follows a change of API type: the help and the count use the new type's lifetime", async () => {
    vi.useFakeTimers();
    const { el, screen, model } = await authorizing();
    vi.advanceTimersByTime(10_000);
    expect(countdownOf(el).textContent).toBe("Paste within 0:50");
    expect(computeAccessibleDescription(box(screen))).toContain(pasteHelp(60));
    model.pythonSet({ api_type: "v2" });
    expect(countdownOf(el).textContent).toBe("Paste within 0:20");
    expect(computeAccessibleDescription(box(screen))).toContain(pasteHelp(30));
    vi.advanceTimersByTime(20_000);
    expect(countdownOf(el).textContent).toBe(EXPIRED_TEXT);
    model.pythonSet({ api_type: "v3" });
    expect(countdownOf(el).textContent).toBe("Paste within 0:30");
    expect(computeAccessibleDescription(box(screen))).toContain(pasteHelp(60));
  });

  test("a catalog without the lifetime: said plainly, no guessed countdown", async () => {
    vi.useFakeTimers();
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const profiles = sampleProfiles();
    // What an older Python half would send: a catalog without code_lifetime.
    delete (/** @type {Partial<import("./types.js").Profile>} */ (profiles.v3)).code_lifetime;
    const { el, screen } = await authorizing({ _profiles: profiles });
    expect(countdownOf(el).textContent).toBe(UNKNOWN_LIFETIME_TEXT);
    expect(computeAccessibleDescription(box(screen))).toContain(pasteHelp(null));
    expect(el.textContent).not.toMatch(/1:00|0:60|60 seconds/);
    vi.advanceTimersByTime(120_000);
    expect(countdownOf(el).textContent).toBe(UNKNOWN_LIFETIME_TEXT);
    expect(screen.getByRole("status").textContent).not.toContain(EXPIRED_TEXT);
    expect(error).toHaveBeenCalledOnce();
    error.mockRestore();
  });

  test("a blocked window: counting starts when the analyst follows the link", async () => {
    vi.useFakeTimers();
    fakes.blocked = true;
    const { el, screen } = await authorizing();
    expect(countdownOf(el).hidden).toBe(true);
    const link = screen.getByRole("link", { name: "Open the Lightspeed sign-in" });
    link.addEventListener("click", (event) => event.preventDefault()); // no navigation in the test page
    link.click();
    expect(countdownOf(el).textContent).toBe("Paste within 1:00");
  });

  test("keeps counting after a paste (a wrong address can be replaced) and stops when the flow ends", async () => {
    vi.useFakeTimers();
    const { el, screen, model } = await authorizing();
    type(box(screen), "https://localhost/?nothing=1", { commit: false });
    screen.getByRole("button", { name: "Complete authorization" }).click();
    model.pythonSet({ error: "That address has no authorization code" });  // Python keeps the flow open
    expect(countdownOf(el).hidden).toBe(false);
    expect(box(screen).value).toBe("");
    type(box(screen), PASTED, { commit: false });
    screen.getByRole("button", { name: "Complete authorization" }).click();
    model.pythonSet({ status: "connected", error: "" });
    expect(screen.queryByRole("textbox", { name: "Redirected URL" })).toBeNull();
    vi.advanceTimersByTime(120_000);
    expect(screen.getByRole("status").textContent).not.toContain(EXPIRED_TEXT);
  });

  test("countdownText", () => {
    expect(countdownText(60)).toBe("Paste within 1:00");
    expect(countdownText(59)).toBe("Paste within 0:59");
    expect(countdownText(90)).toBe("Paste within 1:30");
    expect(countdownText(5)).toBe("Paste within 0:05");
    expect(countdownText(-1)).toBe("Paste within 0:00");
  });
});
