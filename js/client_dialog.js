// The "Add / Edit OAuth 2.0 client" dialog. The client secret exists only in the password input and in the one
// `save_client` message: it is never set on the model (which would sync it into the notebook's widget state), never
// logged, and the input is emptied whenever the dialog closes, saved or not.

import { button, h, setText } from "./dom.js";
import { createDialog } from "./dialog.js";
import { errorSlot, label, textInput } from "./field.js";
import { copyText } from "./copy.js";
import { NOT_HTTPS_WARNING } from "./redirect.js";
import { unlessExpected } from "./kernel_link.js";

/** @typedef {import("./types.js").ViewContext} ViewContext */
/** @typedef {import("./types.js").ClientSummary} ClientSummary */
/** @typedef {import("./types.js").SaveClientFields} SaveClientFields */
/** @typedef {import("./types.js").Reply} Reply */

export const REGISTER_URL = "https://cloud.lightspeedapp.com/oauth/register.php";
export const UPDATE_URL = "https://cloud.lightspeedapp.com/oauth/update.php";
// Comm messages wait while a cell runs; after this long, say so instead of looking frozen.
const SLOW_ANSWER_MS = 8000;
export const NO_KERNEL_TEXT = "Nothing was saved: no running Python answers this panel. Run its cell, then try again.";

/**
 * @param {string} href
 */
const link = (href) => h("a", { href, target: "_blank", rel: "noopener noreferrer" }, href);

/**
 * @param {ViewContext} ctx
 * @param {object} options
 * @param {() => HTMLElement | null} options.afterSave  where focus goes after a successful save
 * @param {(name: string | null) => ClientSummary | undefined} options.lookup  a stored client's display data
 * @param {(clients: ClientSummary[], problems: string[]) => void} options.onSaved  the stored clients after a save
 * @param {() => void} options.refresh  ask Python for the stored clients again
 */
