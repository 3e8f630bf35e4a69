// @vitest-environment happy-dom
// The panel outside the happy path: an expired paste code, a sign-in window closed in paste mode, Disconnect under
// the keyboard, notices that outlive their moment, and saved copies (a notebook without its kernel, an HTML export).

import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { installBrowserFakes } from "./fake_browser.js";
import { readyForm } from "./fake_model.js";
import { mount } from "./test_utils.js";
import { EXPIRED_TEXT } from "./paste_field.js";
import { PASTE_CLOSED_TEXT, POPUP_CLOSED_TEXT, SIGN_IN_PASTE_TEXT, SIGN_IN_TEXT } from "./sign_in.js";
import { OFFLINE_EXPORT_TEXT, OFFLINE_TEXT, PROBE_TIMEOUT_MS, offlineText } from "./kernel_link.js";
import { stateText } from "./status.js";

const URL_A = "https://cloud.lightspeedapp.com/auth/oauth/authorize?response_type=code&state=state-A";
const CONNECTED = { status: /** @type {const} */ ("connected"), account_name: "Downtown", account_id: "12345" };

/** @type {ReturnType<typeof installBrowserFakes>} */
let fakes;
beforeEach(() => {
  document.body.replaceChildren();
  fakes = installBrowserFakes(window);
});
afterEach(() => {
  fakes.restore();
  vi.useRealTimers();
  document.querySelectorAll("script[type]").forEach((script) => script.remove());
});

/** @param {"paste" | "jupyter"} mode */
async function authorizing(mode) {
  const view = mount(readyForm(mode));
  const authorize = /** @type {HTMLButtonElement} */ (view.screen.getByRole("button", { name: "Save and authorize" }));
  authorize.click();
  view.model.pythonSet({ status: "authorizing" });
  await view.model.reply("authorize", { url: URL_A });
  return { ...view, authorize, status: view.screen.getByRole("status"), popup: fakes.popup };
}

describe("paste mode: the expired code is no dead end", () => {
  test("Save and authorize, which the expiry message names, works then and starts a fresh sign-in", async () => {
    vi.useFakeTimers();
    const { authorize, model, status, screen } = await authorizing("paste");
    expect(authorize.disabled).toBe(true); // busy while the code lives
    vi.advanceTimersByTime(61_000);
    expect(status.textContent).toContain(EXPIRED_TEXT);
    expect(authorize.disabled).toBe(false);
    authorize.click();
    expect(model.requests("authorize")).toHaveLength(2);
    // The new attempt counts afresh and the button is busy again, the keyboard kept on Cancel sign-in.
    await model.reply("authorize", { url: URL_A.replace("state-A", "state-B") });
    expect(authorize.disabled).toBe(true);
    expect(screen.getByRole("timer").textContent).toBe("Paste within 1:00");
  });
});

describe("paste mode: the sign-in window", () => {
  test("the paste box is announced when it appears", async () => {
    const { status, screen } = await authorizing("paste");
    screen.getByRole("textbox", { name: "Redirected URL" });
    expect(status.textContent).toContain(SIGN_IN_PASTE_TEXT);
    expect(SIGN_IN_PASTE_TEXT).toContain("Redirected URL");
  });

  test("closing it (to copy its address) says to paste the address, not that a result is on its way", async () => {
    vi.useFakeTimers();
    const { status, popup, authorize } = await authorizing("paste");
    popup?.close();
    vi.advanceTimersByTime(1000);
    expect(status.textContent).toContain(PASTE_CLOSED_TEXT);
    expect(PASTE_CLOSED_TEXT).toContain("paste the address you landed on");
    expect(status.textContent).not.toContain("on its way");
    // And the "Save and authorize" it offers as the alternative can be pressed.
    expect(authorize.disabled).toBe(false);
  });

  test("with the Jupyter route the result may still be on its way", async () => {
    vi.useFakeTimers();
    const { status, popup } = await authorizing("jupyter");
    expect(status.textContent).toContain(SIGN_IN_TEXT);
    popup?.close();
    vi.advanceTimersByTime(1000);
    expect(status.textContent).toContain(POPUP_CLOSED_TEXT);
  });
});

describe("Disconnect", () => {
  test("the keyboard lands on a control of the form, not on the page's body", async () => {
    const { screen, model } = mount({ ...readyForm("paste"), ...CONNECTED });
    const disconnect = /** @type {HTMLButtonElement} */ (screen.getByRole("button", { name: "Disconnect" }));
    disconnect.focus();
    disconnect.click();
    // Python's one update: status, account and token facts together.
    model.pythonSet({ status: "draft", account_name: "", account_id: "", _granted_scopes: [], _expires_at: 0 });
    await Promise.resolve();
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Save and authorize" }));
  });

  test("'Disconnecting…' goes once it is done", async () => {
    vi.useFakeTimers();
    const { screen, model } = mount({ ...readyForm("paste"), ...CONNECTED });
    screen.getByRole("button", { name: "Disconnect" }).click();
    vi.advanceTimersByTime(10);
    const status = screen.getByRole("status");
    expect(status.textContent).toContain("Disconnecting\u2026");
    model.pythonSet({ status: "draft", account_name: "", account_id: "" });
    expect(status.textContent).not.toContain("Disconnecting");
    expect(status.textContent).toContain("Not connected yet");
  });
});

