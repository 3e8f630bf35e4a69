// @vitest-environment happy-dom
// The connected view: account in the status region, granted scopes, token expiry, and "Disconnect".

import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { mount } from "./test_utils.js";
import { expiryText, formatExpiry } from "./connected_summary.js";

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
