// The "OAuth 2.0 client" field, for API types whose profile says the analyst brings their own client
// (`client_source: "user"`, i.e. Lightspeed v3): a select of the stored clients plus Add / Edit buttons that open
// the client dialog. For the others (v2) it shows a one-line note instead: the deployment's built-in client is used.

import { button, h, setText } from "./dom.js";
import { errorSlot, label } from "./field.js";
import { createClientDialog } from "./client_dialog.js";

/** @typedef {import("./types.js").ViewContext} ViewContext */
/** @typedef {import("./types.js").IncomingMessage} IncomingMessage */

export const BUILTIN_NOTE = "Lightspeed v2 signs in with this deployment's built-in client.";

/** @param {ViewContext} ctx */
export function createClientField(ctx) {
  const { model } = ctx;
  const selectId = ctx.id("oauth-client");
  const detailId = ctx.id("oauth-client-detail");
  const select = h("select", { class: "ls-select", id: selectId, "aria-required": "true" });
  const detail = h("p", { class: "ls-hint", id: detailId, hidden: true });
  const addButton = button("Add OAuth 2.0 client", { class: "ls-button" });
  const editButton = button("Edit OAuth 2.0 client", { class: "ls-button", disabled: true });
  const error = errorSlot(ctx, "oauth-client", { target: select, hints: () => [!detail.hidden && detailId] });
  const userField = h(
    "div",
    { class: "ls-field" },
    label(selectId, "OAuth 2.0 client", { required: true }),
    h("div", { class: "ls-row" }, select, addButton, editButton),
    detail,
    error.element,
  );
  const builtinNote = h("p", { class: "ls-hint ls-note", hidden: true }, BUILTIN_NOTE);
  const element = h("div", { class: "ls-field-slot" }, userField, builtinNote);

  const dialog = createClientDialog(ctx, { afterSave: () => (userField.hidden ? null : select) });

  /** @type {string} the option list last drawn; rebuilding an open native dropdown would close it */
  let drawn = "";

  const update = () => {
    const profile = model.get("_profiles")?.[model.get("api_type")];
    const userClient = profile?.client_source === "user";
    userField.hidden = !userClient;
    builtinNote.hidden = userClient;
    // The note names v2 because that is the only builtin profile; say the profile's own label if that changes.
    if (!userClient && profile) setText(builtinNote, BUILTIN_NOTE.replace("Lightspeed v2", profile.label));

    const clients = model.get("_clients") ?? [];
    const chosen = model.get("oauth_client") ?? "";
    const names = clients.map((c) => c.name);
    const orphan = chosen && !names.includes(chosen) ? chosen : null;
    const key = JSON.stringify([names, orphan]);
    if (key !== drawn) {
      select.replaceChildren(
        h("option", { value: "" }, "Choose a client\u2026"),
        ...names.map((name) => h("option", { value: name }, name)),
        ...(orphan ? [h("option", { value: orphan }, `${orphan} (not stored)`)] : []),
      );
      drawn = key;
    }
    select.value = chosen;
    editButton.disabled = !chosen || !names.includes(chosen);

    const client = clients.find((c) => c.name === chosen);
    detail.hidden = !client;
    if (client) {
      setText(detail, `Client ID ${client.client_id} \u00b7 ${client.has_secret ? "secret stored" : "no secret (public client)"}`);
    }
    error.refresh();
  };

  select.addEventListener("change", () => ctx.commit("oauth_client", select.value || null), { signal: ctx.signal });
  // Opening the dropdown is "the picker opens": ask Python for clients stored elsewhere since the list was drawn.
  select.addEventListener("focus", () => model.send({ type: "refresh_clients" }), { signal: ctx.signal });
  addButton.addEventListener("click", () => dialog.openAdd(addButton), { signal: ctx.signal });
  editButton.addEventListener("click", () => dialog.openEdit(editButton, model.get("oauth_client")), {
    signal: ctx.signal,
  });

  update();
  return {
    element,
    dialogs: [dialog.element],
    focusTarget: select,
    setError: error.set,
    update,
    dialog,
    /** @param {IncomingMessage} message */
    handleMessage: (message) => dialog.handleMessage(message),
  };
}
