// What the panel shows, as a pure function of the model's values and the view's own state: no DOM, no model.

import { describe, expect, test } from "vitest";
import { drawnStatus, focusAfterRedraw, focusAfterSummary, viewState } from "./view_state.js";
import { OFFLINE_TEXT } from "./kernel_link.js";

/** @typedef {import("./view_state.js").ViewInputs} ViewInputs */

/**
 * A fresh, live, draft panel with nothing to say, changed by `changes`.
 * @param {Partial<ViewInputs>} [changes]
 * @returns {ViewInputs}
 */
function inputs(changes = {}) {
  return {
    status: "draft",
    error: "",
    notice: "",
    account_name: "",
    account_id: "",
    link: "live",
    offlineText: OFFLINE_TEXT,
    captureMode: "jupyter",
    editing: false,
    cancelled: false,
    signInStale: false,
    signInText: "",
    transient: "",
    clientProblems: "",
    fieldErrors: {},
    errorSummary: "",
    ...changes,
  };
}

/** @param {import("./view_state.js").ViewState} view */
const lines = (view) => view.statusLines.map((line) => [line.kind, line.text]);

describe("which part shows, and which actions", () => {
  test("a draft: the form, Save and authorize only, no paste box", () => {
    const view = viewState(inputs());
    expect(view).toMatchObject({
      status: "draft",
      part: "form",
      controlsEnabled: true,
      authorizeEnabled: true,
      cancelSignInShown: false,
      backToSummaryShown: false,
      paste: "hidden",
    });
    expect(lines(view)).toEqual([["state", "Not connected yet"]]);
  });

  test("connected: the summary in place of the form; Edit connection brings the form with Back to summary", () => {
    const connected = inputs({ status: "connected", account_name: "Downtown", account_id: "42" });
    expect(viewState(connected)).toMatchObject({ part: "summary", backToSummaryShown: false });
    expect(lines(viewState(connected))).toEqual([["state", "Connected to Downtown (42)"]]);
    expect(viewState({ ...connected, editing: true })).toMatchObject({ part: "form", backToSummaryShown: true });
  });

  test("editing means nothing once the panel is not connected: no way back to a summary there is not", () => {
    expect(viewState(inputs({ status: "error", editing: true }))).toMatchObject({ part: "form", backToSummaryShown: false });
  });

  test("authorizing: Save and authorize is busy and Cancel sign-in shows; a stale sign-in frees the button", () => {
    const busy = viewState(inputs({ status: "authorizing" }));
    expect(busy).toMatchObject({ part: "form", authorizeEnabled: false, cancelSignInShown: true });
    expect(lines(busy)).toEqual([["state", "Authorizing\u2026"]]);
    expect(viewState(inputs({ status: "authorizing", signInStale: true }))).toMatchObject({
      authorizeEnabled: true,
      cancelSignInShown: true,
    });
  });

  test("the paste box: the paste step in paste mode, folded away as a fallback with the Jupyter route", () => {
    expect(viewState(inputs({ status: "authorizing", captureMode: "paste" })).paste).toBe("paste");
    expect(viewState(inputs({ status: "authorizing", captureMode: "jupyter" })).paste).toBe("fallback");
    expect(viewState(inputs({ status: "connected", captureMode: "paste" })).paste).toBe("hidden");
  });

  test("a sign-in this view cancelled reads as a draft until Python's status moves on", () => {
    expect(drawnStatus("authorizing", true)).toBe("draft");
    expect(drawnStatus("connected", true)).toBe("connected");
    expect(drawnStatus("authorizing", false)).toBe("authorizing");
    const view = viewState(inputs({ status: "authorizing", cancelled: true, captureMode: "paste" }));
    expect(view).toMatchObject({
      status: "draft",
      authorizeEnabled: true,
      cancelSignInShown: false,
      paste: "hidden",
    });
    expect(lines(view)).toEqual([["state", "Not connected yet"]]);
  });

  test("a saved copy: every control disabled, the reason first, and the state as it was when saved", () => {
    const view = viewState(inputs({ link: "absent", status: "connected", account_name: "Downtown", account_id: "42" }));
    expect(view.controlsEnabled).toBe(false);
    expect(lines(view)).toEqual([
      ["offline", OFFLINE_TEXT],
      ["state", "Saved copy: connected to Downtown (42) when it was saved"],
    ]);
    // While the kernel is still being asked, nothing is disabled and nothing is said about it.
    const checking = viewState(inputs({ link: "checking" }));
    expect(checking.controlsEnabled).toBe(true);
    expect(lines(checking)).toEqual([["state", "Not connected yet"]]);
  });
});

