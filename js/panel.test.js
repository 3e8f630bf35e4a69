// @vitest-environment happy-dom
// The whole panel on a fake model: accessible names (a contract), model wiring, validation, status, cleanup.

import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { computeAccessibleDescription, computeAccessibleName } from "dom-accessibility-api";
import { FakeModel, flush } from "./fake_model.js";
import { choose, descriptionOf, mount, type } from "./test_utils.js";
import { MARKER_HEADER, forgetRouteProbes } from "./redirect.js";

beforeEach(() => {
  document.body.replaceChildren();
  document.getElementById("jupyter-config-data")?.remove();
  // The route probe (redirect_field.test.js covers it): here the Jupyter server serves the callback route.
  forgetRouteProbes();
  vi.stubGlobal("fetch", () => Promise.resolve(new Response("", { status: 200, headers: { [MARKER_HEADER]: "1" } })));
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("accessible names", () => {
  test("every control of the form is found by role and name", () => {
    const { screen, el } = mount({}, undefined, { clients: [{ name: "Reporting", client_id: "abc", has_secret: true }] });
    expect(el.classList.contains("ls-widget")).toBe(true);
    expect(screen.getByRole("heading", { name: "Lightspeed Retail connection" })).toBeTruthy();
    expect(screen.getByRole("textbox", { name: "Name your connection" })).toBeTruthy();
    const apiType = screen.getByRole("combobox", { name: "API type" });
    expect(screen.getAllByRole("option", { name: /Lightspeed v/ }).map((o) => o.textContent)).toEqual([
      "Lightspeed v2",
      "Lightspeed v3",
    ]);
    expect(screen.getByRole("button", { name: "Edit scopes" })).toBeTruthy();
    expect(screen.getByRole("combobox", { name: "OAuth 2.0 client" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Add OAuth 2.0 client" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Edit OAuth 2.0 client" })).toBeTruthy();
    const redirect = /** @type {HTMLInputElement} */ (screen.getByRole("textbox", { name: "Redirect URI" }));
    expect(redirect.readOnly).toBe(true);
    expect(screen.getByRole("button", { name: "Copy redirect URI" })).toBeTruthy();
    expect(screen.getByRole("combobox", { name: "Redirect capture" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Save and authorize" })).toBeTruthy();
    expect(screen.getAllByRole("status")).toHaveLength(1);
    // The API type's explanation describes the combobox.
    expect(computeAccessibleDescription(apiType)).toBe("Retail POS (R-Series), new version API");
  });

  test("required fields carry aria-required, and the visual marker stays out of the name", () => {
    const { screen } = mount();
    const name = screen.getByRole("textbox", { name: "Name your connection" });
    expect(name.getAttribute("aria-required")).toBe("true");
    expect(computeAccessibleName(name)).toBe("Name your connection");
    const client = screen.getByRole("combobox", { name: "OAuth 2.0 client" });
    expect(client.getAttribute("aria-required")).toBe("true");
    expect(name.closest(".ls-field")?.querySelector(".ls-required")?.getAttribute("aria-hidden")).toBe("true");
  });

  test("all buttons are native type=button", () => {
    const { el } = mount();
    const buttons = [...el.querySelectorAll("button")];
    expect(buttons.length).toBeGreaterThan(10);
    for (const b of buttons) expect(b.type).toBe("button");
  });
});

describe("fields write to the model", () => {
  test("name: debounced while typing, at once on change", () => {
    vi.useFakeTimers();
    const { screen, model } = mount();
    const input = /** @type {HTMLInputElement} */ (screen.getByRole("textbox", { name: "Name your connection" }));
    type(input, "Down", { commit: false });
    expect(model.get("name")).toBe("");
    vi.advanceTimersByTime(400);
    expect(model.get("name")).toBe("Down");
    expect(model.syncedState().name).toBe("Down");
    type(input, "Downtown");
    expect(model.get("name")).toBe("Downtown");
  });

  test("name from Python shows in the textbox", () => {
    const { screen, model } = mount({ name: "First" });
    const input = /** @type {HTMLInputElement} */ (screen.getByRole("textbox", { name: "Name your connection" }));
    expect(input.value).toBe("First");
    model.pythonSet({ name: "From code" });
    expect(input.value).toBe("From code");
  });

  test("API type: choosing sets api_type only, and the summary follows the model", () => {
    const { screen, model } = mount();
    const select = /** @type {HTMLSelectElement} */ (screen.getByRole("combobox", { name: "API type" }));
    expect(select.value).toBe("v3");
    choose(select, "v2");
    expect(model.saved.at(-1)).toEqual({ api_type: "v2" });
    expect(descriptionOf(select)).toBe("Retail POS (R-Series), old version API");
  });

  test("v2 hides the client field and shows the built-in note; v3 brings it back", () => {
    const { screen, model, el } = mount({ api_type: "v2" });
    expect(screen.queryByRole("combobox", { name: "OAuth 2.0 client" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Add OAuth 2.0 client" })).toBeNull();
    expect(el.textContent).toContain("Lightspeed v2 signs in with this deployment's built-in client.");
    model.pythonSet({ api_type: "v3" });
    expect(screen.getByRole("combobox", { name: "OAuth 2.0 client" })).toBeTruthy();
    expect(screen.getByText("Lightspeed v2 signs in with this deployment's built-in client.").closest("[hidden]")).not.toBeNull();
  });

  test("scopes summary: chips for the chosen scopes, or a plain 'none yet'", () => {
    const { screen, model, el } = mount();
    expect(el.querySelector(".ls-scope-summary")?.textContent).toBe("No scopes chosen yet");
    model.pythonSet({ scopes: ["employee:all", "employee:reports"] });
    const chips = screen.getByRole("list", { name: "Chosen scopes" });
    expect([...chips.querySelectorAll("li")].map((li) => li.textContent)).toEqual(["employee:all", "employee:reports"]);
    // Python drops a scope on an API type switch: the summary follows.
    model.pythonSet({ api_type: "v2", scopes: ["employee:all"], _notice: "Lightspeed v2 does not offer employee:reports; removed from the chosen scopes." });
    expect([...el.querySelectorAll(".ls-chip")].map((li) => li.textContent)).toEqual(["employee:all"]);
    expect(screen.getByRole("status").textContent).toContain("Lightspeed v2 does not offer employee:reports");
  });

  test("OAuth client select lists the clients Python lists for this view, and sets oauth_client", async () => {
    const clients = [
      { name: "A", client_id: "id-a", has_secret: true },
      { name: "B", client_id: "id-b", has_secret: false },
    ];
    const { screen, model } = mount({}, undefined, { clients });
    await flush();
    const select = /** @type {HTMLSelectElement} */ (screen.getByRole("combobox", { name: "OAuth 2.0 client" }));
    expect([...select.options].map((o) => o.textContent)).toEqual(["Choose a client\u2026", "A", "B"]);
    const edit = /** @type {HTMLButtonElement} */ (screen.getByRole("button", { name: "Edit OAuth 2.0 client" }));
    expect(edit.disabled).toBe(true);
    choose(select, "B");
    expect(model.get("oauth_client")).toBe("B");
    expect(model.saved.at(-1)).toEqual({ oauth_client: "B" });
    expect(edit.disabled).toBe(false);
    expect(descriptionOf(select)).toContain("id-b");
    choose(select, "");
    expect(model.get("oauth_client")).toBeNull();
    // The list is this view's: nothing about it went into the model (which a saved notebook keeps).
    expect(JSON.stringify(model.state)).not.toContain("id-a");
    expect(JSON.stringify(model.saved)).not.toContain("id-a");
    // A client stored elsewhere appears once the select is focused again (the dropdown opens).
    model.clients = [...clients, { name: "C", client_id: "id-c", has_secret: true }];
    select.dispatchEvent(new FocusEvent("focus"));
    await flush();
    expect([...select.options].map((o) => o.value)).toEqual(["", "A", "B", "C"]);
  });

  test("focusing the client combobox asks Python for the stored clients, with a fresh id", async () => {
    const { screen, model } = mount();
    await flush(); // one question at a time: the first answer has to be in
    screen.getByRole("combobox", { name: "OAuth 2.0 client" }).focus();
    const asked = model.requests("list_clients");
    expect(asked).toHaveLength(2); // at render, and on focus
    expect(asked[0]).toEqual({ type: "list_clients", id: expect.any(String) });
    expect(asked[1].id).not.toBe(asked[0].id);
  });

  test("the chosen client shows from the model alone: before the list comes, and without a kernel", () => {
    const chosen = { name: "Reporting", client_id: "abc", has_secret: true };
    const { screen } = mount({ oauth_client: "Reporting", _client: chosen }, undefined, { kernel: false });
    const select = /** @type {HTMLSelectElement} */ (screen.getByRole("combobox", { name: "OAuth 2.0 client" }));
    expect([...select.options].map((o) => o.textContent)).toEqual(["Choose a client\u2026", "Reporting"]);
    expect(select.value).toBe("Reporting");
    expect(descriptionOf(select)).toContain("Client ID abc \u00b7 secret stored");
  });

  test("a chosen client Python no longer lists, with no display data, is marked not stored", async () => {
    const { screen } = mount({ oauth_client: "Gone", _client: null }, undefined, { clients: [] });
    await flush();
    const select = /** @type {HTMLSelectElement} */ (screen.getByRole("combobox", { name: "OAuth 2.0 client" }));
    expect([...select.options].map((o) => o.textContent)).toEqual(["Choose a client\u2026", "Gone (not stored)"]);
    expect(/** @type {HTMLButtonElement} */ (screen.getByRole("button", { name: "Edit OAuth 2.0 client" })).disabled).toBe(true);
  });

  test("client files Python could not read are named in the status region (this view only)", async () => {
    const problem = "The OAuth 2.0 client file clients/Broken.json is damaged: add the client again.";
    const { screen, model } = mount({}, undefined, { problems: [problem] });
    await flush();
    expect(screen.getByRole("status").textContent).toContain(problem);
    expect(JSON.stringify(model.state)).not.toContain("Broken");
  });
});

describe("redirect URI", () => {
  test("computed and set on the model at render (paste on plain http)", () => {
    const { model, screen } = mount();
    expect(model.get("redirect_uri")).toBe("https://localhost");
    expect(model.syncedState().redirect_uri).toBe("https://localhost");
    const input = /** @type {HTMLInputElement} */ (screen.getByRole("textbox", { name: "Redirect URI" }));
    expect(input.value).toBe("https://localhost");
  });

  test("Jupyter page with a loopback authorization server: the server route, with the base URL", () => {
    const config = document.createElement("script");
    config.id = "jupyter-config-data";
    config.type = "application/json";
    config.textContent = JSON.stringify({ baseUrl: "/user/ana/" });
    document.head.append(config);
    const { model, screen } = mount({ _auth_host_loopback: true });
    const expected = new URL("/user/ana/ls-widget/oauth/callback", location.origin).href;
    expect(model.get("redirect_uri")).toBe(expected);
    const input = screen.getByRole("textbox", { name: "Redirect URI" });
    // Not HTTPS: the panel says so plainly, as part of the textbox's description.
    expect(descriptionOf(input)).toContain("Lightspeed accepts only HTTPS redirect URIs");
    // Switching to paste mode in the panel updates the trait and the URI.
    choose(/** @type {HTMLSelectElement} */ (screen.getByRole("combobox", { name: "Redirect capture" })), "paste");
    expect(model.get("capture_mode")).toBe("paste");
    expect(model.get("redirect_uri")).toBe("https://localhost");
    expect(descriptionOf(input)).not.toContain("Lightspeed accepts only HTTPS");
    config.remove();
  });

  test("set only when different: a second view does not write again", () => {
    const first = mount();
    const writes = first.model.saved.filter((s) => "redirect_uri" in s).length;
    mount({}, first.model);
    expect(first.model.saved.filter((s) => "redirect_uri" in s).length).toBe(writes);
  });

  test("Python changing _auth_host_loopback recomputes", () => {
    const config = document.createElement("script");
    config.id = "jupyter-config-data";
    config.textContent = "{}";
    document.head.append(config);
    const { model } = mount();
    expect(model.get("redirect_uri")).toBe("https://localhost");
    model.pythonSet({ _auth_host_loopback: true });
    expect(model.get("redirect_uri")).toBe(new URL("/ls-widget/oauth/callback", location.origin).href);
    config.remove();
  });

  test("Copy redirect URI writes to the clipboard and announces it", async () => {
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    const { screen } = mount();
    screen.getByRole("button", { name: "Copy redirect URI" }).click();
    await vi.waitFor(() => expect(screen.getByRole("status").textContent).toContain("Redirect URI copied"));
    expect(writeText).toHaveBeenCalledWith("https://localhost");
  });

  test("Copy falls back to select + execCommand when the Clipboard API refuses", async () => {
    Object.defineProperty(navigator, "clipboard", {
      value: { writeText: () => Promise.reject(new Error("denied")) },
      configurable: true,
    });
    const execCommand = vi.fn(() => true);
    Object.defineProperty(document, "execCommand", { value: execCommand, configurable: true });
    const { screen } = mount();
    screen.getByRole("button", { name: "Copy redirect URI" }).click();
    await vi.waitFor(() => expect(screen.getByRole("status").textContent).toContain("Redirect URI copied"));
    expect(execCommand).toHaveBeenCalledWith("copy");
  });
});

describe("Save and authorize", () => {
  test("the panel's checks: per-field errors, a summary, focus on the first bad field, nothing sent", () => {
    const { screen, model } = mount();
    screen.getByRole("button", { name: "Save and authorize" }).click();
    const name = screen.getByRole("textbox", { name: "Name your connection" });
    const status = screen.getByRole("status");
    expect(status.textContent).toContain("Fix 3 fields: Name your connection, Scopes, OAuth 2.0 client.");
    expect(name.getAttribute("aria-invalid")).toBe("true");
    expect(descriptionOf(name)).toContain("Name your connection, e.g.");
    expect(document.activeElement).toBe(name);
    const edit = screen.getByRole("button", { name: "Edit scopes" });
    expect(descriptionOf(edit)).toContain("Choose at least one scope");
    expect(edit.closest("[role=group]")?.getAttribute("aria-invalid")).toBe("true");
    const client = screen.getByRole("combobox", { name: "OAuth 2.0 client" });
    expect(client.getAttribute("aria-invalid")).toBe("true");
    expect(model.sent.filter((m) => m.type === "authorize")).toHaveLength(0);
  });

  test("an error goes away when its field changes, and the summary counts what is left", () => {
    const { screen, model } = mount();
    screen.getByRole("button", { name: "Save and authorize" }).click();
    const name = /** @type {HTMLInputElement} */ (screen.getByRole("textbox", { name: "Name your connection" }));
    type(name, "Store");
    expect(name.hasAttribute("aria-invalid")).toBe(false);
    expect(screen.getByRole("status").textContent).toContain("Fix 2 fields: Scopes, OAuth 2.0 client.");
    model.pythonSet({ scopes: ["employee:all"] });
    expect(screen.getByRole("status").textContent).toContain("Fix 1 field: OAuth 2.0 client.");
  });

  test("v2 needs no client; a valid form sends authorize (with the name synced first)", () => {
    const { screen, model } = mount({ api_type: "v2", scopes: ["employee:all"] });
    const name = /** @type {HTMLInputElement} */ (screen.getByRole("textbox", { name: "Name your connection" }));
    type(name, "Reports", { commit: false });
    screen.getByRole("button", { name: "Save and authorize" }).click();
    expect(model.get("name")).toBe("Reports");
    expect(model.sent.at(-1)).toEqual({ type: "authorize", id: expect.any(String) });
    expect(screen.getByRole("status").textContent).not.toContain("Fix");
  });

  test("Python's _field_errors and error show the same way, and clear when the field changes", () => {
    const { screen, model } = mount({ name: "X", scopes: ["employee:all"], api_type: "v2" });
    model.pythonSet({
      _field_errors: { api_type: "Lightspeed v2 signs in with this deployment's built-in client, and none is set." },
      error: "Fix 1 field before authorizing.",
    });
    const apiType = screen.getByRole("combobox", { name: "API type" });
    expect(apiType.getAttribute("aria-invalid")).toBe("true");
    expect(descriptionOf(apiType)).toContain("and none is set");
    expect(screen.getByRole("status").textContent).toContain("Fix 1 field before authorizing.");
    choose(/** @type {HTMLSelectElement} */ (apiType), "v3");
    expect(apiType.hasAttribute("aria-invalid")).toBe(false);
  });
});

describe("status region", () => {
  test("state, notice and errors in order of priority", () => {
    const { screen, model } = mount();
    const status = screen.getByRole("status");
    expect(status.getAttribute("aria-live")).toBe("polite");
    expect(status.textContent).toBe("Not connected yet");
    model.pythonSet({ _notice: "Lightspeed v2 does not offer employee:tags; removed from the chosen scopes." });
    const lines = () => [...status.querySelectorAll("p:not([hidden])")].map((p) => p.textContent);
    expect(lines()).toEqual([
      "Lightspeed v2 does not offer employee:tags; removed from the chosen scopes.",
      "Not connected yet",
    ]);
    model.pythonSet({ status: "authorizing" });
    expect(lines().at(-1)).toBe("Authorizing\u2026");
    model.pythonSet({ status: "connected", account_name: "Downtown", account_id: "12345" });
    expect(lines().at(-1)).toBe("Connected to Downtown (12345)");
    model.pythonSet({ status: "error", error: "access_denied: the owner refused." });
    expect(lines()).toEqual([
      "Lightspeed v2 does not offer employee:tags; removed from the chosen scopes.",
      "Error: access_denied: the owner refused.",
    ]);
  });
});

describe("views and cleanup", () => {
  test("two views of one model: unique ids, both follow the model", () => {
    const model = new FakeModel();
    const a = mount({}, model);
    const b = mount({}, model);
    const ids = [...document.querySelectorAll("[id]")].map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    model.pythonSet({ name: "Shared" });
    for (const view of [a, b]) {
      expect(/** @type {HTMLInputElement} */ (view.screen.getByRole("textbox", { name: "Name your connection" })).value).toBe("Shared");
    }
  });

  test("cleanup removes every model listener and empties the element", () => {
    const model = new FakeModel();
    const a = mount({}, model);
    const b = mount({}, model);
    expect(model.listenerCount()).toBeGreaterThan(0);
    a.cleanup();
    const afterOne = model.listenerCount();
    b.cleanup();
    expect(model.listenerCount()).toBe(0);
    expect(afterOne).toBeGreaterThan(0);
    expect(a.el.childElementCount).toBe(0);
    expect(a.el.classList.contains("ls-widget")).toBe(false);
    // A cleaned-up view ignores further changes without throwing.
    model.pythonSet({ name: "later" });
  });

  test("aborting the render signal cleans up too", () => {
    const { model, controller, el } = mount();
    controller.abort();
    expect(model.listenerCount()).toBe(0);
    expect(el.childElementCount).toBe(0);
  });
});

describe("marimo: Python's own changes reach the cells that read panel.value", () => {
  test("a new _revision from Python is acknowledged once, with _seen_revision and nothing else", async () => {
    const model = new FakeModel();
    const a = mount({}, model);
    const b = mount({}, model); // two views of one model: one acknowledgement
    await flush();
    model.saved.length = 0;
    model.pythonSet({ status: "connected", account_id: "12345", account_name: "Downtown", _revision: 1 });
    expect(model.saved).toEqual([{ _seen_revision: 1 }]);
    model.pythonSet({ _revision: 2 });
    expect(model.saved).toEqual([{ _seen_revision: 1 }, { _seen_revision: 2 }]);
    for (const key of ["status", "error", "account_id", "account_name"]) expect(model.syncedState()).not.toHaveProperty(key);
    a.cleanup();
    b.cleanup();
  });

  test("outside marimo (_revision stays 0) Python's changes are never echoed", async () => {
    const { model, cleanup } = mount();
    await flush();
    model.saved.length = 0;
    model.pythonSet({ status: "connected", account_id: "12345", account_name: "Downtown" });
    expect(model.saved).toEqual([]);
    cleanup();
  });
});
