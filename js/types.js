// JSDoc types shared by the panel's modules. The model's trait names are fixed by ls_widget/panel.py
// (LightspeedConnection); this file only describes them for the type checker and adds no code.

/** @typedef {"v2" | "v3"} ApiType */
/** @typedef {"draft" | "authorizing" | "connected" | "error"} Status */
/** @typedef {"auto" | "jupyter" | "paste"} CaptureMode */
/** @typedef {"name" | "api_type" | "scopes" | "oauth_client"} FieldName */

/**
 * One scope of an API type's catalog, as `profiles.panel_catalog()` sends it.
 * @typedef {{ id: string, description: string }} Scope
 */

/**
 * What the panel needs to draw one API type.
 * @typedef {object} Profile
 * @property {string} label            e.g. "Lightspeed v3"
 * @property {string} summary          one-line explanation shown under the API type combobox
 * @property {"builtin" | "user"} client_source  "user": the analyst picks a stored OAuth client
 * @property {number} code_lifetime  seconds an authorization code lives (profiles.Profile.code_lifetime): the paste
 *   help and countdown; the panel guesses no default (paste_field.js says plainly when it is missing)
 * @property {Scope[]} scopes          the catalog, in the order the picker shows it
 */

/**
 * A stored OAuth 2.0 client as Python describes it to the panel: never the secret itself.
 * @typedef {{ name: string, client_id: string, has_secret: boolean }} ClientSummary
 */

/** @typedef {Partial<Record<FieldName, string>>} FieldErrors */

/**
 * The synced traits of LightspeedConnection.
 * @typedef {object} Model
 * @property {string} name
 * @property {ApiType} api_type
 * @property {string[]} scopes
 * @property {string | null} oauth_client
 * @property {Status} status
 * @property {string} error
 * @property {string} redirect_uri
 * @property {CaptureMode} capture_mode
 * @property {string} account_id
 * @property {string} account_name
 * @property {Partial<Record<ApiType, Profile>>} _profiles
 * @property {ClientSummary | null} _client  the chosen client's display data; null without one and for v2. The list of
 *   stored clients is never a trait (a saved notebook would carry every client on the author's machine): it comes
 *   by request (`list_clients`)
 * @property {FieldErrors} _field_errors
 * @property {string} _notice
 * @property {boolean} _auth_host_loopback
 * @property {string[]} _granted_scopes  the scopes the current token carries (connected only)
 * @property {number} _expires_at        epoch seconds of the access token's expiry; 0 when unknown
 * @property {{ at?: string, resources?: string[], pages?: number }} _last_sync  the connection's last sync ({} before one)
 * @property {SyncPartState} _sync  the Sync part: resources offered, a sync's progress, its outcome, the local tables
 * @property {number} _revision       marimo only: how many changes Python made to the public traits (else 0)
 * @property {number} _seen_revision  the panel's acknowledgement of `_revision` (the update marimo reruns cells on)
 */

/**
 * The Sync part's state (the `_sync` trait; panel_protocol.SyncPartState). Python alone sets it.
 * @typedef {{ name: string, summary: string, selected: boolean }} SyncResource
 * @typedef {object} SyncProgress
 * @property {string} resource        the resource being read
 * @property {"start" | "page" | "end"} phase
 * @property {number} pages           of this resource so far
 * @property {number} records
 * @property {number | null} total_pages   known only when counting was cheap
 * @property {number | null} seconds_left  this resource's pages still to come at the rate limit's bound
 * @property {number} resources_done
 * @property {number} resources_total
 * @property {number} all_pages       the whole sync so far
 * @property {number} all_records
 * @typedef {{ table: string, rows: number, kind: "raw" | "model", updated: string | null }} LocalTable
 * @typedef {object} SyncPartState
 * @property {boolean} running
 * @property {boolean} cancelling     Cancel was asked for; the sync stops after the pages in hand
 * @property {SyncResource[]} resources  what this sign-in's scopes can read
 * @property {SyncProgress | null} progress
 * @property {string} error           what went wrong and what to do; "" when nothing did
 * @property {string} result          what the last sync did (or what a cancelled one kept)
 * @property {LocalTable[]} tables
 */

/** @typedef {import("@anywidget/types").AnyModel<Model>} PanelModel */