describe("the status region's lines", () => {
  test("most important first: the short line, what to fix, the notices, the sign-in's progress, the state", () => {
    const view = viewState(
      inputs({
        status: "authorizing",
        transient: "Redirect URI copied",
        errorSummary: "Fix 1 field: Scopes.",
        notice: "Lightspeed v2 does not offer employee:reports.",
        clientProblems: "clients/bad.json could not be read.",
        signInText: "Waiting for the kernel.",
      }),
    );
    expect(lines(view)).toEqual([
      ["transient", "Redirect URI copied"],
      ["problem", "Fix 1 field: Scopes."],
      ["notice", "Lightspeed v2 does not offer employee:reports. clients/bad.json could not be read."],
      ["flow", "Waiting for the kernel."],
      ["state", "Authorizing\u2026"],
    ]);
    expect(view.statusLines.filter((line) => line.error).map((line) => line.kind)).toEqual(["problem"]);
  });

  test("Python's error is said once: in the state line when the status is error, else as the problem", () => {
    const failed = viewState(inputs({ status: "error", error: "Lightspeed refused the code." }));
    expect(lines(failed)).toEqual([["state", "Error: Lightspeed refused the code."]]);
    expect(failed.statusLines[0].error).toBe(true);
    const refused = viewState(inputs({ error: "Choose a client first." }));
    expect(lines(refused)).toEqual([
      ["problem", "Choose a client first."],
      ["state", "Not connected yet"],
    ]);
  });

  test("the field errors to show are the ones given, untouched", () => {
    const fieldErrors = { name: "Name your connection.", scopes: "Choose at least one scope." };
    expect(viewState(inputs({ fieldErrors })).fieldErrors).toEqual(fieldErrors);
  });
});

describe("where the keyboard goes", () => {
  const busy = viewState(inputs({ status: "authorizing" }));
  const draft = viewState(inputs());
  const summary = viewState(inputs({ status: "connected" }));

  test("Save and authorize went busy under the keyboard: Cancel sign-in, beside it, takes it", () => {
    expect(focusAfterRedraw(busy, "authorize")).toBe("cancel-sign-in");
    expect(focusAfterRedraw(draft, "authorize")).toBeNull();
  });

  test("Cancel sign-in went away: back to Save and authorize, unless the summary took the form's place", () => {
    expect(focusAfterRedraw(draft, "cancel-sign-in")).toBe("authorize");
    expect(focusAfterRedraw(busy, "cancel-sign-in")).toBeNull();
    expect(focusAfterRedraw(summary, "cancel-sign-in")).toBe("edit-connection");
  });

  test("the form folded away under the keyboard: Edit connection takes it; focus elsewhere is left alone", () => {
    expect(focusAfterRedraw(summary, "form")).toBe("edit-connection");
    expect(focusAfterRedraw(summary, "authorize")).toBe("edit-connection");
    expect(focusAfterRedraw(draft, "form")).toBeNull();
    expect(focusAfterRedraw(summary, "elsewhere")).toBeNull();
  });

  test("after the summary went away: the form's next step, Cancel sign-in while Save and authorize is busy", () => {
    expect(focusAfterSummary(draft)).toBe("authorize");
    expect(focusAfterSummary(busy)).toBe("cancel-sign-in");
    expect(focusAfterSummary(summary)).toBe("edit-connection");
  });
});
