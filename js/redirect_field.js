// The "Redirect URI" field (read-only, with a copy button) and the "Redirect capture" mode combobox. The panel is
// the one that knows the URI, so it writes `redirect_uri` to the model at render and whenever the inputs of the
// computation change, including the answer of the route probe (redirect.js): automatic mode shows the Jupyter route
// while the probe runs and switches to paste, saying why, when this server does not serve it.

import { button, describedBy, h, setText } from "./dom.js";
import { label, textInput } from "./field.js";
import { copyText } from "./copy.js";
import { codeLifetime } from "./paste_field.js";
import {
  NOT_HTTPS_WARNING,
  ROUTE_MISSING_WARNING,
  callbackUrl,
  checkRoute,
  describePlan,
  isVoilaPage,
  jupyterBaseUrl,
  planRedirect,
  routeState,
} from "./redirect.js";

/** @typedef {import("./types.js").ViewContext} ViewContext */
/** @typedef {import("./types.js").CaptureMode} CaptureMode */

/** The capture modes as the combobox offers them. */
export const CAPTURE_OPTIONS = /** @type {const} */ ([
  ["auto", "Automatic"],
  ["jupyter", "Jupyter server route"],
  ["paste", "Paste the redirected URL"],
]);

/**
 * The plan for this page and model, with what the page's route probe has found so far (it does not start one).
 * @param {import("./types.js").PanelModel} model
 * @param {Window} win
 */
export function currentPlan(model, win) {
  const baseUrl = jupyterBaseUrl(win.document);
  return planRedirect({
    captureMode: model.get("capture_mode") ?? "auto",
    loopback: Boolean(model.get("_auth_host_loopback")),
    location: win.location,
    baseUrl,
    route: routeState(callbackUrl(baseUrl ?? "/", win.location.origin)),
  });
}

/**
 * @param {ViewContext} ctx
 * @param {{ onPlanChange?: () => void }} [hooks]  the route probe answered: the mode may have changed
 */
export function createRedirectField(ctx, { onPlanChange = () => {} } = {}) {
  const { model } = ctx;
  const win = /** @type {Window} */ (globalThis.window);
  const inputId = ctx.id("redirect-uri");
  const modeId = ctx.id("capture-mode");
  const hintId = ctx.id("redirect-hint");
  const warningId = ctx.id("redirect-warning");

  // Read-only, and drawn as text rather than as a box to type in; still a textbox, so it can be selected and copied.
  const input = textInput({ id: inputId, mono: true, class: "ls-input--readonly", readonly: true });
  const copy = button("Copy redirect URI", { class: "ls-button" });
  const hint = h("p", { class: "ls-hint", id: hintId });
  const warning = h("p", { class: "ls-warning", id: warningId, hidden: true }, NOT_HTTPS_WARNING);
  const routeWarningId = ctx.id("redirect-route-warning");
  const routeWarning = h("p", { class: "ls-warning", id: routeWarningId, hidden: true }, ROUTE_MISSING_WARNING);
  const mode = h(
    "select",
    { class: "ls-select", id: modeId },
    ...CAPTURE_OPTIONS.map(([value, text]) => h("option", { value }, text)),
  );

  const element = h(
    "div",
    { class: "ls-field ls-field--redirect" },
    label(inputId, "Redirect URI"),
    h("div", { class: "ls-row" }, input, copy),
    routeWarning,
    warning,
    h("div", { class: "ls-row ls-row--capture" }, label(modeId, "Redirect capture"), mode),
    hint,
  );

  /** @type {Set<string>} route addresses this view waits on (each probe runs once per page, see redirect.js) */
  const awaited = new Set();

  /** The plan, starting the route probe when the plan depends on it. */
  const plan = () => {
    const current = currentPlan(model, win);
    const url = current.probe;
    if (url && !awaited.has(url)) {
      awaited.add(url);
      checkRoute(url).then(() => {
        if (ctx.signal.aborted) return;
        publish();
        update();
        onPlanChange();
      });
    }
    return current;
  };

  /** Write the computed URI to the model, only when it differs (two views compute the same value). */
  const publish = () => {
    const { uri } = plan();
    if (model.get("redirect_uri") !== uri) ctx.commit("redirect_uri", uri);
  };

  const update = () => {
    const current = plan();
    const uri = model.get("redirect_uri") || current.uri;
    if (input.value !== uri) input.value = uri;
    mode.value = model.get("capture_mode") ?? "auto";
    const viewer = isVoilaPage(win.document);
    setText(hint, describePlan(current, codeLifetime(model), { viewer }));
    // Server and registration advice is for whoever set the notebook up, not for a viewer of a dashboard.
    warning.hidden = uri.startsWith("https:") || viewer;
    routeWarning.hidden = !(current.mode === "jupyter" && current.route === "missing") || viewer;
    describedBy(input, !routeWarning.hidden && routeWarningId, !warning.hidden && warningId, hintId);
    describedBy(mode, !routeWarning.hidden && routeWarningId, hintId);
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
