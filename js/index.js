// Entry point of the Lightspeed connection panel (anywidget ESM). `render` builds one view of the model and returns
// the cleanup that removes every listener it added; a model may have several views at once (the same output shown
// twice), so nothing here lives at module level.
//
// The view is a function of the model: controls write to the model (Python validates and may refuse), and every
// `change:<trait>` redraws the parts that show that trait. The only view-local state is what the model must not
// hold: the dialogs' working copies, the client secret while it is typed, the panel's own validation result, the
// sign-in in progress (its window and pending `state`, sign_in.js), and the list of stored clients (client_field.js).
//
// Drawn from saved widget state with no Python behind it (a static HTML export, a notebook not run yet), the panel
// cannot do anything: kernel_link.js finds that out, and the form is then disabled as a whole (one <fieldset>) with
// the reason in the status region.

import { button, h, idFactory, requiredMark } from "./dom.js";
import { isolateKeys } from "./keyboard.js";
import { createNameField } from "./name_field.js";
import { createApiTypeField } from "./api_type_field.js";
import { createScopeField } from "./scope_picker.js";
import { createClientField } from "./client_field.js";
import { createRedirectField, currentPlan } from "./redirect_field.js";
import { EXPIRED_TEXT, createPasteField } from "./paste_field.js";
import { createSignIn } from "./sign_in.js";
import { createConnectedSummary } from "./connected_summary.js";
import { createStatus, statusLines } from "./status.js";
import { FieldErrorState, badFields, checkForm } from "./validation.js";
import { createKernelLink, offlineText } from "./kernel_link.js";

/** @typedef {import("./types.js").Model} Model */
/** @typedef {import("./types.js").ViewContext} ViewContext */
/** @typedef {import("./types.js").FieldName} FieldName */

const TRANSIENT_MS = 4000;

