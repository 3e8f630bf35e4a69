"""A JupyterHub-style server: JupyterLab over HTTPS (a self-signed certificate made here for 127.0.0.1/localhost)
under ``base_url=/user/analyst/``. The page is HTTPS, so automatic capture picks the Jupyter route by itself (and says
so), the redirect URI is ``https://127.0.0.1:PORT/user/analyst/ls-widget/oauth/callback``, and a sign-in against the
sandbox completes through that route: popup, consent, the callback page relays and closes, no paste.

Chromium is told to accept the certificate (``ignore_https_errors`` on this test's own browser context); the
harness's own requests trust it (``start_lab_server(certfile=...)``).
"""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .lab_harness import bundle_problem, open_notebook, panel, panel_notebook, python_value, run_all, run_python
from .lab_harness import doc_shots, start_lab_server, wait_python
from .test_sign_in import (
    CALLBACK_PATH,
    answer_consent,
    click_authorize,
    connected_text,
    facts,
    query_of,
    sandbox_cell,
    status_region,
)

pytestmark = pytest.mark.browser

HUB_BASE_URL = "/user/analyst/"
# js/redirect.js: describePlan() for a page served over HTTPS.
HTTPS_HINT = "Picked automatically: this page is served over HTTPS."


def write_self_signed_cert(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, signed by its own key; returns (certfile, keyfile).
    (``cryptography`` comes with the test extra: the sandbox's ``joserfc`` requires it.)"""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    certfile, keyfile = directory / "lab.crt", directory / "lab.key"
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    keyfile.chmod(0o600)
    return certfile, keyfile


@pytest.fixture(scope="module")
def https_lab(tmp_path_factory, _require_chromium):
    problem = bundle_problem()
    if problem:
        pytest.fail(problem, pytrace=False)
    tmp = tmp_path_factory.mktemp("lab-https")
    certfile, keyfile = write_self_signed_cert(tmp)
    server = start_lab_server(tmp, base_url=HUB_BASE_URL, certfile=certfile, keyfile=keyfile)
    yield server
    server.stop()


def test_https_server_under_a_hub_base_url_signs_in_through_the_route(https_lab, browser, browser_context_args,
                                                                       screens_dir):
    server = https_lab
    assert server.origin.startswith("https://127.0.0.1:")
    route = f"{server.origin}{HUB_BASE_URL}{CALLBACK_PATH}"

    name = "https_hub.ipynb"
    panel_notebook(server.root_dir, name, sandbox_cell())
    context = browser.new_context(**browser_context_args, ignore_https_errors=True)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and console.append(msg.text))
    try:
        open_notebook(page, server, name)
        assert page.evaluate("() => location.protocol") == "https:"
        run_all(page)
        root = panel(page)
        expect(root).to_be_visible()
        known = facts(page)

        # The route, with the hub's base URL, over HTTPS, picked automatically and saying why.
        redirect = root.get_by_role("textbox", name="Redirect URI", exact=True)
        expect(redirect).to_have_value(route)
        expect(redirect).to_have_accessible_description(re.compile(re.escape(HTTPS_HINT)))
        expect(root.get_by_role("combobox", name="Redirect capture", exact=True)).to_have_value("auto")
        wait_python(page, "conn.redirect_uri", route)
        wait_python(page, "demo.redirect_uri(demo.client.client_id)", route)  # the demo client follows
        assert python_value(page, "conn.capture_mode") == "auto"
        with contextlib.suppress(Exception):
            root.screenshot(path=screens_dir / "https_hub--route.png")

        # Popup -> the sandbox's consent -> the route relays and closes; nothing to paste.
        popup = click_authorize(root)
        redirected = answer_consent(popup)
        assert redirected.startswith(route + "?"), redirected
        assert set(query_of(redirected)) >= {"code", "state"}, redirected
        status = status_region(root)
        expect(status).to_contain_text(connected_text(known))
        expect(root.get_by_role("textbox", name="Redirected URL", exact=True)).to_be_hidden()
        wait_python(page, "conn.status", "connected")
        assert python_value(page, "conn.session.count('Customer', archived='true')") == 20
        with contextlib.suppress(Exception):
            root.screenshot(path=screens_dir / "https_hub--connected.png")
        root.screenshot(path=doc_shots("hosts") / "jupyterlab-https.png")  # the panel as each host shows it
    except BaseException:
        with contextlib.suppress(Exception):
            page.screenshot(path=screens_dir / "https_hub--FAILED.png")
        print("Browser console errors:\n" + "\n".join(console[-40:]))
        print("JupyterLab log (tail):\n" + server.log_tail(30))
        raise
    finally:
        with contextlib.suppress(Exception):
            run_python(page, "demo.stop()")
        context.close()
        server.shutdown_kernels_of(name)
