#!/usr/bin/env python3
"""The main job, end to end without a browser: the portal (pkibridge-server with its account
rules), the native host and a virtual PIV card behind a private pcscd, driven the way the portal
pages and the extension drive them:

  the first super administrator is created on the command line (pending, initial password for
  today) -> first login with ID + initial password + CAPTCHA -> password change -> certificate
  registration (challenge -> host `authenticate` with the PIN through the pin-required event ->
  origin-bound token) -> the account is active -> certificate login -> home data -> the
  administrator creates a second account -> the signature self-test (host `sign`, then
  /api/v1/verify with every check).

The server runs with --test-captcha-answers (loopback only) so the demo can read the CAPTCHA
answer, as a person reads the image.

Usage: demo_login.py --build BUILD_DIR
"""
import argparse
import base64
import http.client
import json
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "support"))
sys.path.insert(0, str(ROOT / "tests" / "host"))
from pcsc_env import PcscEnv, make_card  # noqa: E402
from host_driver import HostProcess  # noqa: E402

ORIGIN = "https://portal.example.gov.tw"
NATIONAL_ID = "A123456789"
BIRTH_DATE = "1980-06-12"
NEW_PASSWORD = "Card-holder 2026!"


def say(text: str) -> None:
    print(f"  {text}", flush=True)


