// @vitest-environment happy-dom
// The connected view: account in the status region, granted scopes, token expiry, and "Disconnect".

import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { mount } from "./test_utils.js";
import { accountText, expiryText, formatExpiry, lastSyncText } from "./connected_summary.js";

beforeEach(() => {
  document.body.replaceChildren();
});
afterEach(() => {
  vi.useRealTimers();
});

const CONNECTED = {
  name: "Store reports",
  scopes: ["employee:inventory_read", "employee:reports"],
  status: /** @type {const} */ ("connected"),
  account_id: "12345",
  account_name: "Downtown",
  _granted_scopes: ["employee:inventory_read", "employee:reports"],
};

describe("connected view", () => {
  test("account, granted scopes, expiry and Disconnect", () => {
    vi.useFakeTimers({ now: new Date(2025, 4, 6, 10, 0, 0) });
    const expiresAt = new Date(2025, 4, 6, 11, 0, 0).getTime() / 1000;
    const { screen, model } = mount({ ...CONNECTED, _expires_at: expiresAt });
    expect(screen.getByRole("status").textContent).toBe("Connected to Downtown (12345)");
    const group = screen.getByRole("group", { name: "Sign-in" });
    const granted = screen.getByRole("list", { name: "Granted scopes" });
    expect([...granted.querySelectorAll("li")].map((li) => li.textContent)).toEqual([
      "employee:inventory_read",
      "employee:reports",
    ]);
    expect(group.textContent).toContain(
      `Access token renews automatically; the current one expires at ${formatExpiry(expiresAt)}.`,
    );
    screen.getByRole("button", { name: "Disconnect" }).click();
    expect(model.sent.filter((m) => m.type !== "list_clients")).toEqual([{ type: "disconnect" }]);
    // One click is enough: a second one while Python revokes sends nothing more.
    screen.getByRole("button", { name: "Disconnect" }).click();
    expect(model.sent.filter((m) => m.type !== "list_clients")).toEqual([{ type: "disconnect" }]);
    // Python resets to draft: the summary goes away.
    model.pythonSet({ status: "draft", account_id: "", account_name: "", _granted_scopes: [], _expires_at: 0 });
    expect(screen.queryByRole("button", { name: "Disconnect" })).toBeNull();
    expect(screen.getByRole("status").textContent).toBe("Not connected yet");
    // Connected again later: Disconnect works again.
    model.pythonSet({ ...CONNECTED, _expires_at: expiresAt });
    screen.getByRole("button", { name: "Disconnect" }).click();
    expect(model.requests("disconnect")).toHaveLength(2);
  });

  test("hidden unless connected; follows Python's updates", () => {
    const { screen, model } = mount({ name: "x" });
    expect(screen.queryByRole("group", { name: "Sign-in" })).toBeNull();
    model.pythonSet({ status: "authorizing" });
    expect(screen.queryByRole("button", { name: "Disconnect" })).toBeNull();
    model.pythonSet({ ...CONNECTED, _granted_scopes: [] });
    expect(screen.getByRole("group", { name: "Sign-in" }).textContent).toContain("Lightspeed did not list the granted scopes.");
    expect(screen.getByRole("group", { name: "Sign-in" }).textContent).toContain("Access token renews automatically.");
    model.pythonSet({ _granted_scopes: ["employee:all"] });
    const granted = screen.getByRole("list", { name: "Granted scopes" });
    expect(granted.textContent).toBe("employee:all");
  });

  test("the form stays usable on error", () => {
    const { screen, model } = mount({ ...CONNECTED, status: "error", error: "invalid_grant: the code expired." });
    expect(screen.getByRole("status").textContent).toContain("Error: invalid_grant: the code expired.");
    expect(screen.queryByRole("button", { name: "Disconnect" })).toBeNull();
    const authorize = /** @type {HTMLButtonElement} */ (screen.getByRole("button", { name: "Save and authorize" }));
    expect(authorize.disabled).toBe(false);
    model.pythonSet({ status: "authorizing" });
    expect(screen.getByRole("button", { name: "Save and authorize" })).toBe(authorize);
  });
});

