// @vitest-environment happy-dom
// Requests matched to their answers by id, and the panel drawn with no Python behind it (a static HTML export, a
// notebook not run yet): disabled, saying so, and never opening an empty sign-in window.

import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { within } from "@testing-library/dom";
import { FakeModel, flush, readyForm } from "./fake_model.js";
import { installBrowserFakes } from "./fake_browser.js";
import { mount, type } from "./test_utils.js";
import {
  NoAnswerError,
  NotSentError,
  OFFLINE_TEXT,
  PROBE_TIMEOUT_MS,
  createKernelLink,
  isViewGone,
  unlessExpected,
} from "./kernel_link.js";
import { NO_KERNEL_TEXT } from "./client_dialog.js";

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

/** A link on a model that answers nothing by itself; the test plays Python. */
function linked() {
  const model = new FakeModel({}, { kernel: false });
  const controller = new AbortController();
  const changes = /** @type {string[]} */ ([]);
  const link = createKernelLink(/** @type {any} */ (model), {
    signal: controller.signal,
    listen: (event, callback) => model.on(event, callback),
    onChange: (state) => changes.push(state),
  });
  return { model, controller, link, changes };
}

describe("requests and replies", () => {
  test("each request carries its own id; the reply with that id, and only it, resolves it", async () => {
    const { model, link } = linked();
    const first = link.request("list_clients");
    const second = link.request("authorize");
    const [a, b] = model.sent;
    expect(a).toEqual({ type: "list_clients", id: expect.any(String) });
    expect(b.id).not.toBe(a.id);
    /** @type {any[]} */
    const got = [];
    first.then((reply) => got.push(["first", reply]));
    second.then((reply) => got.push(["second", reply]));
    model.pythonSend({ type: "authorize_reply", id: "someone-else-1", ok: true, url: "https://x.example/" });
    model.pythonSend({ type: "authorize_reply", id: b.id, ok: true, url: "https://lightspeed.example/" });
    await flush();
    expect(got).toEqual([["second", { type: "authorize_reply", id: b.id, ok: true, url: "https://lightspeed.example/" }]]);
    model.pythonSend({ type: "list_clients_reply", id: a.id, ok: true, clients: [], problems: [] });
    await flush();
    expect(got.map(([which]) => which)).toEqual(["second", "first"]);
    expect(link.state).toBe("live");
  });

  test("a refusal is an answer: ok false resolves, it does not reject", async () => {
    const { model, link } = linked();
    const pending = link.request("save_client", { name: "X" });
    model.pythonSend({ type: "error_reply", id: model.sent[0].id, ok: false, error: "Python does not know this." });
    await expect(pending).resolves.toMatchObject({ ok: false, error: "Python does not know this." });
  });

  test("ids differ between views of the same model", () => {
    const model = new FakeModel();
    mount({}, model);
    mount({}, model);
    const ids = model.requests("list_clients").map((m) => m.id);
    expect(new Set(ids).size).toBe(2);
  });

  test("malformed messages from Python are ignored", async () => {
    const { model, link } = linked();
    const pending = link.request("list_clients", {}, { timeoutMs: 50 });
    for (const junk of [null, "text", 42, [], { type: "list_clients_reply" }, { id: 7 }]) model.pythonSend(junk);
    expect(link.state).toBe("checking");
    await expect(pending).rejects.toBeInstanceOf(NoAnswerError);
  });

  test("no answer in time: NoAnswerError, and the link is absent; a late answer brings it back", async () => {
    vi.useFakeTimers();
    const { model, link, changes } = linked();
    const late = vi.fn();
    const pending = link.request("list_clients", {}, { timeoutMs: PROBE_TIMEOUT_MS, onLate: late });
    const settled = link.settled();
    const outcome = pending.catch((error) => error);
    vi.advanceTimersByTime(PROBE_TIMEOUT_MS - 1);
    expect(link.state).toBe("checking");
    vi.advanceTimersByTime(1);
    expect(await outcome).toBeInstanceOf(NoAnswerError);
    expect(await settled).toBe("absent");
    // A busy kernel answers after its cell ends: the answer still counts.
    model.pythonSend({ type: "list_clients_reply", id: model.sent[0].id, ok: true, clients: [], problems: [] });
    expect(link.state).toBe("live");
    expect(late).toHaveBeenCalledOnce();
    expect(changes).toEqual(["absent", "live"]);
  });

  test("a request without a timeout waits; the view going away rejects it and stops listening", async () => {
    vi.useFakeTimers();
    const { link, controller } = linked();
    const pending = link.request("authorize");
    vi.advanceTimersByTime(10 * 60 * 1000);
    expect(link.state).toBe("checking");
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    await expect(link.request("authorize")).rejects.toMatchObject({ name: "AbortError" });
  });

  test("a host that throws on send counts as no kernel at once", async () => {
    const { model, link } = linked();
    model.send = () => {
      throw new Error("no comm");
    };
    const refused = link.request("list_clients", {}, { timeoutMs: 1000 });
    await expect(refused).rejects.toThrow("no comm");
    await expect(refused).rejects.toBeInstanceOf(NotSentError);
    expect(link.state).toBe("absent");
  });

  test("a panel whose host throws on every send is a saved copy, and that is no fault for the console", async () => {
    const model = new FakeModel({}, { kernel: false });
    model.send = () => {
      throw new Error("no comm");
    };
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const { screen } = mount({}, model);
    await flush();
    expect(screen.getByRole("status").textContent).toContain(OFFLINE_TEXT);
    expect(logged).not.toHaveBeenCalled();
    logged.mockRestore();
  });
});

