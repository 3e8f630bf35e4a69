// Generated from Python by scripts/panel_fixture.py: do not edit. Change the Python constant, then run
// `.venv/bin/python scripts/panel_fixture.py` (tests/test_panel.py fails until this file matches).

/** The longest connection or client name, in characters (ls_widget.names.MAX_CHARS). */
export const MAX_NAME_CHARS = 100;
/** The Jupyter callback route, under the server's base URL (ls_widget.capture). */
export const CALLBACK_PATH = "ls-widget/oauth/callback";
/** The header the callback page is served with; its value is "1" (ls_widget.capture). */
export const MARKER_HEADER = "X-LS-Widget-Callback";
/** The same mark inside the page, for a proxy that drops unknown headers (ls_widget.capture). */
export const MARKER_META = "<meta name=\"ls-widget-callback\" content=\"1\">";