describe("notices keep to their moment", () => {
  test("'Sign-in cancelled.' goes with the next sign-in, never shown above 'Connected to …'", async () => {
    vi.useFakeTimers();
    const { screen, model, authorize } = await authorizing("jupyter");
    screen.getByRole("button", { name: "Cancel sign-in" }).click();
    model.pythonSet({ status: "draft" });
    vi.advanceTimersByTime(10);
    const status = screen.getByRole("status");
    expect(status.textContent).toContain("Sign-in cancelled.");
    authorize.click(); // a second try, within the notice's 4 seconds
    model.pythonSet({ status: "authorizing" });
    model.pythonSet({ ...CONNECTED });
    vi.advanceTimersByTime(10);
    expect(status.textContent).toContain("Connected to Downtown (12345)");
    expect(status.textContent).not.toContain("Sign-in cancelled.");
  });

  test("a result that was already on its way ends 'Sign-in cancelled.' too", async () => {
    vi.useFakeTimers();
    const { screen, model } = await authorizing("jupyter");
    screen.getByRole("button", { name: "Cancel sign-in" }).click();
    vi.advanceTimersByTime(10);
    model.pythonSet({ ...CONNECTED });
    expect(screen.getByRole("status").textContent).not.toContain("Sign-in cancelled.");
  });
});

describe("saved copies", () => {
  test("the state line tells what was true when the copy was saved", () => {
    expect(stateText({ status: "connected", error: "", account_name: "Downtown", account_id: "12345", saved: true })).toBe(
      "Saved copy: connected to Downtown (12345) when it was saved",
    );
    expect(stateText({ status: "connected", error: "", account_name: "Downtown", account_id: "12345" })).toBe(
      "Connected to Downtown (12345)",
    );
  });

  test("an HTML export speaks to its reader: no cell to run there", () => {
    expect(offlineText(document)).toBe(OFFLINE_TEXT);
    const state = document.createElement("script");
    state.type = "application/vnd.jupyter.widget-state+json";
    state.textContent = "{}";
    document.body.append(state);
    expect(offlineText(document)).toBe(OFFLINE_EXPORT_TEXT);
    expect(OFFLINE_EXPORT_TEXT).not.toMatch(/run (its|this) cell to use/i);
  });

  test("an HTML export of a connected panel: no live badge, no expiry, the export's wording", () => {
    vi.useFakeTimers();
    const state = document.createElement("script");
    state.type = "application/vnd.jupyter.widget-state+json";
    document.body.append(state);
    const { screen } = mount({ ...readyForm("paste"), ...CONNECTED, _expires_at: Date.now() / 1000 + 3600 }, undefined, {
      kernel: false,
    });
    vi.advanceTimersByTime(PROBE_TIMEOUT_MS);
    const status = screen.getByRole("status");
    expect(status.textContent).toContain(OFFLINE_EXPORT_TEXT);
    expect(status.textContent).toContain("Saved copy: connected to Downtown (12345) when it was saved");
    const summary = screen.getByRole("group", { name: "Sign-in" });
    expect(summary.querySelector(".ls-badge--success")).toBeNull();
    expect(summary.querySelector(".ls-badge")?.textContent).toBe("Saved copy");
  });
});

describe("Voila: a page for viewers", () => {
  afterEach(() => document.body.removeAttribute("data-voila"));

  test("the redirect hint tells a viewer what to do, not what a developer would configure", async () => {
    const { describePlan, planRedirect, viewerPasteText } = await import("./redirect.js");
    const plan = planRedirect({
      captureMode: "auto",
      loopback: true,
      location: { protocol: "http:", origin: "http://127.0.0.1:8866" },
      baseUrl: "/",
      route: "missing",
    });
    const developer = describePlan(plan, 60);
    expect(developer).toMatch(/register|Jupyter server/);
    const viewer = describePlan(plan, 60, { viewer: true });
    expect(viewer).toBe(viewerPasteText(60));
    expect(viewer).not.toMatch(/register|Jupyter server|extension|capture_mode/i);
    expect(viewer).toContain("within 60 seconds");

    document.body.setAttribute("data-voila", "voila");
    const { screen } = mount({ ...readyForm("auto") });
    const redirect = screen.getByRole("textbox", { name: "Redirect URI" });
    const hint = document.getElementById(String(redirect.getAttribute("aria-describedby")).split(" ").at(-1) ?? "");
    expect(hint?.textContent).toBe(viewerPasteText(60));
  });
});
