#!/usr/bin/env python3
"""The main job, end to end without a browser: a portal's verification server, the native host
and a virtual PIV card behind a private pcscd. It logs the card holder in with the card the way the
extension does: challenge from the server -> `authenticate` on the host (PIN through the
pin-required event) -> origin-bound token -> certificate login -> session.

Usage: demo_login.py --build BUILD_DIR
"""
import argparse
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
        for args in (["add", "--id", NATIONAL_ID, "--name", "測試用戶", "--cert",
                      str(card.pair / "sign.pem")],
                     ["register-cert", "--id", NATIONAL_ID, "--cert", str(card.pair / "auth.pem")]):
            subprocess.run([server_bin, "account", args[0], "--db", str(db), *args[1:]],
                           check=True, capture_output=True)
        say(f"account {NATIONAL_ID} (測試用戶) created, both card certificates registered")
        self.proc = subprocess.Popen(
            [server_bin, "--listen", "127.0.0.1:0", "--insecure-http", "--origin", ORIGIN,
             "--trust", str(card.ca / "root.pem"), "--untrusted",
             str(card.ca / "intermediates.pem"), "--crl", str(crl), "--db", str(db),
             "--log-level", "warn"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.port = self._wait_port()
        self.cookies: dict = {}
        say(f"pkibridge-server listening on 127.0.0.1:{self.port} for {ORIGIN}")

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

    def call(self, method: str, path: str, body=None) -> tuple:
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
        return resp.status, (json.loads(data) if data else {})

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


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
            status, challenge = portal.call("POST", "/api/v1/challenge", {})
            if status != 200:
                raise RuntimeError(f"challenge failed: {status} {challenge}")
            say(f"server challenge: nonce {challenge['nonce'][:16]}… expires {challenge['expiresAt']}")
            host_config = {"allowedOrigins": [ORIGIN]}
            with HostProcess(str(bin_dir / "pkibridge-host"), env=env.environ(), config=host_config,
                             workdir=work) as host:
                rid = host.request("authenticate", {"nonce": challenge["nonce"]}, origin=ORIGIN)
                event = host.wait_event("pin-required", timeout=20)
                say(f"host asks for the PIN: origin {event.get('origin')}, "
                    f"tries left {event.get('triesLeft')} (answered by the demo, as the "
                    "extension's PIN window would)")
                host.send({"id": "pin-1", "command": "pin",
                           "arguments": {"requestId": event.get("requestId", rid),
                                         "pin": card_dir.pin}})
                reply = host.wait_reply(rid, timeout=30)
                if "result" not in reply:
                    raise RuntimeError(f"authenticate failed: {reply}")
                token = reply["result"]
            say("login token signed on the card (format pkibridge-auth:1, origin-bound)")
            status, login = portal.call("POST", "/api/v1/login/certificate", {"token": token})
            if status != 200:
                raise RuntimeError(f"login refused: {status} {login}")
            status, session = portal.call("GET", "/api/v1/session")
            if status != 200:
                raise RuntimeError(f"no session after login: {status} {session}")
            print(json.dumps(session, ensure_ascii=False, indent=2))
            say("logged in with the card: the session above belongs to the card holder's account")
        return 0
    finally:
        if portal:
            portal.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
