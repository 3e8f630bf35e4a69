// The "Redirect URI" field (read-only, with a copy button) and the "Redirect capture" mode combobox. The panel is
// the one that knows the URI, so it writes `redirect_uri` to the model at render and whenever the inputs of the
// computation change.

import { button, describedBy, h, setText } from "./dom.js";
import { label } from "./field.js";
import { copyText } from "./copy.js";
import { NOT_HTTPS_WARNING, describePlan, jupyterBaseUrl, planRedirect } from "./redirect.js";

/** @typedef {import("./types.js").ViewContext} ViewContext */
/** @typedef {import("./types.js").CaptureMode} CaptureMode */

/** The capture modes as the combobox offers them. */
export const CAPTURE_OPTIONS = /** @type {const} */ ([
  ["auto", "Automatic"],
  ["jupyter", "Jupyter server route"],
  ["paste", "Paste the redirected URL"],
]);

/**
 * The plan for this page and model.
 * @param {import("./types.js").PanelModel} model
 * @param {Window} win
 */
export function currentPlan(model, win) {
  return planRedirect({
    captureMode: model.get("capture_mode") ?? "auto",
    loopback: Boolean(model.get("_auth_host_loopback")),
    location: win.location,
    baseUrl: jupyterBaseUrl(win.document),
  });
}

/** @param {ViewContext} ctx */
export function createRedirectField(ctx) {
  const { model } = ctx;
  const win = /** @type {Window} */ (globalThis.window);
  const inputId = ctx.id("redirect-uri");
  const modeId = ctx.id("capture-mode");
  const hintId = ctx.id("redirect-hint");
  const warningId = ctx.id("redirect-warning");

  const input = h("input", {
    class: "ls-input ls-input--mono",
    id: inputId,
    type: "text",
    readonly: true,
    spellcheck: "false",
  });
  const copy = button("Copy redirect URI", { class: "ls-button" });
  const hint = h("p", { class: "ls-hint", id: hintId });
  const warning = h("p", { class: "ls-warning", id: warningId, hidden: true }, NOT_HTTPS_WARNING);
  const mode = h(
    "select",
    { class: "ls-select ls-select--small", id: modeId },
    ...CAPTURE_OPTIONS.map(([value, text]) => h("option", { value }, text)),
  );

  const element = h(
    "div",
    { class: "ls-field ls-field--redirect" },
    label(inputId, "Redirect URI"),
    h("div", { class: "ls-row" }, input, copy),
    warning,
    h("div", { class: "ls-row ls-row--capture" }, label(modeId, "Redirect capture"), mode),
    hint,
  );

  /** Write the computed URI to the model, only when it differs (two views compute the same value). */
  const publish = () => {
    const plan = currentPlan(model, win);
    if (model.get("redirect_uri") !== plan.uri) ctx.commit("redirect_uri", plan.uri);
  };

  const update = () => {
    const plan = currentPlan(model, win);
    const uri = model.get("redirect_uri") || plan.uri;
    if (input.value !== uri) input.value = uri;
    mode.value = model.get("capture_mode") ?? "auto";
    setText(hint, describePlan(plan));
    warning.hidden = uri.startsWith("https:");
    describedBy(input, !warning.hidden && warningId, hintId);
    describedBy(mode, hintId);
  };

  mode.addEventListener(
    "change",
    () => ctx.commit("capture_mode", /** @type {CaptureMode} */ (mode.value)),
    { signal: ctx.signal },
  );
  copy.addEventListener(
    "click",
    async () => {
      const copied = await copyText(input.value, input);
      ctx.announce(copied ? "Redirect URI copied" : "Could not copy: the redirect URI is selected, copy it with Ctrl+C or ⌘C.");
    },
    { signal: ctx.signal },
  );

  publish();
  update();
  return { element, publish, update };
}