describe("a request's rejection: expected ones pass quietly, faults are reported", () => {
  test("the view going away is expected everywhere; anything else is a fault, by default", () => {
    expect(isViewGone(new DOMException("The view was removed.", "AbortError"))).toBe(true);
    expect(isViewGone(new NoAnswerError("list_clients", 3000))).toBe(false);
    expect(isViewGone(null)).toBe(false);
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    /** @type {unknown[]} */
    const faults = [];
    const handle = unlessExpected("doing the thing", { onFault: (error) => faults.push(error) });
    handle(new DOMException("The view was removed.", "AbortError"));
    expect(logged).not.toHaveBeenCalled();
    const bug = new TypeError("reply.clients is not iterable");
    handle(bug);
    expect(faults).toEqual([bug]);
    expect(logged).toHaveBeenCalledWith("ls_widget: doing the thing failed:", bug);
    logged.mockRestore();
  });

  test("a caller names what else it expects", () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const handle = unlessExpected("probing", { expected: (error) => error instanceof NoAnswerError });
    handle(new NoAnswerError("list_clients", 3000));
    expect(logged).not.toHaveBeenCalled();
    handle(new DOMException("The view was removed.", "AbortError"));
    expect(logged).toHaveBeenCalledOnce();
    logged.mockRestore();
  });
});

