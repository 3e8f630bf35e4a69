// @vitest-environment happy-dom
// The Add / Edit OAuth 2.0 client dialog: what it sends, what it never does with the secret, Python's answers.

import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { within } from "@testing-library/dom";
import { descriptionOf, mount, press, type } from "./test_utils.js";
import { flush } from "./fake_model.js";
import { NO_KERNEL_TEXT } from "./client_dialog.js";

const CLIENTS = [
  { name: "Reporting", client_id: "abc123", has_secret: true },
  { name: "Public app", client_id: "pub456", has_secret: false },
];

beforeEach(() => document.body.replaceChildren());
afterEach(() => vi.useRealTimers());

/**
 * @param {"Add OAuth 2.0 client" | "Edit OAuth 2.0 client"} which
 * @param {Partial<import("./types.js").Model>} [state]
 */
async function openDialog(which, state = {}) {
  const view = mount(state, undefined, { clients: CLIENTS });
  await flush(); // the stored clients, as Python lists them for this view
  const opener = view.screen.getByRole("button", { name: which });
  opener.click();
  const dialog = /** @type {HTMLDialogElement} */ (view.el.querySelector("dialog.ls-dialog--client"));
  const d = within(dialog);
  return {
    ...view,
    opener,
    dialog,
    d,
    clientName: /** @type {HTMLInputElement} */ (d.getByRole("textbox", { name: "Client name" })),
    clientId: /** @type {HTMLInputElement} */ (d.getByRole("textbox", { name: "Client ID" })),
    // A password input has no role; it is found by its label.
    secret: /** @type {HTMLInputElement} */ (d.getByLabelText("Client secret")),
    save: d.getByRole("button", { name: "Save client" }),
    combobox: view.screen.getByRole("combobox", { name: "OAuth 2.0 client" }),
  };
}

describe("opening", () => {
  test("Add: empty fields, the first focused, the stored clients asked for again", async () => {
    const p = await openDialog("Add OAuth 2.0 client");
    expect(p.dialog.open).toBe(true);
    expect(p.dialog.getAttribute("aria-labelledby")).toBeTruthy();
    expect(p.d.getByRole("heading", { name: "Add OAuth 2.0 client" })).toBeTruthy();
    expect(document.activeElement).toBe(p.clientName);
    expect([p.clientName.value, p.clientId.value, p.secret.value]).toEqual(["", "", ""]);
    expect(p.secret.type).toBe("password");
    expect(p.secret.getAttribute("autocomplete")).toBe("off");
    expect(p.model.requests("list_clients")).toHaveLength(2); // at render, and when the dialog opened
    expect(p.d.getByRole("button", { name: "Cancel" })).toBeTruthy();
  });

  test("Edit: prefilled from the listed client, secret blank with the keep-it placeholder", async () => {
    const p = await openDialog("Edit OAuth 2.0 client", { oauth_client: "Reporting" });
    expect(p.d.getByRole("heading", { name: "Edit OAuth 2.0 client" })).toBeTruthy();
    expect(p.clientName.value).toBe("Reporting");
    expect(p.clientId.value).toBe("abc123");
    expect(p.secret.value).toBe("");
    expect(p.secret.placeholder).toBe("Leave blank to keep the stored secret");
  });

  test("the help disclosure has Lightspeed's steps and the redirect URI with its own copy button", async () => {
    const p = await openDialog("Add OAuth 2.0 client");
    const help = /** @type {HTMLDetailsElement} */ (p.dialog.querySelector("details"));
    expect(help.querySelector("summary")?.textContent).toBe("How to retrieve the client ID and client secret");
    const text = help.textContent ?? "";
    for (const fact of [
      "https://cloud.lightspeedapp.com/oauth/register.php",
      "https://cloud.lightspeedapp.com/oauth/update.php",
      "only one client",
      "must not contain \u201cLightspeed\u201d",
      "publicly distributed",
      "PKCE",
      "cannot be changed later",
      "24\u201348 hours",
    ]) {
      expect(text).toContain(fact);
    }
    const uri = /** @type {HTMLInputElement} */ (within(help).getByRole("textbox", { name: "Redirect URI to register" }));
    expect(uri.value).toBe("https://localhost");
    expect(within(help).getByRole("button", { name: "Copy the redirect URI to register" })).toBeTruthy();
    for (const a of help.querySelectorAll("a")) expect(a.getAttribute("rel")).toContain("noopener");
  });
});

