"""Write what the panel's JS half takes from Python, so the constants both halves share have one source.

    .venv/bin/python scripts/panel_fixture.py          # rewrite the two files
    .venv/bin/python scripts/panel_fixture.py --check  # exit 1 (naming the stale files) when they are out of date

- ``js/constants.js`` (bundled into the panel): constants that never change while the package runs: the longest
  name (``names.MAX_CHARS``), the Jupyter callback route and the mark its page carries (``ls_widget.capture``).
  Everything that depends on the API type (the code lifetime, labels, scopes) travels in the ``_profiles`` trait
  instead (``profiles.panel_catalog()``), and the panel reads it from the model.
- ``js/fixtures/panel_state.json`` (tests only): the state of a fresh ``LightspeedConnection()``, catalog included,
  minus anywidget's own plumbing (the bundle, the model/view module names, layout references) and with the
  environment that would make it machine-specific cleared. ``js/fake_model.js`` starts from it.

``tests/test_panel.py`` regenerates both in memory and fails when the committed files differ.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
CONSTANTS_JS = ROOT / "js" / "constants.js"
STATE_JSON = ROOT / "js" / "fixtures" / "panel_state.json"
COMMAND = ".venv/bin/python scripts/panel_fixture.py"

# Environment that changes what a fresh panel holds (hosts, the store's place, the built-in v2 client).
_MACHINE_ENV = ("LS_WIDGET_AUTH_URL", "LS_WIDGET_API_URL", "LS_WIDGET_HOME", "LS_WIDGET_V2_CLIENT_ID",
                "LS_WIDGET_V2_CLIENT_SECRET")


def panel_state() -> dict:
    """The synced state of a fresh ``LightspeedConnection()`` that the panel's own code reads."""
    import anywidget

    from ls_widget import LightspeedConnection

    env = {key: value for key, value in os.environ.items() if key not in _MACHINE_ENV}
    with tempfile.TemporaryDirectory() as home, mock.patch.dict(os.environ, {**env, "LS_WIDGET_HOME": home}, clear=True):
        panel = LightspeedConnection()
        try:
            state = panel.get_state()
        finally:
            panel.close()
    plumbing = set(anywidget.AnyWidget.class_trait_names(sync=True)) | {"_esm", "_css", "_anywidget_id"}
    return {key: value for key, value in state.items() if key not in plumbing}


def constants_module() -> str:
    from ls_widget import capture, names

    constants = {
        "MAX_NAME_CHARS": ("The longest connection or client name, in characters (ls_widget.names.MAX_CHARS).",
                           names.MAX_CHARS),
        "CALLBACK_PATH": ("The Jupyter callback route, under the server's base URL (ls_widget.capture).",
                          capture.CALLBACK_PATH),
        "MARKER_HEADER": ("The header the callback page is served with; its value is \"1\" (ls_widget.capture).",
                          capture.MARKER_HEADER),
        "MARKER_META": ("The same mark inside the page, for a proxy that drops unknown headers (ls_widget.capture).",
                        capture.MARKER_META),
    }
    lines = [
        "// Generated from Python by scripts/panel_fixture.py: do not edit. Change the Python constant, then run",
        f"// `{COMMAND}` (tests/test_panel.py fails until this file matches).",
        "",
    ]
    for name, (doc, value) in constants.items():
        lines += [f"/** {doc} */", f"export const {name} = {json.dumps(value)};"]
    return "\n".join(lines) + "\n"


def outputs() -> dict[Path, str]:
    return {
        CONSTANTS_JS: constants_module(),
        STATE_JSON: json.dumps(panel_state(), indent=2, sort_keys=True, ensure_ascii=False) + "\n",
    }


def stale() -> list[Path]:
    """The generated files whose committed text differs from what Python produces now."""
    return [path for path, text in outputs().items()
            if not path.exists() or path.read_text(encoding="utf-8") != text]


def main(argv: list[str]) -> int:
    if "--check" in argv:
        out_of_date = stale()
        for path in out_of_date:
            print(f"{path.relative_to(ROOT)} is out of date: run {COMMAND}", file=sys.stderr)
        return 1 if out_of_date else 0
    for path, text in outputs().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