describe("connected looks connected", () => {
  test("the form folds into the summary: account, connection, the word Connected; no Save and authorize", () => {
    const { screen } = mount({ ...CONNECTED, oauth_client: "Reporting" });
    const group = screen.getByRole("group", { name: "Sign-in" });
    expect(group.textContent).toContain("Connected");
    expect(group.textContent).toContain("Downtown (12345)");
    expect(group.textContent).toContain("Store reports \u00b7 Lightspeed v3 \u00b7 client Reporting");
    // No second sign-in offered, and the form's fields are out of the way.
    expect(screen.queryByRole("button", { name: "Save and authorize" })).toBeNull();
    expect(screen.queryByRole("textbox", { name: "Name your connection" })).toBeNull();
    screen.getByRole("button", { name: "Edit connection" });
    screen.getByRole("button", { name: "Disconnect" });
  });

  test("Edit connection shows the form, Back to summary returns; focus follows", () => {
    const { screen, model } = mount({ ...CONNECTED });
    screen.getByRole("button", { name: "Edit connection" }).click();
    const name = screen.getByRole("textbox", { name: "Name your connection" });
    expect(document.activeElement).toBe(name);
    expect(screen.queryByRole("group", { name: "Sign-in" })).toBeNull();
    screen.getByRole("button", { name: "Save and authorize" });
    screen.getByRole("button", { name: "Back to summary" }).click();
    expect(screen.queryByRole("textbox", { name: "Name your connection" })).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Edit connection" }));
    // Nothing was sent or changed by looking.
    expect(model.sent.filter((m) => m.type !== "list_clients")).toEqual([]);
    expect(model.get("status")).toBe("connected");
  });

  test("a new sign-in from the form ends on the summary again", () => {
    const { screen, model } = mount({ ...CONNECTED });
    screen.getByRole("button", { name: "Edit connection" }).click();
    model.pythonSet({ status: "authorizing" });
    expect(screen.queryByRole("button", { name: "Back to summary" })).toBeNull();
    screen.getByRole("button", { name: "Cancel sign-in" });
    model.pythonSet({ status: "connected" });
    screen.getByRole("group", { name: "Sign-in" });
    expect(screen.queryByRole("button", { name: "Save and authorize" })).toBeNull();
  });

  test("the account in words", () => {
    expect(accountText("Downtown", "12345")).toBe("Downtown (12345)");
    expect(accountText("", "12345")).toBe("account 12345");
    expect(accountText("Downtown", "")).toBe("Downtown");
    expect(accountText("", "")).toBe("Unknown account");
  });
});

describe("busy", () => {
  test("Save and authorize is disabled while authorizing, with Cancel sign-in beside it", () => {
    const { screen, model } = mount({ name: "x" });
    const save = /** @type {HTMLButtonElement} */ (screen.getByRole("button", { name: "Save and authorize" }));
    expect(screen.queryByRole("button", { name: "Cancel sign-in" })).toBeNull();
    save.focus();
    model.pythonSet({ status: "authorizing" });
    expect(save.disabled).toBe(true);
    const cancel = screen.getByRole("button", { name: "Cancel sign-in" });
    // The keyboard is not dropped on <body> when the focused button disables itself.
    expect(document.activeElement).toBe(cancel);
    cancel.click();
    expect(model.sent.filter((m) => m.type === "cancel")).toHaveLength(1);
    expect(save.disabled).toBe(false);
    expect(document.activeElement).toBe(save);
    expect(screen.getByRole("status").textContent).toContain("Not connected yet");
    // Python forgetting the sign-in (status "draft") changes nothing more in the view.
    model.pythonSet({ status: "draft" });
    expect(save.disabled).toBe(false);
    expect(screen.queryByRole("button", { name: "Cancel sign-in" })).toBeNull();
  });
});

describe("expiry wording", () => {
  test("time only today, with the date otherwise; unknown and past expiries", () => {
    const now = new Date(2025, 4, 6, 10, 0, 0).getTime();
    const today = new Date(2025, 4, 6, 11, 30, 0).getTime() / 1000;
    const tomorrow = new Date(2025, 4, 7, 0, 30, 0).getTime() / 1000;
    expect(formatExpiry(today, now)).toBe(new Date(today * 1000).toLocaleTimeString(undefined, { hour: "numeric", minute: "2-digit" }));
    expect(formatExpiry(tomorrow, now)).toBe(
      new Date(tomorrow * 1000).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }),
    );
    expect(expiryText(0, now)).toBe("Access token renews automatically.");
    expect(expiryText(today, now)).toMatch(/^Access token renews automatically; the current one expires at .+\.$/);
    expect(expiryText(now / 1000 - 60, now)).toMatch(/the last one expired at .+ and the next request renews it\.$/);
  });
});

describe("last sync", () => {
  test("never, then when and which tables; it follows Python", () => {
    const now = new Date(2025, 4, 6, 10, 0, 0).getTime();
    expect(lastSyncText({}, now)).toMatch(/^Never/);
    const at = new Date(2025, 4, 6, 9, 15, 0);
    expect(lastSyncText({ at: at.toISOString(), resources: ["Item", "Sale"], pages: 3 }, now)).toBe(
      `${formatExpiry(at.getTime() / 1000, now)} (Item, Sale)`,
    );
    expect(lastSyncText({ at: "not a date" }, now)).toMatch(/^Never/);
    const { screen, model } = mount({ ...CONNECTED });
    const group = screen.getByRole("group", { name: "Sign-in" });
    expect(group.textContent).toContain("Last sync");
    expect(group.textContent).toContain("Never");
    model.pythonSet({ _last_sync: { at: new Date().toISOString(), resources: ["Customer"], pages: 1 } });
    expect(group.textContent).toContain("(Customer)");
  });
});

describe("narrow panels", () => {
  test("a 64-character client ID is offered whole in the title of its line", () => {
    const clientId = "0123456789abcdef".repeat(4);
    const { screen } = mount({
      name: "x",
      oauth_client: "Wide",
      _client: { name: "Wide", client_id: clientId, has_secret: true },
    });
    const detail = screen.getByText(`Client ID ${clientId} \u00b7 secret stored`);
    expect(detail.getAttribute("title")).toBe(clientId);
    expect(detail.classList.contains("ls-hint")).toBe(true); // widget.css: .ls-hint wraps anywhere
  });
});