export function createClientDialog(ctx, { afterSave, lookup, onSaved, refresh }) {
  const { model } = ctx;
  /** @type {string | null} the stored client being edited; null when adding */
  let editing = null;
  let pending = false;
  /** counts submits: an answer to an earlier one (the dialog was closed and opened again since) is dropped */
  let submits = 0;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let slowTimer;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let copiedTimer;

  const cancel = () => close(null);
  const dialog = createDialog(ctx, { name: "client", title: "Add OAuth 2.0 client", onCancel: cancel });

  /**
   * @param {string} key
   * @param {string} text
   * @param {{ type: "text" | "password", required?: boolean }} options
   */
  const textField = (key, text, { type, required = false }) => {
    const id = ctx.id(`client-${key}`);
    const input = textInput({ id, type, "aria-required": required && "true" });
    const error = errorSlot(ctx, `client-${key}`, { target: input });
    const element = h("div", { class: "ls-field" }, label(id, text, { required }), input, error.element);
    input.addEventListener("input", () => error.set(""), { signal: ctx.signal });
    return { input, error, element };
  };
  const nameField = textField("name", "Client name", { type: "text", required: true });
  const idField = textField("id", "Client ID", { type: "text", required: true });
  const secretField = textField("secret", "Client secret", { type: "password" });

  const general = h("p", { class: "ls-field-error", role: "alert", hidden: true });
  const saving = h("span", { class: "ls-muted ls-saving", "aria-live": "polite" });
  const save = button("Save client", { class: "ls-button ls-button--primary" });
  const cancelButton = button("Cancel", { class: "ls-button" });

  // The help: Lightspeed's registration steps, with the redirect URI to paste there.
  const redirectInput = textInput({ mono: true, readonly: true, "aria-label": "Redirect URI to register" });
  const copyButton = button("Copy", { class: "ls-button", "aria-label": "Copy the redirect URI to register" });
  const copied = h("span", { class: "ls-muted", "aria-live": "polite" });
  const redirectWarning = h("p", { class: "ls-warning", hidden: true }, NOT_HTTPS_WARNING);
  const help = h(
    "details",
    { class: "ls-help" },
    h("summary", {}, "How to retrieve the client ID and client secret"),
    h(
      "ol",
      {},
      h("li", {}, "Signed in to Lightspeed, register a client at ", link(REGISTER_URL),
        ". Each application registers only one client, and its name must not contain \u201cLightspeed\u201d."),
      h("li", {}, "Paste this redirect URI there (Lightspeed requires HTTPS and no \u2018#\u2019):",
        h("span", { class: "ls-row" }, redirectInput, copyButton, copied), redirectWarning),
      h("li", {}, "Tick \u201cpublicly distributed\u201d only for an app shared with other merchants: PKCE is then " +
        "required and the secret optional. That checkbox cannot be changed later."),
      h("li", {}, "After registering, copy the Client ID and the Client Secret Lightspeed shows, and paste them here."),
      h("li", {}, "Lost the secret? Generate a new one at ", link(UPDATE_URL), "."),
      h("li", {}, "Approval is usually immediate; otherwise it takes 24\u201348 hours."),
    ),
  );

  // A form around the fields lets browsers and password managers treat the secret as a credential field of this
  // dialog; it is never submitted (no action, submit prevented), "Save client" sends the message instead.
  const form = h("form", { class: "ls-form", novalidate: true, autocomplete: "off" }, nameField.element, idField.element, secretField.element);
  dialog.body.append(form, general, help);
  dialog.footer.append(save, cancelButton, saving);

  const updateRedirect = () => {
    const uri = model.get("redirect_uri") || "";
    if (redirectInput.value !== uri) redirectInput.value = uri;
    redirectWarning.hidden = !uri || uri.startsWith("https:");
  };

  /** @param {boolean} on */
  const setPending = (on) => {
    pending = on;
    clearTimeout(slowTimer);
    slowTimer = undefined;
    // aria-disabled, not disabled: disabling the focused button would drop focus out of the dialog.
    if (on) save.setAttribute("aria-disabled", "true");
    else save.removeAttribute("aria-disabled");
    dialog.dialog.setAttribute("aria-busy", String(on));
    setText(saving, on ? "Saving\u2026" : "");
    if (on) {
      slowTimer = setTimeout(() => {
        setText(saving, "Saving\u2026 still waiting for the kernel (a running cell delays the answer).");
      }, SLOW_ANSWER_MS);
    }
  };

  const clearErrors = () => {
    for (const field of [nameField, idField, secretField]) field.error.set("");
    general.hidden = true;
    setText(general, "");
  };

  /** Empty every input (the secret above all), drop errors and pending state, close. */
  function close(/** @type {HTMLElement | null} */ focusTarget) {
    secretField.input.value = "";
    nameField.input.value = "";
    idField.input.value = "";
    clearErrors();
    setPending(false);
    editing = null;
    dialog.close(focusTarget);
  }

  /**
   * @param {HTMLElement} opener
   * @param {string | null} clientName  the stored client to edit, or null to add one
   */
  const open = (opener, clientName) => {
    close(null);
    const client = lookup(clientName);
    editing = client ? client.name : null;
    setText(dialog.heading, editing ? "Edit OAuth 2.0 client" : "Add OAuth 2.0 client");
    nameField.input.value = client?.name ?? "";
    idField.input.value = client?.client_id ?? "";
    secretField.input.placeholder = !editing
      ? "Optional for publicly distributed apps"
      : client?.has_secret
        ? "Leave blank to keep the stored secret"
        : "No secret stored; leave blank to keep none";
    updateRedirect();
    // Clients added from another panel or cell since this view drew its list show up now.
    refresh();
    dialog.open(opener, nameField.input);
  };

  const submit = () => {
    if (pending) return;
    clearErrors();
    const name = nameField.input.value.trim();
    const clientId = idField.input.value.trim();
    if (!name) nameField.error.set("Give the OAuth 2.0 client a name, e.g. 'Reporting notebook'.");
    if (!clientId) idField.error.set("Enter the client ID Lightspeed showed when you registered the client.");
    if (!name || !clientId) {
      (name ? idField.input : nameField.input).focus();
      return;
    }
    if (ctx.link.state === "absent") {
      showGeneral(NO_KERNEL_TEXT);
      return;
    }
    /** @type {SaveClientFields} */
    const fields = { name, client_id: clientId, client_secret: secretField.input.value, previous_name: editing };
    submits += 1;
    const mine = submits;
    setPending(true);
    // No timeout: the analyst asked for this, a busy kernel answers once its cell ends, and "Saving…" says so.
    ctx.link
      .request("save_client", fields)
      .then(
        (reply) => {
          if (mine === submits && pending && dialog.isOpen) answered(reply);
        },
        // The message could not go out (the host has no kernel to give it to): nothing was saved, and saying so
        // beats "Saving…" for ever.
        unlessExpected("saving the OAuth 2.0 client", {
          onFault: () => {
            if (mine !== submits || !pending || !dialog.isOpen) return;
            setPending(false);
            showGeneral(NO_KERNEL_TEXT);
          },
        }),
      );
  };

  /** @param {string} text */
  const showGeneral = (text) => {
    setText(general, text);
    general.hidden = false;
  };

  /**
   * Python's answer to this dialog's save.
   * @param {Reply} reply
   */
  const answered = (reply) => {
    if (reply.ok && reply.type === "save_client_reply") {
      onSaved(reply.clients ?? [], reply.problems ?? []);
      close(afterSave());
      return;
    }
    setPending(false);
    if (reply.ok) return; // not an answer to a save: nothing to show
    const byField = { name: nameField, client_id: idField, client_secret: secretField };
    const field = "field" in reply && reply.field ? byField[reply.field] : undefined;
    if (field) {
      field.error.set(reply.error);
      field.input.focus();
    } else {
      showGeneral(reply.error);
    }
  };
  save.addEventListener("click", submit, { signal: ctx.signal });
  form.addEventListener(
    "submit",
    (event) => {
      event.preventDefault();
      submit();
    },
    { signal: ctx.signal },
  );
  // Enter in any of the three fields saves, as in a one-button form.
  form.addEventListener(
    "keydown",
    (event) => {
      if (event.key === "Enter" && !event.isComposing && event.target instanceof HTMLInputElement) {
        event.preventDefault();
        submit();
      }
    },
    { signal: ctx.signal },
  );
  cancelButton.addEventListener("click", cancel, { signal: ctx.signal });

  copyButton.addEventListener(
    "click",
    async () => {
      const ok = await copyText(redirectInput.value, redirectInput);
      setText(copied, ok ? "Copied" : "Select and copy it with Ctrl+C or \u2318C.");
      clearTimeout(copiedTimer);
      copiedTimer = setTimeout(() => setText(copied, ""), 4000);
    },
    { signal: ctx.signal },
  );

  ctx.signal.addEventListener("abort", () => {
    clearTimeout(slowTimer);
    clearTimeout(copiedTimer);
    secretField.input.value = "";
  });

  return {
    element: dialog.dialog,
    /** @param {HTMLElement} opener */
    openAdd: (opener) => open(opener, null),
    /** @param {HTMLElement} opener  @param {string | null} clientName */
    openEdit: (opener, clientName) => open(opener, clientName),
    get isOpen() {
      return dialog.isOpen;
    },
    updateRedirect,
  };
}