describe("saving", () => {
  test("sends save_client with the secret, never sets it on the model, clears it on success", async () => {
    const p = await openDialog("Add OAuth 2.0 client");
    type(p.clientName, "  New client ");
    type(p.clientId, "id-789");
    type(p.secret, "s3cr3t-value");
    p.save.click();
    expect(p.model.sent.at(-1)).toEqual({
      type: "save_client",
      id: expect.any(String),
      name: "New client",
      client_id: "id-789",
      client_secret: "s3cr3t-value",
      previous_name: null,
    });
    // Pending: "Saving…" shown, the button disabled, a second click sends nothing.
    expect(p.save.getAttribute("aria-disabled")).toBe("true");
    expect(p.dialog.textContent).toContain("Saving\u2026");
    p.save.click();
    expect(p.model.sent.filter((m) => m.type === "save_client")).toHaveLength(1);
    // Python answers: stores, sets oauth_client and _client, then replies with the stored clients.
    const saved = { name: "New client", client_id: "id-789", has_secret: true };
    p.model.pythonSet({ oauth_client: "New client", _client: saved });
    await p.model.reply("save_client", { name: "New client", clients: [...CLIENTS, saved], problems: [] });
    expect(p.dialog.open).toBe(false);
    expect(p.secret.value).toBe("");
    expect(document.activeElement).toBe(p.combobox);
    expect(/** @type {HTMLSelectElement} */ (p.combobox).value).toBe("New client");
    expect([.../** @type {HTMLSelectElement} */ (p.combobox).options].map((o) => o.value)).toEqual(["", "Reporting", "Public app", "New client"]);
    // The secret never went through model.set, and no synced state contains it.
    expect(JSON.stringify(p.model.state)).not.toContain("s3cr3t-value");
    expect(JSON.stringify(p.model.saved)).not.toContain("s3cr3t-value");
  });

  test("Cancel and Escape clear the secret and send nothing", async () => {
    const p = await openDialog("Add OAuth 2.0 client");
    type(p.clientName, "X");
    type(p.clientId, "Y");
    type(p.secret, "typed-secret");
    p.d.getByRole("button", { name: "Cancel" }).click();
    expect(p.dialog.open).toBe(false);
    expect(p.secret.value).toBe("");
    expect(document.activeElement).toBe(p.opener);
    p.opener.click();
    type(p.secret, "again");
    press(p.secret, "Escape");
    expect(p.dialog.open).toBe(false);
    expect(p.secret.value).toBe("");
    expect(p.model.sent.filter((m) => m.type === "save_client")).toHaveLength(0);
    expect(document.activeElement).toBe(p.opener);
  });

  test("the panel's own checks: name and client ID required", async () => {
    const p = await openDialog("Add OAuth 2.0 client");
    p.save.click();
    expect(p.model.sent.filter((m) => m.type === "save_client")).toHaveLength(0);
    expect(p.clientName.getAttribute("aria-invalid")).toBe("true");
    expect(p.clientId.getAttribute("aria-invalid")).toBe("true");
    expect(descriptionOf(p.clientName)).toContain("Give the OAuth 2.0 client a name");
    expect(document.activeElement).toBe(p.clientName);
    type(p.clientName, "N");
    expect(p.clientName.hasAttribute("aria-invalid")).toBe(false);
    p.save.click();
    expect(document.activeElement).toBe(p.clientId);
  });

  test("Enter in a field saves", async () => {
    const p = await openDialog("Add OAuth 2.0 client");
    type(p.clientName, "N");
    type(p.clientId, "I");
    press(p.clientId, "Enter");
    expect(p.model.sent.at(-1)?.type).toBe("save_client");
  });

  test("client_error: the message under that field, the dialog stays open, the field focused", async () => {
    const p = await openDialog("Add OAuth 2.0 client");
    type(p.clientName, "Reporting");
    type(p.clientId, "abc");
    type(p.secret, "x");
    p.save.click();
    await p.model.reply("save_client", { ok: false, field: "name", error: "A client named 'Reporting' already exists." });
    expect(p.dialog.open).toBe(true);
    expect(p.clientName.getAttribute("aria-invalid")).toBe("true");
    expect(descriptionOf(p.clientName)).toContain("already exists");
    expect(document.activeElement).toBe(p.clientName);
    expect(p.save.hasAttribute("aria-disabled")).toBe(false);
    // The secret is still there to retry with.
    expect(p.secret.value).toBe("x");
    // An error without a field shows as an alert in the dialog.
    p.save.click();
    await p.model.reply("save_client", { ok: false, field: null, error: "The store is not writable." });
    expect(p.d.getByRole("alert").textContent).toBe("The store is not writable.");
  });

  test("editing sends previous_name, and an empty secret (keep the stored one)", async () => {
    const p = await openDialog("Edit OAuth 2.0 client", { oauth_client: "Reporting" });
    type(p.clientName, "Reporting v2");
    p.save.click();
    expect(p.model.sent.at(-1)).toEqual({
      type: "save_client",
      id: expect.any(String),
      name: "Reporting v2",
      client_id: "abc123",
      client_secret: "",
      previous_name: "Reporting",
    });
  });

  test("answers meant for another view are ignored: only the id of this dialog's request counts", async () => {
    const p = await openDialog("Add OAuth 2.0 client");
    type(p.clientName, "Mine");
    type(p.clientId, "id-1");
    p.save.click();
    p.model.pythonSend({ type: "save_client_reply", id: "another-view-7", ok: true, name: "Other", clients: [], problems: [] });
    await flush();
    expect(p.dialog.open).toBe(true);
    expect(p.save.getAttribute("aria-disabled")).toBe("true");
    await p.model.reply("save_client", { name: "Mine", clients: [], problems: [] });
    expect(p.dialog.open).toBe(false);
  });

  test("an error reply (Python could not handle the request) shows in the dialog", async () => {
    const p = await openDialog("Add OAuth 2.0 client");
    type(p.clientName, "Mine");
    type(p.clientId, "id-1");
    p.save.click();
    const { id } = p.model.requests("save_client")[0];
    p.model.pythonSend({ type: "error_reply", id, ok: false, error: "Python could not handle this." });
    await flush();
    expect(p.d.getByRole("alert").textContent).toBe("Python could not handle this.");
    expect(p.save.hasAttribute("aria-disabled")).toBe(false);
  });

  test("a slow kernel is explained, not hidden", async () => {
    vi.useFakeTimers();
    const p = await openDialog("Add OAuth 2.0 client");
    type(p.clientName, "N");
    type(p.clientId, "I");
    p.save.click();
    vi.advanceTimersByTime(9000);
    expect(p.dialog.textContent).toContain("still waiting for the kernel");
  });

  test("a host that will not send the save: nothing saved, and the dialog says so instead of Saving… for ever", async () => {
    const p = await openDialog("Add OAuth 2.0 client");
    type(p.clientName, "Mine");
    type(p.clientId, "id-1");
    type(p.secret, "s3cret");
    const send = p.model.send.bind(p.model);
    p.model.send = (/** @type {any} */ content) => {
      if (content?.type === "save_client") throw new Error("no comm");
      send(content);
    };
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    p.save.click();
    await flush();
    expect(p.d.getByRole("alert").textContent).toBe(NO_KERNEL_TEXT);
    expect(p.save.hasAttribute("aria-disabled")).toBe(false);
    expect(p.dialog.getAttribute("aria-busy")).toBe("false");
    // The console names what failed, and the secret is in none of it.
    expect(logged).toHaveBeenCalledOnce();
    expect(String(logged.mock.calls[0][0])).toContain("saving the OAuth 2.0 client");
    expect(JSON.stringify(logged.mock.calls, (_, v) => (v instanceof Error ? `${v.message} ${v.cause}` : v))).not.toContain("s3cret");
    logged.mockRestore();
  });

  test("the view going away while saving is no fault: nothing in the console", async () => {
    const p = await openDialog("Add OAuth 2.0 client");
    type(p.clientName, "Mine");
    type(p.clientId, "id-1");
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    p.save.click();
    p.cleanup();
    await flush();
    expect(logged).not.toHaveBeenCalled();
    logged.mockRestore();
  });

  test("cleanup while open empties the secret", async () => {
    const p = await openDialog("Add OAuth 2.0 client");
    type(p.secret, "left-behind");
    p.cleanup();
    expect(p.secret.value).toBe("");
  });
});