class Portal:
    """The verification server on a loopback port, plain HTTP (allowed only on loopback)."""

    def __init__(self, server_bin: str, work: pathlib.Path, card) -> None:
        self.work = work
        crl = work / "crl.pem"
        subprocess.run([TOOL, "ca", "crl", str(card.ca), "--out", str(crl)], check=True,
                       capture_output=True)
        db = work / "accounts.db"
        made = subprocess.run(
            [server_bin, "account", "add", "--db", str(db), "--id", NATIONAL_ID, "--name",
             "測試用戶", "--status", "pending", "--birth-date", BIRTH_DATE, "--role",
             "super-admin", "--agency", "經濟部", "--agency-oid", "2.16.886.101.20003",
             "--email", "admin@portal.example.gov.tw", "--identity-type", "csm_admin"],
            check=True, capture_output=True, text=True)
        for line in made.stdout.splitlines():
            say(f"account add: {line}")
        self.proc = subprocess.Popen(
            [server_bin, "--listen", "127.0.0.1:0", "--insecure-http", "--origin", ORIGIN,
             "--trust", str(card.ca / "root.pem"), "--untrusted",
             str(card.ca / "intermediates.pem"), "--crl", str(crl), "--db", str(db),
             "--log-level", "warn", "--test-captcha-answers"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.port = self._wait_port()
        self.cookies: dict = {}
        say(f"pkibridge-server listening on http://127.0.0.1:{self.port} for {ORIGIN} "
            "(portal pages at /, API at /api/v1)")

    def _wait_port(self) -> int:
        deadline = time.monotonic() + 20
        seen = ""
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            seen += line
            m = re.search(r"listening on \w+://[^\s]*:(\d+)", line)
            if m:
                return int(m.group(1))
        self.stop()
        raise RuntimeError(f"pkibridge-server did not start:\n{seen}")

    def call(self, method: str, path: str, body=None, expect=None) -> tuple:
        status, data, _ = self.call_full(method, path, body)
        if expect is not None and status != expect:
            raise RuntimeError(f"{method} {path}: HTTP {status} {data}")
        return status, data

    def call_full(self, method: str, path: str, body=None) -> tuple:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        headers = {"Content-Type": "application/json", "Origin": ORIGIN}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, json.dumps(body) if body is not None else None, headers)
        resp = conn.getresponse()
        for header, value in resp.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        data = resp.read()
        conn.close()
        headers = {k.lower(): v for k, v in resp.getheaders()}
        return resp.status, (json.loads(data) if data else {}), headers

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def card_operation(host, pin: str, command: str, arguments: dict) -> dict:
    """One host request that needs the card's PIN, answered as the extension's PIN window would."""
    rid = host.request(command, arguments, origin=ORIGIN)
    event = host.wait_event("pin-required", timeout=20)
    say(f"  host asks for the PIN: origin {event.get('origin')}, tries left "
        f"{event.get('triesLeft')} (typed by the demo into the extension's PIN window)")
    host.send({"id": f"pin-{rid}", "command": "pin",
               "arguments": {"requestId": event.get("requestId", rid), "pin": pin}})
    reply = host.wait_reply(rid, timeout=30)
    if "result" not in reply:
        raise RuntimeError(f"{command} failed: {reply}")
    return reply["result"]


def login_token(portal, host, pin: str) -> dict:
    _, challenge = portal.call("POST", "/api/v1/challenge", {}, expect=200)
    say(f"server challenge: nonce {challenge['nonce'][:16]}… expires {challenge['expiresAt']}")
    token = card_operation(host, pin, "authenticate", {"nonce": challenge["nonce"]})
    say("  login token signed on the card (pkibridge-auth:1, bound to the portal's origin)")
    return token


def first_login(portal) -> None:
    status, captcha, headers = portal.call_full("GET", "/api/v1/portal/captcha")
    if status != 200:
        raise RuntimeError(f"no CAPTCHA: {status} {captcha}")
    password = "MmDd" + BIRTH_DATE[5:7] + BIRTH_DATE[8:10] + NATIONAL_ID[-4:]
    _, login = portal.call("POST", "/api/v1/portal/login/password", {
        "mode": "initial", "nationalId": NATIONAL_ID, "password": password,
        "captchaId": captcha["captchaId"],
        "captchaAnswer": headers["x-test-captcha-answer"]}, expect=200)
    say(f"first login with ID + initial password + CAPTCHA: next step '{login['next']}' "
        f"(activation-only session: {login['activationOnly']})")
    portal.call("POST", "/api/v1/portal/password",
                {"currentPassword": password, "newPassword": NEW_PASSWORD}, expect=204)
    say("password changed (≥ 12 characters, letters + digits + special, Argon2id on the server)")


def self_test(portal, host, pin: str) -> None:
    text = "pkibridge 簽章自我測試 / signature self-test".encode()
    certs = host.result("list-certificates", {}, origin=ORIGIN)["certificates"]
    signing = next(c for c in certs if c.get("slot") == "9c")
    signed = card_operation(host, pin, "sign", {"certificateId": signing["certificateId"],
                                                "data": base64.b64encode(text).decode()})
    _, report = portal.call("POST", "/api/v1/verify", {"pkcs7": signed["pkcs7"]}, expect=200)
    say(f"signature self-test: valid={report['valid']} ({report['reason']}); "
        f"path {report['path']['reason']}, revocation {report['revocation']['status']}, "
        f"signer {report['signer']['subject']}")
    if not report["valid"]:
        raise RuntimeError(f"self-test signature rejected: {report}")


def main() -> int:
    global TOOL
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", required=True, help="the build directory")
    args = parser.parse_args()
    bin_dir = pathlib.Path(args.build) / "bin"
    TOOL = str(bin_dir / "pkcs-tool")
    work = pathlib.Path(tempfile.mkdtemp(prefix="pkibridge-demo-login-"))
    portal = None
    try:
        card_dir = make_card(TOOL, work / "card", key="ec-p256")
        say(f"virtual PIV card provisioned (PIN {card_dir.pin}): 9C signing, 9A authentication")
        portal = Portal(str(bin_dir / "pkibridge-server"), work, card_dir)
        with PcscEnv(pkcs_tool=TOOL) as env:
            card = env.card(card_dir)
            say(f"card inserted in '{card.reader}' (private pcscd)")
            host_config = {"allowedOrigins": [ORIGIN]}
            with HostProcess(str(bin_dir / "pkibridge-host"), env=env.environ(), config=host_config,
                             workdir=work) as host:
                first_login(portal)
                token = login_token(portal, host, card_dir.pin)
                _, reg = portal.call("POST", "/api/v1/portal/certificate/register",
                                     {"token": token}, expect=200)
                say(f"certificate registered: {reg['certificate'].get('subject', '')}; "
                    f"account is now {reg['account']['status']}")
                portal.call("POST", "/api/v1/logout", {})
                portal.cookies.pop("pkibridge_session", None)

                token = login_token(portal, host, card_dir.pin)
                portal.call("POST", "/api/v1/login/certificate", {"token": token}, expect=200)
                _, me = portal.call("GET", "/api/v1/portal/me", expect=200)
                account = me["account"]
                systems = ", ".join(f"{s['systemCode']} {s.get('subsystemName', '')}"
                                    for s in me["systems"])
                say(f"logged in with the card as {account['name']} ({account['nationalId']}), "
                    f"roles {account['roles']}, systems: {systems}")

                _, created = portal.call("POST", "/api/v1/portal/admin/accounts/create", {
                    "nationalId": "B120000008", "name": "王小明", "birthDate": "1990-01-31",
                    "agency": "經濟部", "agencyOid": "2.16.886.101.20003",
                    "email": "wang@portal.example.gov.tw", "identityTypes": ["csm_user"]},
                    expect=201)
                say(f"administrator created {created['account']['nationalId']} "
                    f"({created['account']['status']}); initial password valid on "
                    f"{created['initialPasswordValidOn']} only")
                self_test(portal, host, card_dir.pin)
            _, session = portal.call("GET", "/api/v1/session", expect=200)
            print(json.dumps({"account": session["account"], "session": session["session"]},
                             ensure_ascii=False, indent=2))
            say("the session above belongs to the card holder's activated account")
        return 0
    finally:
        if portal:
            portal.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
