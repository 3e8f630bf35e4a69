// The "OAuth 2.0 client" field, for API types whose profile says the analyst brings their own client
// (`client_source: "user"`, i.e. Lightspeed v3): a select of the stored clients plus Add / Edit buttons that open
// the client dialog. For the others (v2) it shows a one-line note instead: the deployment's built-in client is used.
//
// Which clients are stored is asked of Python (`list_clients`) when the view opens, when the select gets focus and
// when the dialog opens, and kept in this view only: the model holds just the chosen client (`_client`), so a saved
// notebook or an HTML export shows that one and none of the others stored on the author's machine.

import { button, h, setText } from "./dom.js";
import { errorSlot, label } from "./field.js";
import { createClientDialog } from "./client_dialog.js";
import { NoAnswerError, NotSentError, PROBE_TIMEOUT_MS, isViewGone, unlessExpected } from "./kernel_link.js";

/** @typedef {import("./types.js").ViewContext} ViewContext */
/** @typedef {import("./types.js").ClientSummary} ClientSummary */
/** @typedef {import("./types.js").Reply} Reply */

export const BUILTIN_NOTE = "Lightspeed v2 signs in with this deployment's built-in client.";

/**
 * @param {ViewContext} ctx
 * @param {{ onProblems: (text: string) => void }} hooks  stored client files Python could not read, in words ("" when none)
 */
export function createClientField(ctx, { onProblems }) {
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

  /** @type {ClientSummary[] | null} the stored clients as Python last listed them for this view; null: not yet */
  let stored = null;
  let refreshing = false;

  /**
   * The display data of a client by name: the model's `_client` for the chosen one (Python keeps it current), else
   * this view's list.
   * @param {string | null | undefined} name
   * @returns {ClientSummary | undefined}
   */
  const lookup = (name) => {
    if (!name) return undefined;
    const chosen = model.get("_client");
    if (chosen && chosen.name === name) return chosen;
    return (stored ?? []).find((c) => c.name === name);
  };

  /**
   * @param {ClientSummary[]} clients
   * @param {string[]} problems
   */
  const setStored = (clients, problems) => {
    stored = clients;
    onProblems(problems.join(" "));
    update();
  };

  /** @param {Reply} reply */
  const listed = (reply) => {
    if (reply.type === "list_clients_reply" && reply.ok && Array.isArray(reply.clients)) {
      setStored(reply.clients, Array.isArray(reply.problems) ? reply.problems : []);
    }
  };

  /** Ask Python which clients are stored (one question at a time). The first one is also the kernel probe. */
  const refresh = () => {
    if (refreshing) return;
    refreshing = true;
    ctx.link
      .request("list_clients", {}, { timeoutMs: PROBE_TIMEOUT_MS, onLate: listed })
      .then(
        listed,
        // No answer in time, or no comm to ask on: kernel_link.js turns either into the "no kernel" state (and a late
        // answer still lists the clients).
        unlessExpected("asking Python for the stored OAuth 2.0 clients", {
          expected: (error) => error instanceof NoAnswerError || error instanceof NotSentError || isViewGone(error),
        }),
      )
      .finally(() => (refreshing = false));
  };

  const dialog = createClientDialog(ctx, {
    afterSave: () => (userField.hidden ? null : select),
    lookup,
    onSaved: setStored,
    refresh,
  });

  /** @type {string} the option list last drawn; rebuilding an open native dropdown would close it */
  let drawn = "";

  const update = () => {
    const profile = model.get("_profiles")?.[model.get("api_type")];
    const userClient = profile?.client_source === "user";
    userField.hidden = !userClient;
    builtinNote.hidden = userClient;
    // The note names v2 because that is the only builtin profile; say the profile's own label if that changes.
    if (!userClient && profile) setText(builtinNote, BUILTIN_NOTE.replace("Lightspeed v2", profile.label));

    const chosen = model.get("oauth_client") ?? "";
    const client = lookup(chosen);
    const names = (stored ?? []).map((c) => c.name);
    // The chosen client is always offered, even before (or without) the list: its name is in the model. Only a list
    // that lacks it, with no display data from Python either, means it is no longer stored.
    const extra = chosen && !names.includes(chosen) ? chosen : null;
    const missing = extra !== null && stored !== null && !client;
    const key = JSON.stringify([names, extra, missing]);
    if (key !== drawn) {
      select.replaceChildren(
        h("option", { value: "" }, "Choose a client\u2026"),
        ...names.map((name) => h("option", { value: name }, name)),
        ...(extra ? [h("option", { value: extra }, missing ? `${extra} (not stored)` : extra)] : []),
      );
      drawn = key;
    }
    select.value = chosen;
    editButton.disabled = !client;

    detail.hidden = !client;
    if (client) {
      // A client ID is one long word (64 characters at Lightspeed): it wraps anywhere (widget.css), and the title
      // holds it whole for a narrow panel.
      setText(detail, `Client ID ${client.client_id} \u00b7 ${client.has_secret ? "secret stored" : "no secret (public client)"}`);
      detail.title = client.client_id;
    } else {
      detail.removeAttribute("title");
    }
    error.refresh();
  };

  select.addEventListener("change", () => ctx.commit("oauth_client", select.value || null), { signal: ctx.signal });
  // Opening the dropdown is "the picker opens": ask Python for clients stored elsewhere since the list was drawn.
  select.addEventListener("focus", refresh, { signal: ctx.signal });
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
    refresh,
    dialog,
  };
}