describe("no kernel: a panel drawn from saved state", () => {
  const SAVED = { ...readyForm("paste"), status: /** @type {const} */ ("connected"), account_name: "Downtown", account_id: "12345" };

  test("after the probe's timeout: every control disabled, and the status says to open the notebook in Jupyter", () => {
    vi.useFakeTimers();
    const { el, screen, model } = mount(SAVED, undefined, { kernel: false });
    expect(model.requests("list_clients")).toHaveLength(1);
    const status = screen.getByRole("status");
    // Saved connected: the summary shows, with "Edit connection" for the form.
    const edit = /** @type {HTMLButtonElement} */ (screen.getByRole("button", { name: "Edit connection" }));
    expect(edit.matches(":disabled")).toBe(false);
    expect(status.textContent).not.toContain(OFFLINE_TEXT);
    vi.advanceTimersByTime(PROBE_TIMEOUT_MS);
    expect(status.textContent).toContain("Open this notebook in Jupyter to connect");
    const fieldset = /** @type {HTMLFieldSetElement} */ (el.querySelector("fieldset.ls-controls"));
    expect(fieldset.disabled).toBe(true);
    for (const control of el.querySelectorAll(".ls-panel input, .ls-panel select, .ls-panel button")) {
      expect(fieldset.contains(control)).toBe(true);
    }
    // What was saved is still shown: the chosen client and the account.
    expect(fieldset.contains(edit)).toBe(true);
    expect(screen.getByRole("group", { name: "Sign-in" }).textContent).toContain("client Reporting");
    const client = /** @type {HTMLSelectElement} */ (screen.getByRole("combobox", { name: "OAuth 2.0 client", hidden: true }));
    expect(client.value).toBe("Reporting");
    // A reader days later must not take it for a live connection: the state is what was true when it was saved.
    expect(status.textContent).toContain("Saved copy: connected to Downtown (12345) when it was saved");
    expect(status.textContent).not.toContain("Connected to");
    const summary = screen.getByRole("group", { name: "Sign-in" });
    expect(summary.textContent).toContain("Saved copy");
    expect(summary.textContent).not.toContain("Connected");
    // No token expiry on a saved copy.
    const tokenLabel = [...summary.querySelectorAll("dt")].find((dt) => dt.textContent === "Access token");
    expect(tokenLabel?.closest("[hidden]")).toBeTruthy();
  });

  test("Save and authorize opens no window: neither while checking nor once the kernel is known absent", async () => {
    vi.useFakeTimers();
    const { screen, model } = mount(readyForm("paste"), undefined, { kernel: false });
    const save = screen.getByRole("button", { name: "Save and authorize" });
    save.click(); // before the probe's answer (or its absence) is known
    expect(fakes.opens).toHaveLength(0);
    vi.advanceTimersByTime(PROBE_TIMEOUT_MS);
    await flush();
    expect(fakes.opens).toHaveLength(0);
    // Even if a click reaches the handler (the fieldset keeps real clicks away), nothing opens and nothing is sent.
    save.dispatchEvent(new MouseEvent("click", { bubbles: true }));
    await flush();
    expect(fakes.opens).toHaveLength(0);
    expect(model.requests("authorize")).toHaveLength(0);
  });

  test("a click while checking goes ahead once the kernel answers", async () => {
    const model = new FakeModel(readyForm("paste"), { kernel: false });
    const { screen } = mount({}, model);
    screen.getByRole("button", { name: "Save and authorize" }).click();
    expect(fakes.opens).toHaveLength(0);
    model.pythonSend({ type: "list_clients_reply", id: model.requests("list_clients")[0].id, ok: true, clients: [], problems: [] });
    await flush();
    expect(fakes.opens).toHaveLength(1);
    expect(model.requests("authorize")).toHaveLength(1);
  });

  test("a late answer (a cell was still running) enables the panel again", () => {
    vi.useFakeTimers();
    const { el, screen, model } = mount(readyForm("paste"), undefined, { kernel: false });
    vi.advanceTimersByTime(PROBE_TIMEOUT_MS);
    const fieldset = /** @type {HTMLFieldSetElement} */ (el.querySelector("fieldset.ls-controls"));
    expect(fieldset.disabled).toBe(true);
    model.pythonSend({ type: "list_clients_reply", id: model.requests("list_clients")[0].id, ok: true, clients: [], problems: [] });
    expect(fieldset.disabled).toBe(false);
    expect(screen.getByRole("status").textContent).not.toContain(OFFLINE_TEXT);
  });

  test("a live kernel never shows the message", () => {
    vi.useFakeTimers();
    const { el, screen } = mount(readyForm("paste"));
    vi.advanceTimersByTime(60_000);
    expect(screen.getByRole("status").textContent).not.toContain(OFFLINE_TEXT);
    expect(/** @type {HTMLFieldSetElement} */ (el.querySelector("fieldset.ls-controls")).disabled).toBe(false);
  });

  test("the client dialog, opened before the probe gave up, saves nothing and says why", () => {
    vi.useFakeTimers();
    const { screen, el, model } = mount({}, undefined, { kernel: false });
    screen.getByRole("button", { name: "Add OAuth 2.0 client" }).click();
    const dialog = within(/** @type {HTMLElement} */ (el.querySelector("dialog.ls-dialog--client")));
    vi.advanceTimersByTime(PROBE_TIMEOUT_MS);
    type(/** @type {HTMLInputElement} */ (dialog.getByRole("textbox", { name: "Client name" })), "Mine");
    type(/** @type {HTMLInputElement} */ (dialog.getByRole("textbox", { name: "Client ID" })), "id-1");
    dialog.getByRole("button", { name: "Save client" }).click();
    expect(model.requests("save_client")).toHaveLength(0);
    expect(dialog.getByRole("alert").textContent).toBe(NO_KERNEL_TEXT);
  });
});
