#!/usr/bin/env python3
"""Integration tests of pkibridge-host with a real (private) pcscd, the vpcd reader driver and
the virtual PIV card; signatures are checked with `openssl cms -verify` / `openssl dgst`.

    python3 integration.py --host BIN --pkcs-tool BIN CASE [CASE...]     (or "all")

Each case starts its own pcscd (tests/support/pcsc_env.py), its own card process(es) and
its own host process, and stops exactly those.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, os.environ.get("PKIBRIDGE_TEST_SUPPORT", str(HERE.parent / "support")))

from host_driver import HostError, HostProcess, error_code, frame  # noqa: E402
from pcsc_env import PcscEnv, make_card  # noqa: E402

ORIGIN = "https://portal.example"
PIN = "123456"
WRONG = "000000"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def unb64(text: str) -> bytes:
    return base64.b64decode(text)


def check(condition, message="check failed"):
    if not condition:
        raise AssertionError(message)


def check_eq(actual, expected, what="value"):
    if actual != expected:
        raise AssertionError(f"{what}: expected {expected!r}, got {actual!r}")


class Case:
    """What every test case gets: paths, a temp dir, cards, a pcscd and a host."""

    def __init__(self, args, name):
        self.args = args
        self.name = name
        self.tmp = Path(tempfile.mkdtemp(prefix=f"pkibridge-host-it-{name}-"))
        self._cards = {}

    def card_dir(self, key="ec-p256"):
        if key not in self._cards:
            self._cards[key] = make_card(self.args.pkcs_tool, self.tmp / f"card-{key}", key=key)
        return self._cards[key]

    def config(self, **overrides):
        cfg = {
            "allowedOrigins": [ORIGIN, "https://*.gov.example"],
            "pinTimeoutSeconds": 20,
            "frameTimeoutMs": 300,
            "log": {"level": "debug", "file": str(self.tmp / "host.log")},
        }
        card = next(iter(self._cards.values()), None)
        if card is not None and card.ca is not None:
            cfg["caCertificates"] = str(card.ca / "intermediates.pem")
        cfg.update(overrides)
        return cfg

    def isolated_env(self):
        """An environment whose PC/SC clients find no pcscd at all."""
        return dict(os.environ, PCSCLITE_CSOCK_NAME=str(self.tmp / "no-pcscd.comm"))

    def host(self, env, **config):
        return HostProcess(self.args.host, env=env.environ() if env else self.isolated_env(),
                           config=self.config(**config), workdir=self.tmp)

    def cleanup(self, ok):
        if ok and not os.environ.get("PKIBRIDGE_KEEP_TMP"):
            shutil.rmtree(self.tmp, ignore_errors=True)
        else:
            print(f"  (kept {self.tmp})")

    # --- independent checks with openssl --------------------------------------------------
    def trust_args(self, card):
        # `openssl cms -verify` builds the path only from the certificates inside the CMS and
        # the CAfile (-certfile just helps find the signer), so without includeChain the
        # issuing CA goes into the CAfile next to the root.
        if card.ca is None:
            return ["-CAfile", str(card.pair / "chain.pem")]
        bundle = self.tmp / "root-and-issuing-ca.pem"
        if not bundle.exists():
            bundle.write_text((card.ca / "root.pem").read_text() + (card.pair / "chain.pem").read_text())
        return ["-CAfile", str(bundle)]

    def openssl(self, *argv, input_bytes=None):
        r = subprocess.run(["openssl", *argv], input=input_bytes, capture_output=True, timeout=60)
        if r.returncode != 0:
            raise AssertionError(f"openssl {' '.join(argv)} failed: {r.stderr.decode(errors='replace')}")
        return r.stdout

    def verify_cms(self, card, der, content=None, trust=None):
        """openssl cms -verify; returns the verified content."""
        path = self.tmp / f"cms-{time.monotonic_ns()}.der"
        path.write_bytes(der)
        argv = ["cms", "-verify", "-cades", "-binary", "-inform", "DER", "-in", str(path), "-purpose", "any",
                *(trust if trust is not None else self.trust_args(card))]
        if content is not None:
            data = self.tmp / f"content-{time.monotonic_ns()}.bin"
            data.write_bytes(content)
            argv += ["-content", str(data)]
        return self.openssl(*argv)

    def asn1parse(self, der):
        path = self.tmp / f"asn1-{time.monotonic_ns()}.der"
        path.write_bytes(der)
        return self.openssl("asn1parse", "-inform", "DER", "-in", str(path)).decode(errors="replace")

    def cms_print(self, der):
        path = self.tmp / f"print-{time.monotonic_ns()}.der"
        path.write_bytes(der)
        return self.openssl("cms", "-cmsout", "-print", "-inform", "DER", "-in", str(path)).decode(errors="replace")

    def verify_raw(self, cert_der, data, signature, hash_name="sha256", pss=False):
        cert = self.tmp / f"cert-{time.monotonic_ns()}.der"
        cert.write_bytes(cert_der)
        pub = self.tmp / f"pub-{time.monotonic_ns()}.pem"
        pub.write_bytes(self.openssl("x509", "-inform", "DER", "-in", str(cert), "-pubkey", "-noout"))
        sig = self.tmp / f"sig-{time.monotonic_ns()}.bin"
        sig.write_bytes(signature)
        msg = self.tmp / f"msg-{time.monotonic_ns()}.bin"
        msg.write_bytes(data)
        argv = ["dgst", f"-{hash_name}", "-verify", str(pub), "-signature", str(sig)]
        if pss:
            argv += ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:-1"]
        out = self.openssl(*argv, str(msg))
        check(b"Verified OK" in out, f"raw signature did not verify: {out!r}")


# --- helpers -----------------------------------------------------------------------------

def sign_with_pin(host, arguments, pin=PIN, origin=ORIGIN, timeout=20):
    """Sends sign, answers pin-required with `pin`, returns the final reply."""
    rid = host.request("sign", arguments, origin)
    ev = host.wait_event("pin-required", match=lambda e: e["requestId"] == rid, timeout=timeout)
    accepted = host.call("pin", {"requestId": rid, "pin": pin})
    check("result" in accepted, f"pin not accepted: {accepted}")
    return host.wait_reply(rid, timeout), ev


def certificates(host):
    return host.result("list-certificates")["certificates"]


def cert_by_slot(certs, slot):
    found = [c for c in certs if c["slot"] == slot]
    check(len(found) == 1, f"expected one certificate in slot {slot}: {certs}")
    return found[0]


def pem_der(path):
    text = Path(path).read_text()
    body = text.split("-----BEGIN CERTIFICATE-----")[1].split("-----END CERTIFICATE-----")[0]
    return base64.b64decode("".join(body.split()))


# --- cases -------------------------------------------------------------------------------

def case_status(c):
    card_dir = c.card_dir()
    with PcscEnv(pkcs_tool=c.args.pkcs_tool) as env, c.host(env) as host:
        r = host.result("status", origin=ORIGIN)
        check_eq(r["protocolVersion"], 1, "protocolVersion")
        check(r["hostVersion"], "hostVersion")
        check_eq(r["pcsc"]["available"], True, "pcsc.available")
        check_eq(r["origin"], {"origin": ORIGIN, "allowed": True}, "origin")
        names = [rd["name"] for rd in r["readers"]]
        check(env.reader_name(0) in names, f"readers: {names}")
        empty = next(rd for rd in r["readers"] if rd["name"] == env.reader_name(0))
        check_eq(empty["cardPresent"], False, "cardPresent before insertion")
        check_eq(empty["cardType"], None, "cardType of an empty reader")

        time.sleep(0.5)  # let the card monitor learn the empty readers first
        card = env.card(card_dir)
        host.wait_event("card-inserted", match=lambda e: e["reader"] == env.reader_name(0))
        r = host.result("status", origin="https://evil.example")
        reader = next(rd for rd in r["readers"] if rd["name"] == env.reader_name(0))
        check_eq(reader["cardPresent"], True, "cardPresent")
        check_eq(reader["cardType"], "PIV", "cardType")
        check_eq(reader["pinPad"], False, "pinPad (vpcd has none)")
        check(len(reader["atr"]) >= 8, f"atr: {reader['atr']}")
        check_eq(r["origin"]["allowed"], False, "evil origin allowed")
        card.remove()
        host.wait_event("card-removed", match=lambda e: e["reader"] == env.reader_name(0))


def case_list_certificates(c):
    card_dir = c.card_dir()
    with PcscEnv(pkcs_tool=c.args.pkcs_tool) as env:
        env.card(card_dir)
        with c.host(env) as host:
            certs = certificates(host)
            check_eq(len(certs), 2, "certificate count")
            auth, sign = cert_by_slot(certs, "9a"), cert_by_slot(certs, "9c")
            check_eq(unb64(sign["certificate"]), pem_der(card_dir.pair / "sign.pem"), "9C certificate")
            check_eq(unb64(auth["certificate"]), pem_der(card_dir.pair / "auth.pem"), "9A certificate")
            for cert in certs:
                check_eq(cert["reader"], env.reader_name(0), "reader")
                check_eq(cert["cardType"], "PIV", "cardType")
                fp = hashlib.sha256(unb64(cert["certificate"])).hexdigest()
                check_eq(cert["certificateId"], f"{fp}:piv:{cert['slot']}", "certificateId")
                for key in ("subject", "issuer", "serial", "notBefore", "notAfter", "keyUsage", "caKind"):
                    check(key in cert, f"{key} missing in {cert}")
            check(auth["authenticationKey"] and not sign["authenticationKey"], "authenticationKey flags")
            if card_dir.ca is not None:  # issued by the test GPKI hierarchy
                check_eq(sign["caKind"], "MOICA", "caKind")
                check_eq(sign.get("gpki", {}).get("idLast4"), "6789", "gpki.idLast4")
            # ids are stable across calls and processes
            again = certificates(host)
            check_eq(sorted(x["certificateId"] for x in again), sorted(x["certificateId"] for x in certs), "ids")


def run_sign_formats(c, key):
    card_dir = c.card_dir(key)
    data = "台灣 GPKI 簽章測試 — pkibridge".encode() * 20
    with PcscEnv(pkcs_tool=c.args.pkcs_tool) as env:
        card = env.card(card_dir)
        with c.host(env) as host:
            sign_cert = cert_by_slot(certificates(host), "9c")
            cid = sign_cert["certificateId"]
            nonce = os.urandom(16)

            # attached, with nonce and card serial
            reply, ev = sign_with_pin(host, {"certificateId": cid, "data": b64(data), "format": "cms-attached",
                                             "nonce": b64(nonce), "includeCardSerial": True})
            check("result" in reply, f"sign failed: {reply}")
            res = reply["result"]
            check_eq(ev["origin"], ORIGIN, "pin-required origin")
            check_eq(ev["triesLeft"], 3, "pin-required triesLeft")
            check_eq(ev["pinPad"], False, "pin-required pinPad")
            check_eq(ev["certificate"]["certificateId"], cid, "pin-required certificate")
            check_eq(ev["reader"], env.reader_name(0), "pin-required reader")
            check("lastError" not in ev, "lastError on the first prompt")
            check_eq(unb64(res["certificate"]), unb64(sign_cert["certificate"]), "result.certificate")
            cms = unb64(res["pkcs7"])
            check_eq(c.verify_cms(card_dir, cms), data, "attached content")
            parsed = c.asn1parse(cms)
            serial = res["cardSerial"]
            check(len(serial) == 32 and all(ch in "0123456789ABCDEF" for ch in serial), f"cardSerial {serial}")
            check("2.16.886.1.100.2.204" in parsed, "card serial attribute missing")
            check(f"PRINTABLESTRING   :{serial}" in parsed, "card serial value missing from the CMS")
            check(nonce.hex().upper() in parsed, "nonce value missing from the CMS")

            # detached over data
            reply, _ = sign_with_pin(host, {"certificateId": cid, "data": b64(data), "format": "cms-detached"})
            cms = unb64(reply["result"]["pkcs7"])
            c.verify_cms(card_dir, cms, content=data)
            try:
                c.verify_cms(card_dir, cms, content=data + b"tampered")
                raise AssertionError("tampered content verified")
            except AssertionError as e:
                check("tampered content verified" not in str(e), str(e))

            # detached over a precomputed hash (sha384)
            digest = hashlib.sha384(data).digest()
            reply, _ = sign_with_pin(host, {"certificateId": cid, "hash": b64(digest), "hashAlgorithm": "sha384",
                                            "format": "cms-detached"})
            check("result" in reply, f"hash sign failed: {reply}")
            c.verify_cms(card_dir, unb64(reply["result"]["pkcs7"]), content=data)

            # raw
            reply, _ = sign_with_pin(host, {"certificateId": cid, "data": b64(data), "format": "raw"})
            c.verify_raw(unb64(sign_cert["certificate"]), data, unb64(reply["result"]["signature"]))
            if key.startswith("rsa"):
                reply, _ = sign_with_pin(host, {"certificateId": cid, "data": b64(data), "format": "raw",
                                                "signatureScheme": "rsa-pss"})
                check_eq(reply["result"]["signatureScheme"], "rsa-pss", "scheme")
                c.verify_raw(unb64(sign_cert["certificate"]), data, unb64(reply["result"]["signature"]), pss=True)

            # includeChain: verifiable with the root alone
            if card_dir.ca is not None:
                reply, _ = sign_with_pin(host, {"certificateId": cid, "data": b64(data), "includeChain": True})
                c.verify_cms(card_dir, unb64(reply["result"]["pkcs7"]),
                             trust=["-CAfile", str(card_dir.ca / "root.pem")])

            # the card saw exactly one VERIFY with a PIN per signature, and the PIN never
            # stays verified: the host resets the security status afterwards
            verifies = [e for e in card.commands(0x20) if e.get("lc", 0) > 0 and e.get("p1") == 0]
            expected = 6 if key.startswith("rsa") else 5
            if card_dir.ca is None:
                expected -= 1
            check_eq(len(verifies), expected, "PIN VERIFY count")
            check(all(e["sw"] == 0x9000 for e in verifies), f"VERIFY results: {verifies}")


def case_sign_ec(c):
    run_sign_formats(c, "ec-p256")


def case_sign_rsa(c):
    run_sign_formats(c, "rsa-2048")


def case_authenticate(c):
    card_dir = c.card_dir()
    with PcscEnv(pkcs_tool=c.args.pkcs_tool) as env:
        env.card(card_dir)
        with c.host(env) as host:
            certs = certificates(host)
            nonce = base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
            origin = "https://Login.GOV.example:443"  # allowed by the *.gov.example pattern
            rid = host.request("authenticate", {"nonce": nonce}, origin)
            host.wait_event("pin-required", match=lambda e: e["requestId"] == rid)
            host.call("pin", {"requestId": rid, "pin": PIN})
            token = host.wait_reply(rid)["result"]
            check_eq(sorted(token), ["certificate", "format", "pkcs7"], "token members")
            check_eq(token["format"], "pkibridge-auth:1", "token format")
            check_eq(unb64(token["certificate"]), unb64(cert_by_slot(certs, "9a")["certificate"]),
                     "default login certificate (9A)")
            content = json.loads(c.verify_cms(card_dir, unb64(token["pkcs7"])))
            check_eq(list(content), ["format", "origin", "nonce", "issuedAt"], "content members")
            check_eq(content["origin"], "https://login.gov.example", "bound origin (normalised)")
            check_eq(content["nonce"], nonce, "nonce")
            check_eq(content["format"], "pkibridge-auth:1", "content format")
            issued = time.mktime(time.strptime(content["issuedAt"], "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
            check(abs(issued - time.time()) < 120, f"issuedAt {content['issuedAt']}")

            # MOICA cards log in with the signing certificate: by certificateId
            sign_id = cert_by_slot(certs, "9c")["certificateId"]
            rid = host.request("authenticate", {"nonce": nonce, "certificateId": sign_id}, ORIGIN)
            host.wait_event("pin-required", match=lambda e: e["requestId"] == rid)
            host.call("pin", {"requestId": rid, "pin": PIN})
            token = host.wait_reply(rid)["result"]
            check_eq(unb64(token["certificate"]), unb64(cert_by_slot(certs, "9c")["certificate"]), "signer")
            content = json.loads(c.verify_cms(card_dir, unb64(token["pkcs7"])))
            check_eq(content["origin"], ORIGIN, "origin")

            for bad in ("short", "A" * 129, "A" * 40 + "+/"):
                check_eq(error_code(host.call("authenticate", {"nonce": bad}, ORIGIN)), "ERR_BAD_REQUEST", bad)
            check_eq(error_code(host.call("authenticate", {"nonce": nonce, "certificateId": "0" * 64 + ":piv:9c"},
                                          ORIGIN)), "ERR_CERTIFICATE_NOT_FOUND", "unknown certificate")


def case_wrong_pin(c):
    card_dir = c.card_dir()
    with PcscEnv(pkcs_tool=c.args.pkcs_tool) as env:
        card = env.card(card_dir)
        with c.host(env) as host:
            cid = cert_by_slot(certificates(host), "9c")["certificateId"]
            args = {"certificateId": cid, "data": b64(b"x"), "format": "raw"}

            # wrong, wrong, right: the counter goes 3 -> 2 -> 1 and resets
            rid = host.request("sign", args, ORIGIN)
            seen = []
            for pin in (WRONG, WRONG, PIN):
                ev = host.wait_event("pin-required", match=lambda e: e["requestId"] == rid)
                seen.append((ev["triesLeft"], ev.get("lastError")))
                host.call("pin", {"requestId": rid, "pin": pin})
            check_eq(seen, [(3, None), (2, "ERR_PIN_INCORRECT"), (1, "ERR_PIN_INCORRECT")], "prompts")
            check("result" in host.wait_reply(rid), "correct PIN after two wrong ones")
            rid = host.request("sign", args, ORIGIN)
            ev = host.wait_event("pin-required", match=lambda e: e["requestId"] == rid)
            check_eq(ev["triesLeft"], 3, "tries after a correct PIN")
            host.call("cancel", {"requestId": rid})
            check_eq(error_code(host.wait_reply(rid)), "ERR_USER_CANCELLED", "cancel")

            # three wrong PINs block the card
            rid = host.request("sign", args, ORIGIN)
            for expected in (3, 2, 1):
                ev = host.wait_event("pin-required", match=lambda e: e["requestId"] == rid)
                check_eq(ev["triesLeft"], expected, "triesLeft")
                host.call("pin", {"requestId": rid, "pin": WRONG})
            reply = host.wait_reply(rid)
            check_eq(error_code(reply), "ERR_PIN_BLOCKED", "after three wrong PINs")
            check_eq(reply["error"]["triesLeft"], 0, "triesLeft in the blocked error")
            check("unblockHint" in reply["error"], f"unblock hint: {reply}")
            if card_dir.ca is not None:
                check_eq(reply["error"].get("unblockUrl"), "https://moica.nat.gov.tw/unblockcard.html", "unblockUrl")

            mark = card.log_position()
            reply = host.call("sign", args, ORIGIN)
            check_eq(error_code(reply), "ERR_PIN_BLOCKED", "sign on a blocked card")
            reply = host.call("authenticate", {"nonce": "N" * 40}, ORIGIN)
            check_eq(error_code(reply), "ERR_PIN_BLOCKED", "authenticate on a blocked card")
            check(not [e for e in host.events if e.get("event") == "pin-required"], "PIN asked for a blocked card")
            sent = [e for e in card.commands(0x20, since=mark) if e.get("lc", 0) > 0]
            check_eq(sent, [], "VERIFY with a PIN sent to a blocked card")
            queries = card.commands(0x20, since=mark)
            check(queries and all(e["sw"] in (0x6983, 0x63C0) for e in queries), f"tries queries: {queries}")


def case_pin_format(c):
    card_dir = c.card_dir()
    with PcscEnv(pkcs_tool=c.args.pkcs_tool) as env:
        card = env.card(card_dir)
        with c.host(env) as host:
            cid = cert_by_slot(certificates(host), "9c")["certificateId"]
            rid = host.request("sign", {"certificateId": cid, "data": b64(b"x"), "format": "raw"}, ORIGIN)
            ev = host.wait_event("pin-required", match=lambda e: e["requestId"] == rid)
            check_eq(ev["pinFormat"], {"minLength": 6, "maxLength": 8, "digitsOnly": True}, "pinFormat")
            mark = card.log_position()
            for bad in ("12345", "123456789", "12345a", ""):
                check_eq(error_code(host.call("pin", {"requestId": rid, "pin": bad})), "ERR_PIN_FORMAT", bad)
            check_eq(card.commands(0x20, since=mark), [], "a malformed PIN reached the card")
            check_eq(error_code(host.call("pin", {"requestId": "other", "pin": PIN})), "ERR_BAD_REQUEST",
                     "PIN for a request that does not wait")
            host.call("pin", {"requestId": rid, "pin": PIN})
            check("result" in host.wait_reply(rid), "sign after format errors")
            check_eq(error_code(host.call("pin", {"requestId": rid, "pin": PIN})), "ERR_BAD_REQUEST",
                     "PIN after the request ended")


def case_origin_denied(c):
    card_dir = c.card_dir()
    with PcscEnv(pkcs_tool=c.args.pkcs_tool) as env:
        card = env.card(card_dir)
        with c.host(env) as host:
            cid = cert_by_slot(certificates(host), "9c")["certificateId"]
            mark = card.log_position()
            sign = {"certificateId": cid, "data": b64(b"x")}
            auth = {"nonce": "A" * 43}
            for origin in ("https://evil.example", "http://portal.example", "https://portal.example:8443",
                           "https://portal.example.evil", "https://gov.example", "null", "", None,
                           "https://portal.example/path", "chrome-extension://abc"):
                for command, args in (("sign", sign), ("authenticate", auth)):
                    reply = host.call(command, args, origin)
                    check_eq(error_code(reply), "ERR_ORIGIN_NOT_ALLOWED", f"{command} from {origin!r}")
            check(not [e for e in host.events if e.get("event") == "pin-required"], "PIN asked")
            check_eq(card.apdu_log(since=mark), [], "card touched for a disallowed origin")
            # the calling extension's own pages (the browser passes their origin as argv[1];
            # the driver starts the host with chrome-extension://pkibridgetestextension/) may
            # sign, but not log in, and no other extension may do either
            own = "chrome-extension://pkibridgetestextension"
            check_eq(error_code(host.call("authenticate", auth, own)), "ERR_ORIGIN_NOT_ALLOWED", "own auth")
            check_eq(error_code(host.call("sign", sign, "chrome-extension://otherextension")),
                     "ERR_ORIGIN_NOT_ALLOWED", "other extension")
            check_eq(card.apdu_log(since=mark), [], "card touched for a disallowed origin")
            reply, ev = sign_with_pin(host, {**sign, "format": "raw"}, origin=own + "/")
            check("result" in reply, f"self-test sign: {reply}")
            check_eq(ev["origin"], own + "/", "pin-required origin")
            # an allowed origin in another spelling works
            rid = host.request("sign", sign, "HTTPS://PORTAL.EXAMPLE:443")
            host.wait_event("pin-required", match=lambda e: e["requestId"] == rid)
            host.call("cancel", {"requestId": rid})
            check_eq(error_code(host.wait_reply(rid)), "ERR_USER_CANCELLED", "cancel")


def case_malformed_frames(c):
    with c.host(None, maxMessageBytes=4096) as host:
        def still_serving(what):
            r = host.call("status", timeout=10)
            check("result" in r, f"no status after {what}: {r}")

        def expect_error(code, what, rid=None):
            reply = host.wait_reply(rid, timeout=10)
            check_eq(error_code(reply), code, what)
            still_serving(what)

        still_serving("start")
        host.send_raw(b"\x05\x00")  # short header, then the input pauses
        expect_error("ERR_BAD_REQUEST", "short header")
        host.send_raw(struct.pack("=I", 100) + b'{"id":1,')  # length larger than the data
        expect_error("ERR_BAD_REQUEST", "length larger than the data")
        host.send_raw(struct.pack("=I", 10000) + b"z" * 10000)  # over the limit: body skipped
        reply = host.wait_reply(None, timeout=10)
        check_eq(error_code(reply), "ERR_TOO_LARGE", "over the limit")
        check_eq(reply["error"]["declaredBytes"], 10000, "declaredBytes")
        still_serving("over the limit")
        host.send(b"\xff\xfe{}")
        expect_error("ERR_BAD_REQUEST", "invalid UTF-8")
        host.send(b'{"id": 1, "command": "st\xc3\x28tus"}')
        expect_error("ERR_BAD_REQUEST", "invalid UTF-8 in a string")
        host.send(b'{"id": 1, "command": ')
        expect_error("ERR_BAD_REQUEST", "invalid JSON")
        host.send(b"")
        expect_error("ERR_BAD_REQUEST", "empty message")
        host.send(b"[" * 3000)
        expect_error("ERR_BAD_REQUEST", "deep nesting")
        host.send({"id": "t1", "command": 42})
        expect_error("ERR_BAD_REQUEST", "wrong type of command", "t1")
        host.send({"id": "t2", "command": "sign", "arguments": "x"})
        expect_error("ERR_BAD_REQUEST", "wrong type of arguments", "t2")
        host.send({"id": {"x": 1}, "command": "status"})
        expect_error("ERR_BAD_REQUEST", "wrong type of id")
        host.send({"id": "t3", "command": "status", "arguments": {"verbose": True}})
        expect_error("ERR_BAD_REQUEST", "unknown argument", "t3")
        host.send({"id": "t4", "command": "erase-card"})
        expect_error("ERR_UNKNOWN_COMMAND", "unknown command", "t4")
        host.send({"id": "t5", "command": "pin", "arguments": {"requestId": "x", "pin": PIN}})
        expect_error("ERR_BAD_REQUEST", "pin without a waiting request", "t5")
        r = host.call("cancel")
        check_eq(r["result"]["cancelled"], False, "cancel with nothing running")
        # a length no browser can send: answered, then the host closes
        host.send_raw(struct.pack("=I", 0xFFFFFFF0))
        check_eq(error_code(host.wait_reply(None)), "ERR_TOO_LARGE", "beyond the hard cap")
        host.proc.wait(timeout=10)
        check_eq(host.unanswered(), {}, "stray replies")
        for body in host.raw_frames:
            check(len(body) <= 1024 * 1024, "reply over 1 MiB")


def case_card_removed(c):
    card_dir = c.card_dir()
    with PcscEnv(pkcs_tool=c.args.pkcs_tool) as env:
        card = env.card(card_dir)
        with c.host(env) as host:
            cid = cert_by_slot(certificates(host), "9c")["certificateId"]
            rid = host.request("sign", {"certificateId": cid, "data": b64(b"x")}, ORIGIN)
            host.wait_event("pin-required", match=lambda e: e["requestId"] == rid)
            t0 = time.monotonic()
            card.remove(wait=False)
            reply = host.wait_reply(rid, timeout=10)
            check_eq(error_code(reply), "ERR_CARD_REMOVED", "sign after the card was pulled")
            check(time.monotonic() - t0 < 5, "card removal noticed too late")
            host.wait_event("card-removed", match=lambda e: e["reader"] == env.reader_name(0))
            check_eq(error_code(host.call("list-certificates")), "ERR_NO_CARD", "list without a card")
            card.insert()
            host.wait_event("card-inserted", match=lambda e: e["reader"] == env.reader_name(0))
            reply, _ = sign_with_pin(host, {"certificateId": cid, "data": b64(b"x")})
            check("result" in reply, f"sign after re-insertion: {reply}")


def case_pcscd_stopped(c):
    card_dir = c.card_dir()
    with PcscEnv(pkcs_tool=c.args.pkcs_tool) as env:
        env.card(card_dir)
        with c.host(env) as host:
            check_eq(len(certificates(host)), 2, "certificates")
            env.stop_pcscd()
            r = host.result("status")
            check_eq(r["pcsc"]["available"], False, "pcsc.available without pcscd")
            check_eq(r["readers"], [], "readers without pcscd")
            for command, args, origin in (("list-certificates", None, None),
                                          ("authenticate", {"nonce": "A" * 43}, ORIGIN)):
                check_eq(error_code(host.call(command, args, origin)), "ERR_PCSC_UNAVAILABLE", command)
            env.start_pcscd()
            deadline = time.monotonic() + 10
            while True:  # the card reconnects to the new pcscd by itself
                reply = host.call("list-certificates")
                if "result" in reply:
                    break
                check(time.monotonic() < deadline, f"no certificates after pcscd restart: {reply}")
                time.sleep(0.3)
            check_eq(len(reply["result"]["certificates"]), 2, "certificates after restart")
            # pcscd stopping while a request waits for the PIN ends it, and the host goes on
            cid = reply["result"]["certificates"][0]["certificateId"]
            rid = host.request("sign", {"certificateId": cid, "data": b64(b"x")}, ORIGIN)
            host.wait_event("pin-required", match=lambda e: e["requestId"] == rid)
            env.stop_pcscd()
            check_eq(error_code(host.wait_reply(rid, timeout=10)), "ERR_PCSC_UNAVAILABLE", "sign when pcscd stops")
            check_eq(host.result("status")["pcsc"]["available"], False, "status after the stop")


def case_pin_timeout(c):
    card_dir = c.card_dir()
    with PcscEnv(pkcs_tool=c.args.pkcs_tool) as env:
        env.card(card_dir)
        with c.host(env, pinTimeoutSeconds=1) as host:
            cid = cert_by_slot(certificates(host), "9c")["certificateId"]
            rid = host.request("sign", {"certificateId": cid, "data": b64(b"x")}, ORIGIN)
            host.wait_event("pin-required", match=lambda e: e["requestId"] == rid)
            t0 = time.monotonic()
            reply = host.wait_reply(rid, timeout=10)
            check_eq(error_code(reply), "ERR_TIMEOUT", "stalled extension")
            check(0.8 < time.monotonic() - t0 < 5, "timeout not near one second")
            check_eq(len(certificates(host)), 2, "serving after the timeout")


def case_cancel_and_busy(c):
    card_dir = c.card_dir()
    with PcscEnv(pkcs_tool=c.args.pkcs_tool) as env:
        env.card(card_dir)
        with c.host(env) as host:
            cid = cert_by_slot(certificates(host), "9c")["certificateId"]
            rid = host.request("sign", {"certificateId": cid, "data": b64(b"x")}, ORIGIN)
            host.wait_event("pin-required", match=lambda e: e["requestId"] == rid)
            # a second card operation is refused; status, cancel and pin are still answered
            busy = host.call("list-certificates")
            check_eq(error_code(busy), "ERR_BUSY", "second card operation")
            check_eq(busy["error"]["runningRequestId"], rid, "runningRequestId")
            check_eq(error_code(host.call("authenticate", {"nonce": "A" * 43}, ORIGIN)), "ERR_BUSY", "auth")
            status = host.result("status")
            check_eq(status["busy"], True, "status.busy")
            check_eq(host.result("cancel", {"requestId": "someone-else"})["cancelled"], False, "other id")
            r = host.result("cancel", {"requestId": rid})
            check_eq(r, {"cancelled": True, "requestId": rid}, "cancel reply")
            check_eq(error_code(host.wait_reply(rid)), "ERR_USER_CANCELLED", "cancelled sign")
            # the slot is free again at once
            reply, _ = sign_with_pin(host, {"certificateId": cid, "data": b64(b"x")})
            check("result" in reply, f"sign after cancel: {reply}")
            # cancel without a request id cancels whatever runs
            rid = host.request("sign", {"certificateId": cid, "data": b64(b"x")}, ORIGIN)
            host.wait_event("pin-required", match=lambda e: e["requestId"] == rid)
            check_eq(host.result("cancel")["cancelled"], True, "cancel without id")
            check_eq(error_code(host.wait_reply(rid)), "ERR_USER_CANCELLED", "cancelled sign")
            # stdin closing while a request waits for the PIN ends the host promptly
            rid = host.request("sign", {"certificateId": cid, "data": b64(b"x")}, ORIGIN)
            host.wait_event("pin-required", match=lambda e: e["requestId"] == rid)
            t0 = time.monotonic()
            check_eq(host.close(timeout=10), 0, "exit code")
            check(time.monotonic() - t0 < 5, "slow exit")


def case_errors_without_card(c):
    with PcscEnv(pkcs_tool=c.args.pkcs_tool) as env:
        with c.host(env) as host:
            check_eq(error_code(host.call("list-certificates")), "ERR_NO_CARD", "no card")
            check_eq(error_code(host.call("authenticate", {"nonce": "A" * 43}, ORIGIN)), "ERR_NO_CARD", "auth")
            check_eq(error_code(host.call("sign", {"certificateId": "x", "data": "eA=="}, ORIGIN)),
                     "ERR_BAD_REQUEST", "malformed certificate id")
    # an invalid configuration: status says why, card operations answer ERR_INTERNAL
    host = HostProcess(c.args.host, env=c.isolated_env(), workdir=c.tmp,
                       config_text='{"allowedOrigins": ["http://insecure.example"]}')
    with host:
        r = host.result("status")
        check("insecure.example" in r["configError"] and "https" in r["configError"], f"configError: {r}")
        reply = host.call("list-certificates")
        check_eq(error_code(reply), "ERR_INTERNAL", "card operation with a broken configuration")
        check("configError" in reply["error"], f"{reply}")
    check("configuration error" in host.stderr(), "no message on stderr")


def case_large_reply(c):
    card_dir = c.card_dir()
    with PcscEnv(pkcs_tool=c.args.pkcs_tool) as env:
        env.card(card_dir)
        with c.host(env, maxMessageBytes=4 * 1024 * 1024) as host:
            cid = cert_by_slot(certificates(host), "9c")["certificateId"]
            data = os.urandom(900 * 1024)  # attached CMS + base64 > 1 MiB
            reply, _ = sign_with_pin(host, {"certificateId": cid, "data": b64(data)})
            check_eq(error_code(reply), "ERR_TOO_LARGE", "reply over the browser's limit")
            check(reply["error"]["replyBytes"] > 1024 * 1024, f"{reply}")
            reply, _ = sign_with_pin(host, {"certificateId": cid, "data": b64(data), "format": "cms-detached"})
            c.verify_cms(card_dir, unb64(reply["result"]["pkcs7"]), content=data)


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith("case_")}


def run_cases(cases: dict, make_case) -> int:
    """The command line of a case script: `--host H --pkcs-tool T CASE... | all`; each case
    gets a fresh `make_case(args, name)`; failures print the host log's tail."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", required=True)
    parser.add_argument("--pkcs-tool", required=True)
    parser.add_argument("cases", nargs="+")
    args = parser.parse_args()
    names = list(cases) if args.cases == ["all"] else args.cases
    failed = 0
    for name in names:
        if name not in cases:
            print(f"unknown case {name}; known: {', '.join(cases)}")
            return 2
        case = make_case(args, name)
        t0 = time.monotonic()
        ok = False
        try:
            cases[name](case)
            ok = True
            print(f"PASS {name} ({time.monotonic() - t0:.1f}s)")
        except (AssertionError, HostError) as e:
            failed += 1
            print(f"FAIL {name}: {e}")
            traceback.print_exc()
            log = case.tmp / "host.log"
            if log.exists():
                print("--- host log (tail) ---\n" + log.read_text(errors="replace")[-4000:])
        finally:
            case.cleanup(ok)
    return 1 if failed else 0


def main() -> int:
    return run_cases(CASES, Case)


if __name__ == "__main__":
    sys.exit(main())