/** @type {import("@anywidget/types").Render<Model>} */
function render({ model, el, signal }) {
  const controller = new AbortController();
  /** @type {(() => void)[]} */
  const unlisten = [];
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let transientTimer;
  let transient = "";
  /** @type {((status: import("./types.js").Status) => boolean) | null} the statuses the transient still holds for */
  let transientHolds = null;
  /** stored client files Python could not read, as the client list's answer named them (this view only) */
  let clientProblems = "";

  /** @type {ViewContext["listen"]} */
  const listen = (event, callback) => {
    model.on(event, callback);
    unlisten.push(() => model.off(event, callback));
  };
  const link = createKernelLink(model, { signal: controller.signal, listen, onChange: () => applyLink() });

  /** @type {ViewContext} */
  const ctx = {
    model,
    id: idFactory(),
    signal: controller.signal,
    listen,
    link,
    announce(message, { holdsWhile = null } = {}) {
      clearTimeout(transientTimer);
      transientHolds = holdsWhile;
      // Saying the same thing twice in a row must still be heard: clear first, then say it on the next tick.
      const again = transient === message;
      transient = "";
      if (again) refreshStatus();
      transientTimer = setTimeout(
        () => {
          transient = message;
          refreshStatus();
          transientTimer = setTimeout(dropTransient, TRANSIENT_MS);
        },
        again ? 100 : 0,
      );
    },
    commit(key, value) {
      model.set(key, value);
      model.save_changes();
    },
  };

  /** The short-lived line goes: its time is up, or the moment it spoke of has passed. */
  function dropTransient() {
    clearTimeout(transientTimer);
    transientHolds = null;
    if (!transient) return;
    transient = "";
    refreshStatus();
  }

  const errors = new FieldErrorState();

  el.classList.add("ls-widget");

  const nameField = createNameField(ctx, { onEdit: () => fieldChanged("name") });
  const apiTypeField = createApiTypeField(ctx);
  const scopeField = createScopeField(ctx);
  const clientField = createClientField(ctx, {
    onProblems: (text) => {
      clientProblems = text;
      refreshStatus();
    },
  });
  const redirectField = createRedirectField(ctx, { onPlanChange: () => updateFlowParts() });
  const status = createStatus(ctx);
  const authorize = button("Save and authorize", { class: "ls-button ls-button--primary" });
  // While Python waits for Lightspeed's answer: the way out of the sign-in (its window may be gone for good).
  const cancelSignIn = button("Cancel sign-in", { class: "ls-button", hidden: true });
  // While a connected panel shows its form ("Edit connection"): the way back to the summary, changing nothing.
  const backToSummary = button("Back to summary", { class: "ls-button", hidden: true });
  /** the analyst asked for the form of a connected panel ("Edit connection"); this view only */
  let editing = false;
  /** the analyst cancelled this sign-in; until Python's status moves on, the view shows the form (this view only) */
  let cancelled = false;
  /**
   * The status the view draws: Python's, except that a sign-in this view cancelled reads as "draft" until Python
   * says otherwise (it may not know "cancel" yet: then the next "Save and authorize" simply starts afresh).
   * @returns {import("./types.js").Status}
   */
  const viewStatus = () => {
    const status = model.get("status") ?? "draft";
    return cancelled && status === "authorizing" ? "draft" : status;
  };
  const paste = createPasteField(ctx, {
    onSent: () => signIn.pasted(),
    onExpired: () => {
      // The code is gone: "Save and authorize" (which the message names) starts a fresh sign-in.
      signIn.expired();
      ctx.announce(EXPIRED_TEXT, { holdsWhile: (status) => status === "authorizing" });
    },
  });
  const signIn = createSignIn(ctx, {
    onFlowChange: () => refreshStatus(),
    paste,
    mode: () => currentPlan(model, /** @type {Window} */ (globalThis.window)).mode,
    onStaleChange: () => updateFlowParts(),
  });
  const connected = createConnectedSummary(ctx, {
    isShown: () => !editing,
    onEdit: () => {
      editing = true;
      updateFlowParts();
      nameField.focusTarget.focus();
    },
    // Disconnect (here, or by Python) folded the summary away under the keyboard: the form's next step takes
    // focus, once every part of Python's update has been drawn.
    onFocusLeft: () => queueMicrotask(focusAfterSummary),
  });

  /** @type {Record<FieldName, { setError: (message: string | undefined) => void, focusTarget: HTMLElement }>} */
  const fields = { name: nameField, api_type: apiTypeField, scopes: scopeField, oauth_client: clientField };

  const titleId = ctx.id("title");
  // A disabled fieldset disables every control in it, including ones added later (the paste box), natively: no
  // control can be missed, and each one reads as disabled to assistive technology and to the browser.
  // The form, which a connected panel folds away behind its summary.
  const form = h(
    "div",
    { class: "ls-form-fields" },
    nameField.element,
    apiTypeField.element,
    scopeField.element,
    clientField.element,
    redirectField.element,
    h("div", { class: "ls-actions" }, authorize, cancelSignIn, backToSummary, signIn.linkElement),
    paste.element,
  );
  const controls = h("fieldset", { class: "ls-controls" }, connected.element, form, status.element);
  // Visual only: assistive technology learns "required" from aria-required on each control. Only with the form.
  const requiredNote = h("p", { class: "ls-muted ls-required-note", "aria-hidden": "true" }, "Fields marked ", requiredMark(), " are required.");
  el.replaceChildren(
    h(
      "section",
      { class: "ls-panel", "aria-labelledby": titleId },
      h("h3", { class: "ls-title", id: titleId }, "Lightspeed Retail connection"),
      requiredNote,
      controls,
    ),
    ...scopeField.dialogs,
    ...clientField.dialogs,
  );
  // After building: every focusable element gets Lumino's suppress attribute (see keyboard.js for why).
  isolateKeys(el, controller.signal);

  function refreshStatus() {
    status.show(
      statusLines({
        summary: errors.summary(model.get("_field_errors") ?? {}),
        transient,
        offline: link.state === "absent" ? offlineText(el.ownerDocument) : "",
        notice: [model.get("_notice") ?? "", clientProblems].filter(Boolean).join(" "),
        flow: signIn.flowText(),
        status: viewStatus(),
        error: model.get("error") ?? "",
        account_name: model.get("account_name") ?? "",
        account_id: model.get("account_id") ?? "",
        saved: link.state === "absent",
      }),
    );
  }

  /** Focus for the keyboard after the connected summary went away while it had it. */
  function focusAfterSummary() {
    if (controller.signal.aborted) return;
    const active = el.ownerDocument?.activeElement ?? null;
    // Already somewhere sensible: on a control of this panel that is still on show (a browser moves focus off a
    // hidden element by itself, to the body; some DOMs leave it there).
    if (active && el.contains(active) && !active.closest("[hidden]")) return;
    if (!form.hidden) (authorize.disabled ? cancelSignIn : authorize).focus();
    else if (!connected.element.hidden) connected.editButton.focus();
  }

  function refreshErrors() {
    const shown = errors.visible(model.get("_field_errors") ?? {});
    for (const [field, view] of Object.entries(fields)) view.setError(shown[/** @type {FieldName} */ (field)]);
    refreshStatus();
  }

  /** The kernel answered, or the probe found nobody there. */
  function applyLink() {
    controls.disabled = link.state === "absent";
    connected.update(); // a saved copy's summary says so, without the token's expiry
    refreshStatus();
  }

  /** @param {FieldName} field */
  function fieldChanged(field) {
    errors.fieldChanged(field);
    refreshErrors();
  }

  authorize.addEventListener(
    "click",
    () => {
      nameField.flush();
      const found = checkForm({
        name: model.get("name") ?? "",
        scopes: model.get("scopes") ?? [],
        oauth_client: model.get("oauth_client") ?? null,
        profile: model.get("_profiles")?.[model.get("api_type")],
      });
      errors.setLocal(found);
      dropTransient(); // "Sign-in cancelled." and the like belong to the attempt before this one
      refreshErrors();
      const bad = badFields(found);
      if (bad.length) {
        fields[bad[0]].focusTarget.focus();
        return;
      }
      // Opens the sign-in window now, while the click still counts as one for the popup blocker, then asks Python.
      // Never without a kernel: nobody would send the window anywhere, and an empty window is all the analyst got.
      const wasCancelled = cancelled;
      cancelled = false;
      if (link.state === "live") {
        signIn.start();
      } else if (link.state === "checking") {
        // The first answer is still on its way (a few ms normally, at most the probe's 3 s): wait for it. Browsers
        // let a click open a window for about 5 s, so the window still opens (and if not, sign_in.js offers a link).
        link.settled().then((state) => state === "live" && !controller.signal.aborted && signIn.start());
      }
      if (wasCancelled) {
        updateFlowParts();
        refreshStatus();
      }
    },
    { signal: controller.signal },
  );

  const redrawFields = () => {
    apiTypeField.update();
    scopeField.update();
    clientField.update();
  };

  ctx.listen("change:name", () => {
    nameField.update();
    fieldChanged("name");
  });
  ctx.listen("change:api_type", () => {
    redrawFields();
    fieldChanged("api_type");
    updateFlowParts(); // the code's lifetime, hence the countdown, depends on it
    redirectField.update(); // and so does the hint under the redirect URI
  });
  ctx.listen("change:_profiles", redrawFields);
  ctx.listen("change:scopes", () => {
    scopeField.update();
    fieldChanged("scopes");
  });
  ctx.listen("change:oauth_client", () => {
    clientField.update();
    fieldChanged("oauth_client");
  });
  ctx.listen("change:_client", () => clientField.update());
  ctx.listen("change:_field_errors", () => {
    errors.pythonChanged();
    if (Object.keys(model.get("_field_errors") ?? {}).length) signIn.refused();
    refreshErrors();
  });
  ctx.listen("change:status", () => {
    // Python moved on: its status is the one to draw again, and a new connection shows its summary. A notice about
    // the moment before ("Disconnecting…", "Sign-in cancelled.") goes when that moment has passed.
    if (transientHolds && !transientHolds(model.get("status") ?? "draft")) dropTransient();
    cancelled = false;
    if (model.get("status") !== "connected") editing = false;
    signIn.statusChanged(model.get("status"));
    updateFlowParts();
  });
  ctx.listen("change:error", () => {
    if (model.get("error")) {
      if (model.get("status") !== "authorizing") signIn.refused();
      signIn.errorShown();
    }
  });
  for (const key of ["_notice", "status", "error", "account_id", "account_name"]) {
    ctx.listen(`change:${key}`, refreshStatus);
  }
  // marimo reruns the cells that read `panel.value` only on an update from the browser. Python counts its own changes
  // in `_revision` there (and only there): acknowledging a new count is that update. It writes `_seen_revision` and
  // nothing else (never Python's own traits such as `status`, which Python refuses from the browser anyway); with
  // several views of one model the first acknowledges and the others find it done.
  ctx.listen("change:_revision", () => {
    const revision = model.get("_revision") ?? 0;
    if (revision > (model.get("_seen_revision") ?? 0)) ctx.commit("_seen_revision", revision);
  });
  ctx.listen("change:_granted_scopes", () => connected.update());
  ctx.listen("change:_expires_at", () => connected.update());
  ctx.listen("change:_last_sync", () => connected.update());
  const redirectInputsChanged = () => {
    redirectField.publish();
    redirectField.update();
    updateFlowParts();
  };
  ctx.listen("change:capture_mode", redirectInputsChanged);
  ctx.listen("change:_auth_host_loopback", redirectInputsChanged);
  ctx.listen("change:redirect_uri", () => {
    redirectField.update();
    clientField.dialog.updateRedirect();
  });

  /**
   * The parts that depend on the flow's state: the form or the connected summary, the busy "Save and authorize"
   * and its "Cancel sign-in", and the paste box (by capture mode).
   */
  function updateFlowParts() {
    const status = viewStatus();
    const authorizing = status === "authorizing";
    const summary = status === "connected" && !editing;
    const mode = currentPlan(model, /** @type {Window} */ (globalThis.window)).mode;
    const hadFocus = (/** @type {Element | null} */ (el.ownerDocument?.activeElement ?? null));
    form.hidden = summary;
    requiredNote.hidden = summary;
    // Busy: no second sign-in over the running one (a native disabled button: it is not a thing to press now),
    // unless nothing more can come of it (its code expired, its window closed): then it is the way on.
    authorize.disabled = authorizing && !signIn.stale();
    cancelSignIn.hidden = !authorizing;
    backToSummary.hidden = !(editing && status === "connected");
    paste.setLayout(!authorizing ? "hidden" : mode === "paste" ? "paste" : "fallback");
    connected.update();
    // Keep the keyboard where it was meant to be when the element that had focus went away or disabled itself.
    if (hadFocus === authorize && authorize.disabled) cancelSignIn.focus();
    else if (hadFocus === cancelSignIn && !authorizing && !form.hidden) authorize.focus();
    else if (hadFocus && form.contains(hadFocus) && summary) connected.editButton.focus();
  }

  cancelSignIn.addEventListener(
    "click",
    () => {
      cancelled = true;
      signIn.cancel();
      updateFlowParts();
      refreshStatus();
      // It holds while Python settles where the cancel leads (back to the connection there was before, or a draft);
      // any other news (a result that was already on its way connected after all) ends it.
      const outcome = model.get("account_id") ? "connected" : "draft";
      ctx.announce("Sign-in cancelled.", { holdsWhile: (status) => status === outcome });
    },
    { signal: controller.signal },
  );
  backToSummary.addEventListener(
    "click",
    () => {
      editing = false;
      updateFlowParts();
    },
    { signal: controller.signal },
  );

  updateFlowParts();
  refreshErrors();
  // The stored clients, and the answer that tells whether any Python is there at all.
  clientField.refresh();

  let cleanedUp = false;
  const cleanup = () => {
    if (cleanedUp) return;
    cleanedUp = true;
    clearTimeout(transientTimer);
    controller.abort();
    for (const off of unlisten.splice(0)) off();
    el.replaceChildren();
    el.classList.remove("ls-widget");
  };
  signal?.addEventListener("abort", cleanup);
  return cleanup;
}

export default { render };
