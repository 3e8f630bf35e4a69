// Entry point of the Lightspeed connection panel (anywidget ESM). `render` builds one view of the model and returns
// the cleanup that removes every listener it added; a model may have several views at once (the same output shown
// twice), so nothing here lives at module level.
//
// The view is a function of the model: controls write to the model (Python validates and may refuse), and every
// change, Python's (`change:<trait>`) or this view's own, ends in one `redraw()`, which draws what view_state.js
// derives from the model and this view's own state. That state is only what the model must not hold: the dialogs'
// working copies, the client secret while it is typed, the panel's own validation result, the sign-in in progress
// (its window and pending `state`, sign_in.js), the list of stored clients (client_field.js), and the few flags below.
//
// Drawn from saved widget state with no Python behind it (a static HTML export, a notebook not run yet), the panel
// cannot do anything: kernel_link.js finds that out, and the form is then disabled as a whole (one <fieldset>) with
// the reason in the status region.

import { isolateKeys } from "./keyboard.js";
import { createNameField } from "./name_field.js";
import { createApiTypeField } from "./api_type_field.js";
import { createScopeField } from "./scope_picker.js";
import { createClientField } from "./client_field.js";
import { createRedirectField, currentPlan } from "./redirect_field.js";
import { createPasteField } from "./paste_field.js";
import { createSignIn } from "./sign_in.js";
import { createConnectedSummary } from "./connected_summary.js";
import { createStatus } from "./status.js";
import { FIELD_ORDER, FieldErrorState, badFields, checkForm } from "./validation.js";
import { offlineText } from "./kernel_link.js";
import { createViewContext } from "./view_context.js";
import { createFrame } from "./frame.js";
import { viewState } from "./view_state.js";

/** @typedef {import("./types.js").Model} Model */
/** @typedef {import("./types.js").PanelModel} PanelModel */
/** @typedef {import("./types.js").ViewContext} ViewContext */
/** @typedef {import("./types.js").FieldName} FieldName */

/** Traits whose change needs nothing but the redraw (see `meaning` in render for the others). */
const DRAWN_ONLY = /** @type {const} */ ([
  "_client", "_notice", "account_id", "account_name", "redirect_uri", "_granted_scopes", "_expires_at", "_last_sync",
]);