/**
 * What the Jupyter callback page (ls_widget/capture/callback.html) relays, and what the panel forwards to Python.
 * Absent query parameters are null.
 * @typedef {object} RedirectResult
 * @property {string | null} code
 * @property {string} state
 * @property {string | null} error
 * @property {string | null} error_description
 */

/**
 * Requests the panel sends with `model.send` (kernel_link.js adds the `id`); Python answers each with a reply of the
 * same id. Mirrored by the TypedDicts in ls_widget/panel_protocol.py: tests/test_panel.py checks that every
 * `type: "..."` named in this file is one panel_protocol.py defines and the other way round, and that RequestType
 * lists exactly panel_messages.REQUESTS (generated from its handlers).
 * @typedef {"list_clients" | "save_client" | "authorize" | "sync_start"} RequestType
 * @typedef {{ name: string, client_id: string, client_secret: string, previous_name: string | null }} SaveClientFields
 * @typedef {{ type: "list_clients", id: string }} ListClientsRequest
 * @typedef {{ type: "save_client", id: string } & SaveClientFields} SaveClientRequest
 * @typedef {{ type: "authorize", id: string }} AuthorizeRequest
 * @typedef {{ type: "sync_start", id: string, resources: string[], full: boolean }} SyncStartRequest
 */

/**
 * One-way messages to Python: no answer.
 * @typedef {{ type: "redirect" } & RedirectResult} RedirectMessage
 * @typedef {{ type: "complete", url: string }} CompleteMessage
 * @typedef {{ type: "disconnect" }} DisconnectMessage
 * @typedef {{ type: "cancel" }} CancelMessage
 * @typedef {{ type: "sync_cancel" }} SyncCancelMessage   the Sync part's Cancel: stop, keeping what was committed
 * @typedef {ListClientsRequest | SaveClientRequest | AuthorizeRequest | SyncStartRequest | RedirectMessage | CompleteMessage | DisconnectMessage | CancelMessage | SyncCancelMessage} OutgoingMessage
 */

/**
 * Python's answers (`msg:custom`), each carrying the id of the request it answers.
 * @typedef {{ type: "list_clients_reply", id: string, ok: true, clients: ClientSummary[], problems: string[] }} ListClientsReply
 * @typedef {{ type: "save_client_reply", id: string, ok: true, name: string, clients: ClientSummary[], problems: string[] }} ClientSavedReply
 * @typedef {{ type: "save_client_reply", id: string, ok: false, field: "name" | "client_id" | "client_secret" | null, error: string }} ClientRefusedReply
 * @typedef {{ type: "authorize_reply", id: string, ok: true, url: string }} AuthorizeUrlReply
 * @typedef {{ type: "authorize_reply", id: string, ok: false, error: string }} AuthorizeRefusedReply
 * @typedef {{ type: "sync_start_reply", id: string, ok: true }} SyncStartedReply
 * @typedef {{ type: "sync_start_reply", id: string, ok: false, error: string }} SyncRefusedReply
 * @typedef {{ type: "error_reply", id: string, ok: false, error: string }} ErrorReply
 * @typedef {ListClientsReply | ClientSavedReply | ClientRefusedReply | AuthorizeUrlReply | AuthorizeRefusedReply | SyncStartedReply | SyncRefusedReply | ErrorReply} Reply
 */

/**
 * Whether a live Python object answers this view (kernel_link.js): "checking" until the first answer or timeout.
 * @typedef {"checking" | "live" | "absent"} LinkState
 */

/**
 * What every part of one view shares. One context per `render` call, so two views of the same model never share
 * element ids or listeners.
 * @typedef {object} ViewContext
 * @property {PanelModel} model
 * @property {(name: string) => string} id      a document-unique element id for this view
 * @property {AbortSignal} signal               aborted by the view's cleanup; pass it to every addEventListener
 * @property {(event: string, callback: (...args: any[]) => void) => void} listen  model.on, undone by the cleanup
 * @property {(message: string, options?: { holdsWhile?: ((status: Status) => boolean) | null }) => void} announce
 *   say something transient in the status region (a few seconds); with `holdsWhile`, only while Python's status
 *   keeps passing it: a notice about a moment ("Disconnecting…") goes when that moment has passed
 * @property {<K extends keyof Model>(key: K, value: Model[K]) => void} commit  model.set + save_changes
 * @property {import("./kernel_link.js").KernelLink} link  requests to Python, and whether it is there at all
 */

export {};
