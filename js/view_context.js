// One view's ViewContext (types.js): its element ids, its abort signal, model listeners its cleanup undoes, the link
// to Python, and the status region's short-lived line. A model may have several views at once (the same output shown
// twice), so everything here belongs to one `render` call and nothing lives at module level.

import { idFactory } from "./dom.js";
import { createKernelLink } from "./kernel_link.js";
import { createTransientLine } from "./transient.js";

/** @typedef {import("./types.js").PanelModel} PanelModel */
/** @typedef {import("./types.js").ViewContext} ViewContext */

/**
 * @param {PanelModel} model
 * @param {{ onChange: () => void }} hooks  what the view shows may have changed: the link's state or the short line
 */
export function createViewContext(model, { onChange }) {
  const controller = new AbortController();
  /** @type {(() => void)[]} */
  const unlisten = [];

  /** @type {ViewContext["listen"]} */
  const listen = (event, callback) => {
    model.on(event, callback);
    unlisten.push(() => model.off(event, callback));
  };
  const transient = createTransientLine({ signal: controller.signal, onChange });

  /** @type {ViewContext} */
  const ctx = {
    model,
    id: idFactory(),
    signal: controller.signal,
    listen,
    link: createKernelLink(model, { signal: controller.signal, listen, onChange }),
    announce: transient.announce,
    commit(key, value) {
      model.set(key, value);
      model.save_changes();
    },
  };

  return {
    ctx,
    transient,
    /** Stop every timer, pending request and listener of the view (idempotent). */
    dispose() {
      controller.abort();
      for (const off of unlisten.splice(0)) off();
    },
  };
}