/** @type {import("@anywidget/types").Render<Model>} */
function render({ model, el, signal }) {
  const { ctx, transient, dispose } = createViewContext(model, { onChange: () => redraw() });
  const errors = new FieldErrorState();
  /** This view's own state; view_state.js's ViewInputs says what each one means. */
  const local = { editing: false, cancelled: false, clientProblems: "" };
  const { redraw, start } = drawLoop(() => draw(), ctx.signal);
  /** @param {() => void} update  a change to this view's own state, then the redraw */
  const change = (update) => {
    update();
    redraw();
  };

  const captureMode = () => currentPlan(model, /** @type {Window} */ (globalThis.window)).mode;
  const nameField = createNameField(ctx, { onEdit: () => change(() => errors.fieldChanged("name")) });
  const apiTypeField = createApiTypeField(ctx);
  const scopeField = createScopeField(ctx);
  const clientField = createClientField(ctx, { onProblems: (text) => change(() => (local.clientProblems = text)) });
  const redirectField = createRedirectField(ctx, { onPlanChange: redraw });
  const status = createStatus(ctx);
  const paste = createPasteField(ctx, { onSent: () => signIn.pasted(), onExpired: () => signIn.expired() });
  const signIn = createSignIn(ctx, { paste, mode: captureMode, onFlowChange: redraw, onStaleChange: redraw });
  const connected = createConnectedSummary(ctx, {
    isShown: () => !local.editing,
    onEdit: () => {
      change(() => (local.editing = true));
      nameField.focusTarget.focus();
    },
    // Disconnect (here, or by Python) folded the summary away under the keyboard: the form's next step takes it.
    onFocusLeft: () => frame.summaryLeft(),
  });
  /** @type {Record<FieldName, { setError: (message: string | undefined) => void, focusTarget: HTMLElement }>} */
  const fields = { name: nameField, api_type: apiTypeField, scopes: scopeField, oauth_client: clientField };
  const parts = [nameField, apiTypeField, scopeField, clientField, redirectField, connected];
  const frame = createFrame(el, ctx, {
    summary: connected.element,
    editConnection: connected.editButton,
    fields: [nameField, apiTypeField, scopeField, clientField, redirectField].map((field) => field.element),
    signInLink: signIn.linkElement,
    paste: paste.element,
    status: status.element,
    dialogs: [...scopeField.dialogs, ...clientField.dialogs],
  });
  // After building: every focusable element gets Lumino's suppress attribute (see keyboard.js for why).
  isolateKeys(el, ctx.signal);

  /** Draw the whole view from the model and this view's own state. */
  function draw() {
    const python = model.get("_field_errors") ?? {};
    const view = viewState({
      ...shownTraits(model),
      link: ctx.link.state,
      offlineText: offlineText(el.ownerDocument),
      captureMode: captureMode(),
      ...local,
      signInStale: signIn.stale(),
      signInText: signIn.flowText(),
      transient: transient.text(),
      fieldErrors: errors.visible(python),
      errorSummary: errors.summary(python),
    });
    for (const part of parts) part.update();
    clientField.dialog.updateRedirect();
    frame.show(view);
    for (const [field, part] of Object.entries(fields)) part.setError(view.fieldErrors[/** @type {FieldName} */ (field)]);
    paste.setLayout(view.paste);
    status.show(view.statusLines);
  }

  /** What a trait's change means for this view's own state, before the redraw every change ends in. */
  /** @type {Partial<Record<keyof Model, () => void>>} */
  const meaning = {
    ...Object.fromEntries(FIELD_ORDER.map((field) => [field, () => errors.fieldChanged(field)])),
    // The open scope picker keeps only what the new catalog offers.
    api_type: () => {
      errors.fieldChanged("api_type");
      scopeField.catalogChanged();
    },
    _profiles: () => scopeField.catalogChanged(),
    _field_errors: () => {
      errors.pythonChanged();
      if (Object.keys(model.get("_field_errors") ?? {}).length) signIn.refused();
    },
    status: () => {
      // Python moved on: its status is the one to draw again, and a new connection shows its summary. A notice about
      // the moment before ("Disconnecting…", "Sign-in cancelled.") goes when that moment has passed.
      const now = model.get("status") ?? "draft";
      transient.statusChanged(now);
      local.cancelled = false;
      if (now !== "connected") local.editing = false;
      signIn.statusChanged(now);
    },
    error: () => {
      if (!model.get("error")) return;
      if (model.get("status") !== "authorizing") signIn.refused();
      signIn.errorShown();
    },
    // The redirect URI is the panel's to compute: what it is computed from changed.
    capture_mode: () => redirectField.publish(),
    _auth_host_loopback: () => redirectField.publish(),
  };
  for (const key of /** @type {(keyof Model)[]} */ ([...Object.keys(meaning), ...DRAWN_ONLY])) {
    ctx.listen(`change:${key}`, () => change(meaning[key] ?? (() => {})));
  }
  acknowledgeRevisions(ctx);

  /** @param {HTMLElement} target  @param {() => void} action */
  const onClick = (target, action) => target.addEventListener("click", action, { signal: ctx.signal });
  onClick(frame.authorize, () => {
    nameField.flush();
    const found = checkForm(formOf(model));
    const bad = badFields(found);
    change(() => {
      errors.setLocal(found);
      transient.drop(); // "Sign-in cancelled." and the like belong to the attempt before this one
      if (!bad.length) local.cancelled = false;
    });
    if (bad.length) fields[bad[0]].focusTarget.focus();
    else signIn.start();
  });
  onClick(frame.cancelSignIn, () => {
    change(() => {
      local.cancelled = true;
      signIn.cancel();
    });
    // It holds while Python settles where the cancel leads (back to the connection there was before, or a draft);
    // any other news (a result that was already on its way connected after all) ends it.
    const outcome = model.get("account_id") ? "connected" : "draft";
    ctx.announce("Sign-in cancelled.", { holdsWhile: (status) => status === outcome });
  });
  onClick(frame.backToSummary, () => change(() => (local.editing = false)));

  start();
  // The stored clients, and the answer that tells whether any Python is there at all.
  clientField.refresh();

  const cleanup = () => {
    dispose();
    frame.remove();
  };
  signal?.addEventListener("abort", cleanup);
  return cleanup;
}

/**
 * One redraw for every change. A part may ask for another while one runs (its hook fires as it draws): that one
 * runs once the current one is done, never inside it. Before `start` (the parts are still being built) nothing draws.
 * @param {() => void} draw
 * @param {AbortSignal} signal  the view's: a removed view draws nothing more
 */
function drawLoop(draw, signal) {
  let started = false;
  let drawing = false;
  let again = false;
  const redraw = () => {
    if (drawing || !started) {
      again = true;
      return;
    }
    drawing = true;
    try {
      do {
        again = false;
        if (!signal.aborted) draw();
      } while (again);
    } finally {
      drawing = false;
    }
  };
  return {
    redraw,
    start() {
      started = true;
      redraw();
    },
  };
}

/**
 * The model's values the view shows (view_state.js's ViewInputs).
 * @param {PanelModel} model
 */
function shownTraits(model) {
  return {
    status: model.get("status") ?? "draft",
    error: model.get("error") ?? "",
    notice: model.get("_notice") ?? "",
    account_name: model.get("account_name") ?? "",
    account_id: model.get("account_id") ?? "",
  };
}

/**
 * What the panel's own checks look at (validation.js).
 * @param {PanelModel} model
 */
function formOf(model) {
  return {
    name: model.get("name") ?? "",
    scopes: model.get("scopes") ?? [],
    oauth_client: model.get("oauth_client") ?? null,
    profile: model.get("_profiles")?.[model.get("api_type")],
  };
}

/**
 * marimo reruns the cells that read `panel.value` only on an update from the browser. Python counts its own changes
 * in `_revision` there (and only there): acknowledging a new count is that update. It writes `_seen_revision` and
 * nothing else (never Python's own traits such as `status`, which Python refuses from the browser anyway); with
 * several views of one model the first acknowledges and the others find it done.
 * @param {ViewContext} ctx
 */
function acknowledgeRevisions(ctx) {
  ctx.listen("change:_revision", () => {
    const revision = ctx.model.get("_revision") ?? 0;
    if (revision > (ctx.model.get("_seen_revision") ?? 0)) ctx.commit("_seen_revision", revision);
  });
}

export default { render };
