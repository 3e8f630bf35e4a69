// The "API type" field: a native select with one option per profile in `_profiles`, and the selected profile's
// one-line explanation under it. Choosing only sets `api_type`; Python drops the scopes the other catalog lacks
// and says so in `_notice`.

import { h, setText } from "./dom.js";
import { errorSlot, label } from "./field.js";

/** @typedef {import("./types.js").ViewContext} ViewContext */
/** @typedef {import("./types.js").ApiType} ApiType */

/** @param {ViewContext} ctx */
export function createApiTypeField(ctx) {
  const { model } = ctx;
  const selectId = ctx.id("api-type");
  const summaryId = ctx.id("api-type-summary");
  const select = h("select", { class: "ls-select", id: selectId });
  const summary = h("p", { class: "ls-hint", id: summaryId });
  const error = errorSlot(ctx, "api-type", { target: select, hints: [summaryId] });
  const element = h("div", { class: "ls-field" }, label(selectId, "API type"), select, summary, error.element);

  /** @type {string} the option list last drawn, to leave an open dropdown alone when nothing changed */
  let drawn = "";

  const update = () => {
    const profiles = model.get("_profiles") ?? {};
    const current = model.get("api_type");
    const entries = Object.entries(profiles).filter(([, profile]) => profile);
    const key = JSON.stringify(entries.map(([type, profile]) => [type, profile?.label]));
    if (key !== drawn) {
      select.replaceChildren(
        ...entries.map(([type, profile]) => h("option", { value: type }, profile?.label ?? type)),
      );
      drawn = key;
    }
    select.value = current;
    setText(summary, profiles[current]?.summary ?? "");
  };

  select.addEventListener(
    "change",
    () => ctx.commit("api_type", /** @type {ApiType} */ (select.value)),
    { signal: ctx.signal },
  );

  update();
  return { element, focusTarget: select, setError: error.set, update };
}
