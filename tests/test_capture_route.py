"""The Jupyter server route that catches Lightspeed's redirect: enabled on install, under any base_url."""

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest


def test_installing_the_package_enables_the_server_extension():
    listed = subprocess.run([sys.executable, "-m", "jupyter", "server", "extension", "list"],
                            capture_output=True, text=True, timeout=120)
    output = listed.stdout + listed.stderr
    assert "ls_widget.capture" in output and "enabled" in output.split("ls_widget.capture", 1)[1][:40]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A Jupyter server under a JupyterHub-like base_url, with token auth on."""
    root = tmp_path_factory.mktemp("server")
    port, base = free_port(), "/user/ana/"
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(root / "config"), "JUPYTER_RUNTIME_DIR": str(root / "runtime")}
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyter_server", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--ServerApp.base_url={base}",
         "--IdentityProvider.token=secret-token", f"--ServerApp.root_dir={root}"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}{base}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}api/status?token=secret-token", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("Jupyter server did not start: " + process.stderr.read().decode()[-2000:])
    yield url
    process.terminate()
    process.wait(30)


def test_callback_page_is_served_under_base_url_without_login(server):
    response = httpx.get(f"{server}ls-widget/oauth/callback?code=abc&state=xyz")
    assert response.status_code == 200
    assert "ls-widget-oauth" in response.text  # the BroadcastChannel the panel listens on
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("query", ["", "?error=access_denied&state=s", "?anything=at+all", "?code=%ZZ"])
def test_callback_answers_200_for_any_query_and_validates_nothing(server, query):
    assert httpx.get(f"{server}ls-widget/oauth/callback{query}").status_code == 200


@pytest.mark.parametrize("query", ["?probe=1", "", "?code=abc&state=xyz"])
def test_callback_page_carries_the_marker_the_panels_probe_looks_for(server, query):
    """The panel probes ``<base_url>ls-widget/oauth/callback?probe=1`` once per page and relies on the route only
    when the answer carries this mark (standalone Voila answers 403, a server without the extension 404)."""
    from ls_widget.capture import MARKER_HEADER, MARKER_META

    response = httpx.get(f"{server}ls-widget/oauth/callback{query}")
    assert response.status_code == 200
    assert response.headers[MARKER_HEADER] == "1"
    assert MARKER_META in response.text


def test_the_panel_probes_for_the_same_marker():
    """js/redirect.js takes the route and the marks from js/constants.js, which is generated from these constants
    (tests/test_panel.py::test_generated_js_files_are_up_to_date fails when it is stale)."""
    import json
    from pathlib import Path

    from ls_widget.capture import CALLBACK_PATH, MARKER_HEADER, MARKER_META

    js = Path(__file__).resolve().parents[1] / "js"
    source = (js / "redirect.js").read_text(encoding="utf-8")
    assert 'import { CALLBACK_PATH, MARKER_HEADER, MARKER_META } from "./constants.js";' in source
    constants = (js / "constants.js").read_text(encoding="utf-8")
    for name, value in (("MARKER_HEADER", MARKER_HEADER), ("MARKER_META", MARKER_META), ("CALLBACK_PATH", CALLBACK_PATH)):
        assert f"export const {name} = {json.dumps(value)};" in constants


def test_the_route_is_not_served_outside_base_url(server):
    root = server.split("/user/")[0]
    assert httpx.get(f"{root}/ls-widget/oauth/callback").status_code == 404
