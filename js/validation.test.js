// The panel's checks, the summary line, and how panel and Python field errors combine. Also the status lines.

import { describe, expect, test } from "vitest";
import { FieldErrorState, checkForm, summarize } from "./validation.js";
import { stateText, statusLines } from "./status.js";
import { sampleProfiles } from "./fake_model.js";

const { v2, v3 } = sampleProfiles();

describe("checkForm", () => {
  test("name non-blank, a scope, a client for v3", () => {
    expect(Object.keys(checkForm({ name: "  ", scopes: [], oauth_client: null, profile: v3 }))).toEqual([
      "name",
      "scopes",
      "oauth_client",
    ]);
    expect(checkForm({ name: "x", scopes: ["employee:all"], oauth_client: "c", profile: v3 })).toEqual({});
  });
  test("v2 needs no client (Python checks the built-in one)", () => {
    expect(checkForm({ name: "x", scopes: ["employee:all"], oauth_client: null, profile: v2 })).toEqual({});
  });
  test("the name limit matches Python's", () => {
    expect(checkForm({ name: "x".repeat(101), scopes: ["a"], oauth_client: "c", profile: v3 }).name).toBe(
      "Keep the name under 100 characters.",
    );
  });
});

describe("summarize", () => {
  test("counts and names the fields in form order", () => {
    expect(summarize({ scopes: "x", name: "y" })).toBe("Fix 2 fields: Name your connection, Scopes.");
    expect(summarize({ oauth_client: "x" })).toBe("Fix 1 field: OAuth 2.0 client.");
    expect(summarize({})).toBe("");
  });
});

describe("FieldErrorState", () => {
  test("panel errors first, then Python's; a changed field loses both until Python speaks again", () => {
    const state = new FieldErrorState();
    const python = { api_type: "No built-in client.", name: "Python name error" };
    state.setLocal({ name: "Panel name error" });
    expect(state.visible(python)).toEqual({ name: "Panel name error", api_type: "No built-in client." });
    expect(state.summary(python)).toBe("Fix 2 fields: Name your connection, API type.");
    state.fieldChanged("name");
    expect(state.visible(python)).toEqual({ api_type: "No built-in client." });
    state.fieldChanged("api_type");
    expect(state.visible(python)).toEqual({});
    // Nothing left to fix: the summary goes, and stays gone.
    expect(state.summary(python)).toBe("");
    state.pythonChanged();
    expect(state.visible({ scopes: "Fresh" })).toEqual({ scopes: "Fresh" });
    expect(state.summary({ scopes: "Fresh" })).toBe("");
  });
});

describe("status lines", () => {
  test("state text", () => {
    const base = { error: "", account_name: "", account_id: "" };
    expect(stateText({ ...base, status: "draft" })).toBe("Not connected yet");
    expect(stateText({ ...base, status: "authorizing" })).toBe("Authorizing\u2026");
    expect(stateText({ ...base, status: "connected", account_name: "Shop", account_id: "42" })).toBe("Connected to Shop (42)");
    expect(stateText({ ...base, status: "connected", account_id: "42" })).toBe("Connected to account 42");
    expect(stateText({ ...base, status: "error", error: "boom" })).toBe("Error: boom");
  });
  test("priority: transient, summary or error, notice, state; error not repeated", () => {
    const lines = statusLines({
      summary: "Fix 1 field: Scopes.",
      transient: "Redirect URI copied",
      notice: "Note",
      status: "draft",
      error: "Python error",
      account_name: "",
      account_id: "",
    });
    expect(lines.map((l) => l.text)).toEqual(["Redirect URI copied", "Fix 1 field: Scopes.", "Note", "Not connected yet"]);
    const failed = statusLines({ summary: "", transient: "", notice: "", status: "error", error: "denied", account_name: "", account_id: "" });
    expect(failed.map((l) => l.text)).toEqual(["Error: denied"]);
    const draftError = statusLines({ summary: "", transient: "", notice: "", status: "draft", error: "Fix 1 field before authorizing.", account_name: "", account_id: "" });
    expect(draftError.map((l) => l.text)).toEqual(["Fix 1 field before authorizing.", "Not connected yet"]);
  });
  test("the sign-in's progress goes just above the state, and is not an error", () => {
    const lines = statusLines({
      summary: "",
      transient: "",
      notice: "Note",
      flow: "Your browser blocked the sign-in window.",
      status: "authorizing",
      error: "",
      account_name: "",
      account_id: "",
    });
    expect(lines.map((l) => [l.kind, l.text, l.error])).toEqual([
      ["notice", "Note", false],
      ["flow", "Your browser blocked the sign-in window.", false],
      ["state", "Authorizing\u2026", false],
    ]);
  });
});
