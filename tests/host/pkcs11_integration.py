#!/usr/bin/env python3
"""Integration tests of pkibridge-host's PKCS#11 driver (native-host/src/pkcs11) with real
modules: SoftHSM2 (a private token directory per case, RSA and EC pairs from `pkcs-tool ca
issue` imported with pkcs11-tool) and OpenSC's module on top of the virtual PIV card in a
private pcscd. Signatures are checked with `openssl cms -verify` / `openssl dgst`.

    python3 pkcs11_integration.py --host BIN --pkcs-tool BIN CASE [CASE...]   (or "all")

Every case starts its own pcscd (the host's commands need PC/SC), token and host, and stops
exactly those.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, os.environ.get("PKIBRIDGE_TEST_SUPPORT", str(HERE.parent / "support")))

from host_driver import HostProcess, error_code  # noqa: E402
from integration import (ORIGIN, PIN, WRONG, Case, b64, certificates, check, check_eq, run_cases,  # noqa: E402
                         pem_der, sign_with_pin, unb64)
from pcsc_env import PcscEnv, issue_pair  # noqa: E402

SOFTHSM = os.environ.get("PKIBRIDGE_SOFTHSM_MODULE", "/usr/lib/softhsm/libsofthsm2.so")
OPENSC = os.environ.get("PKIBRIDGE_OPENSC_MODULE", "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so")
LABEL = "pkibridge-test"
SO_PIN = "12345678"


def run(argv, env=None, timeout=60):
    r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} failed ({r.returncode}): {r.stderr.strip()} {r.stdout.strip()}")
    return r.stdout


class SoftHsm:
    """A SoftHSM2 token in a private directory (SOFTHSM2_CONF), with imported pairs."""

    def __init__(self, tmp: Path, pin=PIN):
        self.dir = tmp / "softhsm"
        (self.dir / "tokens").mkdir(parents=True)
        self.conf = self.dir / "softhsm2.conf"
        self.conf.write_text(f"directories.tokendir = {self.dir / 'tokens'}\n"
                             "objectstore.backend = file\nlog.level = ERROR\n")
        self.pin = pin
        run(["softhsm2-util", "--init-token", "--free", "--label", LABEL, "--pin", pin,
             "--so-pin", SO_PIN], env=self.environ())
        self.imported = {}  # CKA_ID hex -> certificate DER

    def environ(self, base=None):
        env = dict(os.environ if base is None else base)
        env["SOFTHSM2_CONF"] = str(self.conf)
        return env

    def tool(self, *args):
        return run(["pkcs11-tool", "--module", SOFTHSM, "--token-label", LABEL, *args], env=self.environ())

    def import_pair(self, pair: Path, which: str, key_id: str, with_key=True):
        cert_der = self.dir / f"{key_id}.crt.der"
        run(["openssl", "x509", "-in", str(pair / f"{which}.pem"), "-outform", "DER", "-out", str(cert_der)])
        if with_key:
            key_der = self.dir / f"{key_id}.key.der"
            run(["openssl", "pkcs8", "-topk8", "-nocrypt", "-in", str(pair / f"{which}.key"), "-outform", "DER",
                 "-out", str(key_der)])
            self.tool("--login", "--pin", self.pin, "--write-object", str(key_der), "--type", "privkey",
                      "--id", key_id, "--label", f"{which} key {key_id}")
            key_der.unlink()
        self.tool("--login", "--pin", self.pin, "--write-object", str(cert_der), "--type", "cert",
                  "--id", key_id, "--label", f"{which} certificate {key_id}")
        self.imported[key_id] = cert_der.read_bytes()

    def import_der_cert(self, pem: Path, key_id: str):
        der = self.dir / f"{key_id}.ca.der"
        run(["openssl", "x509", "-in", str(pem), "-outform", "DER", "-out", str(der)])
        self.tool("--login", "--pin", self.pin, "--write-object", str(der), "--type", "cert", "--id", key_id,
                  "--label", "a CA certificate")


class P11Case(Case):
    """Case with a SoftHSM token holding an RSA signing pair (id 01), an EC signing pair (02),
    an EC authentication pair (a1) and a CA certificate without key (ca)."""

    def softhsm(self):
        if getattr(self, "_softhsm", None) is None:
            rsa_pair, ca = issue_pair(self.args.pkcs_tool, "rsa-2048")
            ec_pair, ca_ec = issue_pair(self.args.pkcs_tool, "ec-p256")
            hsm = SoftHsm(self.tmp)
            hsm.import_pair(rsa_pair, "sign", "01")
            hsm.import_pair(ec_pair, "sign", "02")
            hsm.import_pair(ec_pair, "auth", "a1")
            if ca is not None:
                hsm.import_der_cert(ca / "root.pem", "ca")
            hsm.pairs = {"01": SimpleNamespace(pair=rsa_pair, ca=ca), "02": SimpleNamespace(pair=ec_pair, ca=ca_ec),
                         "a1": SimpleNamespace(pair=ec_pair, ca=ca_ec)}
            self._softhsm = hsm
        return self._softhsm

    def trust_args(self, card):
        # The RSA and EC pairs come from two test CAs: one bundle per issuing chain.
        if card.ca is None:
            return ["-CAfile", str(card.pair / "chain.pem")]
        bundle = self.tmp / f"trust-{hashlib.sha256(str(card.pair).encode()).hexdigest()[:12]}.pem"
        if not bundle.exists():
            bundle.write_text((card.ca / "root.pem").read_text() + (card.pair / "chain.pem").read_text())
        return ["-CAfile", str(bundle)]

    def p11_config(self, **overrides):
        cfg = self.config(pkcs11Modules=[SOFTHSM], pkcs11DefaultModules=False)
        hsm = getattr(self, "_softhsm", None)
        cas = {str(p.ca) for p in hsm.pairs.values() if p.ca is not None} if hsm is not None else set()
        if cas:  # includeChain takes the issuing CA from here, for both test CAs
            bundle = self.tmp / "softhsm-intermediates.pem"
            bundle.write_text("".join((Path(ca) / "intermediates.pem").read_text() for ca in sorted(cas)))
            cfg["caCertificates"] = str(bundle)
        cfg.update(overrides)
        return cfg

    def p11_host(self, env, hsm=None, **overrides):
        base = env.environ()
        if hsm is not None:
            base = hsm.environ(base)
        return HostProcess(self.args.host, env=base, config=self.p11_config(**overrides), workdir=self.tmp)


def by_ref(certs, ref):
    found = [c for c in certs if c["certificateId"].endswith(f":pkcs11:{ref}")]
    check(len(found) == 1, f"expected one certificate with key_ref {ref}: {[c['certificateId'] for c in certs]}")
    return found[0]


def module_entry(status, path):
    found = [m for m in status["pkcs11Modules"] if m["path"] == path]
    check(len(found) == 1, f"module {path} in status: {status['pkcs11Modules']}")
    return found[0]


# --- SoftHSM2 -----------------------------------------------------------------------------

def case_softhsm_list(c):
    hsm = c.softhsm()
    with PcscEnv(pkcs_tool=c.args.pkcs_tool) as env, c.p11_host(env, hsm) as host:
        status = host.result("status")
        mod = module_entry(status, SOFTHSM)
        check_eq(mod["loaded"], True, "SoftHSM loaded")
        check_eq(mod["source"], "config", "module source")
        check("SoftHSM" in mod["library"], f"library: {mod}")
        tokens = [s for s in mod["slots"] if s["tokenPresent"]]
        check_eq([s["tokenLabel"] for s in tokens], [LABEL], "token label in status")

        certs = certificates(host)
        check_eq(sorted(cert["certificateId"].rsplit(":", 1)[1] for cert in certs), ["01", "02", "a1"],
                 "key refs (the CA certificate without key is not listed)")
        for ref, der in ((r, hsm.imported[r]) for r in ("01", "02", "a1")):
            cert = by_ref(certs, ref)
            check_eq(unb64(cert["certificate"]), der, f"certificate {ref}")
            check_eq(cert["certificateId"], f"{hashlib.sha256(der).hexdigest()}:pkcs11:{ref}", "certificateId")
            check_eq(cert["cardType"], "PKCS#11:SoftHSM project/SoftHSM v2", "cardType")
            check(LABEL in cert["reader"], f"reader names the token: {cert['reader']}")
            check_eq(cert["authenticationKey"], False, "authenticationKey")
        if hsm.pairs["01"].ca is not None:
            check_eq(by_ref(certs, "01")["caKind"], "MOICA", "caKind")
        again = certificates(host)
        check_eq(sorted(x["certificateId"] for x in again), sorted(x["certificateId"] for x in certs), "stable ids")
        check_eq(host.close(), 0, "exit status after C_Finalize")


def case_softhsm_sign(c):
    hsm = c.softhsm()
    data = "台灣 GPKI PKCS#11 簽章測試".encode() * 10
    with PcscEnv(pkcs_tool=c.args.pkcs_tool) as env, c.p11_host(env, hsm) as host:
        certs = certificates(host)
        rsa, ec = by_ref(certs, "01"), by_ref(certs, "02")
        rsa_card, ec_card = hsm.pairs["01"], hsm.pairs["02"]

        # RSA, attached, with nonce and the token serial as card serial
        reply, ev = sign_with_pin(host, {"certificateId": rsa["certificateId"], "data": b64(data),
                                         "format": "cms-attached", "includeCardSerial": True})
        check("result" in reply, f"RSA sign failed: {reply}")
        check_eq(ev["triesLeft"], None, "SoftHSM says nothing about tries left")
        check_eq(ev["pinPad"], False, "pinPad")
        check_eq(ev["pinFormat"], {"minLength": 4, "maxLength": 64, "digitsOnly": False}, "pinFormat from the token")
        check(LABEL in ev["reader"], f"pin-required reader: {ev['reader']}")
        res = reply["result"]
        check_eq(res["signatureScheme"], "rsa-pkcs1", "scheme")
        check_eq(c.verify_cms(rsa_card, unb64(res["pkcs7"])), data, "RSA attached content")
        check(res["cardSerial"] and res["cardSerial"] in run(["softhsm2-util", "--show-slots"], env=hsm.environ()),
              f"cardSerial {res.get('cardSerial')} is the token serial")
        check(res["cardSerial"] in c.asn1parse(unb64(res["pkcs7"])), "card serial in the CMS")

        # RSA-PSS raw and CMS detached over a sha384 hash
        reply, _ = sign_with_pin(host, {"certificateId": rsa["certificateId"], "data": b64(data), "format": "raw",
                                        "signatureScheme": "rsa-pss"})
        check_eq(reply["result"]["signatureScheme"], "rsa-pss", "pss scheme")
        c.verify_raw(unb64(rsa["certificate"]), data, unb64(reply["result"]["signature"]), pss=True)
        digest = hashlib.sha384(data).digest()
        reply, _ = sign_with_pin(host, {"certificateId": rsa["certificateId"], "hash": b64(digest),
                                        "hashAlgorithm": "sha384", "format": "cms-detached"})
        c.verify_cms(rsa_card, unb64(reply["result"]["pkcs7"]), content=data)

        # EC: CKM_ECDSA over the digest, r||s turned into DER
        reply, _ = sign_with_pin(host, {"certificateId": ec["certificateId"], "data": b64(data),
                                        "format": "cms-detached"})
        check("result" in reply, f"EC sign failed: {reply}")
        check_eq(reply["result"]["signatureScheme"], "ecdsa", "EC scheme")
        c.verify_cms(ec_card, unb64(reply["result"]["pkcs7"]), content=data)
        reply, _ = sign_with_pin(host, {"certificateId": ec["certificateId"], "data": b64(data), "format": "raw"})
        c.verify_raw(unb64(ec["certificate"]), data, unb64(reply["result"]["signature"]))
        if ec_card.ca is not None:
            reply, _ = sign_with_pin(host, {"certificateId": ec["certificateId"], "data": b64(data),
                                            "includeChain": True})
            c.verify_cms(ec_card, unb64(reply["result"]["pkcs7"]),
                         trust=["-CAfile", str(ec_card.ca / "root.pem")])
        # a scheme that does not fit the key is refused before the token is asked
        check_eq(error_code(host.call("sign", {"certificateId": ec["certificateId"], "data": b64(data),
                                               "signatureScheme": "rsa-pss"}, ORIGIN)),
                 "ERR_BAD_REQUEST", "PSS with an EC key")


def case_softhsm_authenticate(c):
    hsm = c.softhsm()
    with PcscEnv(pkcs_tool=c.args.pkcs_tool) as env, c.p11_host(env, hsm) as host:
        certs = certificates(host)
        nonce = base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
        rid = host.request("authenticate", {"nonce": nonce}, ORIGIN)
        host.wait_event("pin-required", match=lambda e: e["requestId"] == rid)
        host.call("pin", {"requestId": rid, "pin": PIN})
        token = host.wait_reply(rid)["result"]
        check_eq(token["format"], "pkibridge-auth:1", "token format")
        # no designated login key on a PKCS#11 token: the clientAuth certificate wins
        check_eq(unb64(token["certificate"]), unb64(by_ref(certs, "a1")["certificate"]), "login certificate")
        content = json.loads(c.verify_cms(hsm.pairs["a1"], unb64(token["pkcs7"])))
        check_eq(content["origin"], ORIGIN, "bound origin")
        check_eq(content["nonce"], nonce, "nonce")
        # by id, with the RSA signing key
        rid = host.request("authenticate", {"nonce": nonce, "certificateId": by_ref(certs, "01")["certificateId"]},
                           ORIGIN)
        host.wait_event("pin-required", match=lambda e: e["requestId"] == rid)
        host.call("pin", {"requestId": rid, "pin": PIN})
        token = host.wait_reply(rid)["result"]
        check_eq(unb64(token["certificate"]), hsm.imported["01"], "signer by id")
        c.verify_cms(hsm.pairs["01"], unb64(token["pkcs7"]))


class NoPcscd:
    """An environment whose PC/SC client finds no pcscd (a socket path nobody listens on)."""

    def __init__(self, tmp: Path):
        self.socket = tmp / "no-pcscd.comm"

    def environ(self):
        env = dict(os.environ)
        env["PCSCLITE_CSOCK_NAME"] = str(self.socket)
        return env


def case_softhsm_without_pcscd(c):
    """A software token needs no reader: without any pcscd the PKCS#11 token still lists and
    signs; with no module either, the answer stays ERR_PCSC_UNAVAILABLE."""
    hsm = c.softhsm()
    env = NoPcscd(c.tmp)
    data = b"signed without pcscd"
    with c.p11_host(env, hsm) as host:
        certs = certificates(host)
        check_eq(sorted(x["certificateId"].rsplit(":", 1)[1] for x in certs), ["01", "02", "a1"],
                 "SoftHSM keys listed without pcscd")
        ec = by_ref(certs, "02")
        reply, _ = sign_with_pin(host, {"certificateId": ec["certificateId"], "data": b64(data),
                                        "format": "cms-detached"})
        check("result" in reply, f"sign without pcscd: {reply}")
        c.verify_cms(hsm.pairs["02"], unb64(reply["result"]["pkcs7"]), content=data)
    with HostProcess(c.args.host, env=env.environ(), config=c.config(pkcs11DefaultModules=False),
                     workdir=c.tmp) as host:
        check_eq(error_code(host.call("list-certificates", {}, ORIGIN)), "ERR_PCSC_UNAVAILABLE",
                 "no pcscd and no PKCS#11 module")


def case_softhsm_wrong_pin(c):
    hsm = c.softhsm()
    with PcscEnv(pkcs_tool=c.args.pkcs_tool) as env, c.p11_host(env, hsm) as host:
        cid = by_ref(certificates(host), "02")["certificateId"]
        rid = host.request("sign", {"certificateId": cid, "data": b64(b"x"), "format": "raw"}, ORIGIN)
        ev = host.wait_event("pin-required", match=lambda e: e["requestId"] == rid)
        check_eq(error_code(host.call("pin", {"requestId": rid, "pin": "12"})), "ERR_PIN_FORMAT", "PIN too short")
        seen = []
        for pin in (WRONG, WRONG, PIN):
            seen.append(ev.get("lastError"))
            check("result" in host.call("pin", {"requestId": rid, "pin": pin}), "pin accepted for delivery")
            if pin != PIN:
                ev = host.wait_event("pin-required", match=lambda e: e["requestId"] == rid)
        check_eq(seen, [None, "ERR_PIN_INCORRECT", "ERR_PIN_INCORRECT"], "prompts after wrong PINs")
        reply = host.wait_reply(rid)
        check("result" in reply, f"correct PIN after two wrong ones: {reply}")
        c.verify_raw(hsm.imported["02"], b"x", unb64(reply["result"]["signature"]))
        # the token was left logged out: the next request asks for the PIN again
        reply, ev = sign_with_pin(host, {"certificateId": cid, "data": b64(b"y"), "format": "raw"})
        check("result" in reply and "lastError" not in ev, f"second sign: {reply} {ev}")


def case_server_login(c):
    """The token the host makes on a SoftHSM2 key is accepted by the real verification server
    (tests/server/integration/serverlib.py starts it), and only for the origin it names."""
    server_bin = os.environ.get("PKIBRIDGE_SERVER")
    check(server_bin and os.path.exists(server_bin), "PKIBRIDGE_SERVER must name pkibridge-server")
    sys.path.insert(0, str(HERE.parent / "server" / "integration"))
    import serverlib  # noqa: E402
    d = c.tmp / "server"
    d.mkdir()
    ca = serverlib.TestCA(c.args.pkcs_tool, str(d / "ca"), key="rsa-2048")
    alice = Path(ca.issue(str(d / "alice"), "Alice Chen", "A123456789"))
    ca.crl(str(d / "root.crl"), "root")
    ca.crl(str(d / "moica.crl"), "moica")
    db = str(d / "accounts.db")
    serverlib.account_add(server_bin, db, "A123456789", "Alice Chen", str(alice / "sign.pem"))
    hsm = SoftHsm(c.tmp)
    hsm.import_pair(alice, "sign", "51")
    config = {"origins": [serverlib.ORIGIN],
              "trust": {"anchors": [ca.root], "intermediates": [ca.intermediates]},
              "crl": {"files": [str(d / "root.crl"), str(d / "moica.crl")], "fromDistributionPoints": False},
              "database": {"path": db},
              "tls": {"selfSignedDirectory": str(d / "tls")}}
    with serverlib.Server(server_bin, str(d), config, "server") as server, \
            PcscEnv(pkcs_tool=c.args.pkcs_tool) as env, \
            c.p11_host(env, hsm, allowedOrigins=[serverlib.ORIGIN, ORIGIN], caCertificates=ca.intermediates) as host:
        cid = by_ref(certificates(host), "51")["certificateId"]

        def token_for(origin, nonce):
            rid = host.request("authenticate", {"nonce": nonce, "certificateId": cid}, origin)
            host.wait_event("pin-required", match=lambda e: e["requestId"] == rid)
            host.call("pin", {"requestId": rid, "pin": PIN})
            reply = host.wait_reply(rid)
            check("result" in reply, f"authenticate failed: {reply}")
            return reply["result"]

        browser = server.client()
        r = browser.login(token_for(serverlib.ORIGIN, browser.challenge()))
        check(r.status == 200, f"server refused the PKCS#11 login token: {r.status} {r.text}")
        check_eq(r.json["account"]["nationalId"], "A123456789", "account")
        check_eq(r.json["certificate"]["sha256"], hashlib.sha256(hsm.imported["51"]).hexdigest(), "certificate")
        # the same card's token for another site is refused: the origin is signed into it
        r = browser.login(token_for(ORIGIN, browser.challenge()))
        check(r.status in (401, 403) and "origin" in r.text, f"token for another origin: {r.status} {r.text}")


# --- module failures -----------------------------------------------------------------------

def case_broken_module(c):
    card_dir = c.card_dir()
    hsm = c.softhsm()
    not_a_library = c.tmp / "libHicos_p11.so"
    not_a_library.write_text("not an ELF file\n")
    no_pkcs11 = "/usr/lib/x86_64-linux-gnu/libz.so.1"  # a library without C_GetFunctionList
    missing = "/nonexistent/libHicos_p11.so"
    with PcscEnv(pkcs_tool=c.args.pkcs_tool) as env:
        env.card(card_dir)
        with c.p11_host(env, hsm, pkcs11Modules=[missing, str(not_a_library), no_pkcs11, SOFTHSM],
                        caCertificates=str(card_dir.ca / "intermediates.pem") if card_dir.ca else "") as host:
            status = host.result("status")
            for path, words in ((missing, "cannot load"), (str(not_a_library), "cannot load"),
                                (no_pkcs11, "C_GetFunctionList")):
                entry = module_entry(status, path)
                check_eq(entry["loaded"], False, f"{path} loaded")
                check(words in entry["error"], f"error of {path}: {entry['error']}")
            check_eq(module_entry(status, SOFTHSM)["loaded"], True, "SoftHSM still loaded")
            reader = next(r for r in status["readers"] if r["name"] == env.reader_name(0))
            check_eq(reader["cardType"], "PIV", "the PIV card is still seen")

            certs = certificates(host)
            piv = [x for x in certs if x["cardType"] == "PIV"]
            p11 = [x for x in certs if x["cardType"].startswith("PKCS#11:")]
            check_eq(len(piv), 2, "PIV certificates")
            # the virtual card and the token share the cached EC pair (test CA cache): those two
            # certificates are listed once, through the built-in driver
            check_eq([x["certificateId"].rsplit(":", 1)[1] for x in p11], ["01"], "SoftHSM certificates")
            check_eq(sorted(unb64(x["certificate"]) for x in piv),
                     sorted([hsm.imported["02"], hsm.imported["a1"]]), "shared pair listed as PIV")
            sign_cert = next(x for x in piv if x["slot"] == "9c")
            reply, _ = sign_with_pin(host, {"certificateId": sign_cert["certificateId"], "data": b64(b"piv"),
                                            "format": "cms-detached"})
            check("result" in reply, f"PIV sign next to broken modules: {reply}")
            c.verify_cms(card_dir, unb64(reply["result"]["pkcs7"]), content=b"piv")
            reply, _ = sign_with_pin(host, {"certificateId": by_ref(p11, "01")["certificateId"], "data": b64(b"p11"),
                                            "format": "raw"})
            c.verify_raw(hsm.imported["01"], b"p11", unb64(reply["result"]["signature"]))


def case_invalid_config(c):
    for bad, words in (({"pkcs11Modules": "/usr/lib/x.so"}, "pkcs11Modules"),
                       ({"pkcs11Modules": [3]}, "pkcs11Modules"),
                       ({"pkcs11DefaultModules": "yes"}, "pkcs11DefaultModules"),
                       ({"preferredDriver": "opensc"}, "preferredDriver")):
        host = HostProcess(c.args.host, env=c.isolated_env(), workdir=c.tmp, config=c.config(**bad))
        with host:
            r = host.result("status")
            check(words in r.get("configError", ""), f"configError for {bad}: {r.get('configError')}")


# --- OpenSC's module over the virtual PIV card ---------------------------------------------

def opensc_config(c, card_dir, **overrides):
    cfg = {"pkcs11Modules": [OPENSC], "pkcs11DefaultModules": False}
    if card_dir.ca is not None:
        cfg["caCertificates"] = str(card_dir.ca / "intermediates.pem")
    cfg.update(overrides)
    return cfg


def case_opensc_dedupe(c):
    card_dir = c.card_dir()
    with PcscEnv(pkcs_tool=c.args.pkcs_tool) as env:
        env.card(card_dir)
        # defaults on (OpenSC's module is found at its well-known place / in p11-kit's
        # registry): the card is reachable twice and listed once, through the built-in driver
        cfg = {"pkcs11DefaultModules": True}
        if card_dir.ca is not None:
            cfg["caCertificates"] = str(card_dir.ca / "intermediates.pem")
        with c.host(env, **cfg) as host:
            status = host.result("status")
            opensc = [m for m in status["pkcs11Modules"] if os.path.realpath(m["path"]) == os.path.realpath(OPENSC)]
            check_eq(len(opensc), 1, f"OpenSC among the default modules: {status['pkcs11Modules']}")
            check_eq(opensc[0]["loaded"], True, "OpenSC loaded")
            slot = [s for s in opensc[0]["slots"] if s["tokenPresent"]]
            check(slot and slot[0]["description"].startswith(env.reader_name(0)),
                  f"OpenSC sees the card in {env.reader_name(0)}: {opensc[0]['slots']}")
            certs = certificates(host)
            check_eq(sorted(x["slot"] for x in certs), ["9a", "9c"], "each certificate once")
            check(all(x["cardType"] == "PIV" for x in certs), f"built-in PIV preferred: {certs}")
            sign_id = next(x for x in certs if x["slot"] == "9c")["certificateId"]
            reply, _ = sign_with_pin(host, {"certificateId": sign_id, "data": b64(b"dedupe"), "format": "raw"})
            c.verify_raw(pem_der(card_dir.pair / "sign.pem"), b"dedupe", unb64(reply["result"]["signature"]))

        # preferredDriver "pkcs11": the same two certificates, now through OpenSC
        with c.host(env, **opensc_config(c, card_dir, preferredDriver="pkcs11")) as host:
            certs = certificates(host)
            check_eq(len(certs), 2, f"each certificate once: {certs}")
            check(all(x["cardType"].startswith("PKCS#11:") and ":pkcs11:" in x["certificateId"] for x in certs),
                  f"OpenSC preferred: {[(x['cardType'], x['certificateId']) for x in certs]}")
            ders = sorted(unb64(x["certificate"]) for x in certs)
            check_eq(ders, sorted([pem_der(card_dir.pair / "sign.pem"), pem_der(card_dir.pair / "auth.pem")]),
                     "the card's certificates")
            sign_cert = next(x for x in certs if unb64(x["certificate"]) == pem_der(card_dir.pair / "sign.pem"))
            # 9C is a CKA_ALWAYS_AUTHENTICATE key in OpenSC: the PIN is given again in context
            reply, ev = sign_with_pin(host, {"certificateId": sign_cert["certificateId"], "data": b64(b"opensc"),
                                             "format": "cms-detached", "includeCardSerial": True})
            check("result" in reply, f"sign through OpenSC: {reply}")
            check(ev["reader"].startswith(env.reader_name(0)), f"reader {ev['reader']}")
            c.verify_cms(card_dir, unb64(reply["result"]["pkcs7"]), content=b"opensc")
            nonce = base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
            rid = host.request("authenticate", {"nonce": nonce}, ORIGIN)
            host.wait_event("pin-required", match=lambda e: e["requestId"] == rid)
            host.call("pin", {"requestId": rid, "pin": PIN})
            token = host.wait_reply(rid)["result"]
            check_eq(unb64(token["certificate"]), pem_der(card_dir.pair / "auth.pem"), "login with the clientAuth key")
            check_eq(json.loads(c.verify_cms(card_dir, unb64(token["pkcs7"])))["nonce"], nonce, "nonce")
            check_eq(host.close(), 0, "exit status after C_Finalize")


def case_opensc_pin_blocked(c):
    card_dir = c.card_dir()
    with PcscEnv(pkcs_tool=c.args.pkcs_tool) as env:
        card = env.card(card_dir)
        with c.host(env, **opensc_config(c, card_dir, preferredDriver="pkcs11")) as host:
            cid = certificates(host)[0]["certificateId"]
            args = {"certificateId": cid, "data": b64(b"x"), "format": "raw"}
            rid = host.request("sign", args, ORIGIN)
            seen = []
            for _ in range(3):
                ev = host.wait_event("pin-required", match=lambda e: e["requestId"] == rid)
                seen.append((ev["triesLeft"], ev.get("lastError")))
                host.call("pin", {"requestId": rid, "pin": WRONG})
            # the token flags give no count until the final try (CKF_USER_PIN_FINAL_TRY)
            check_eq(seen, [(None, None), (None, "ERR_PIN_INCORRECT"), (1, "ERR_PIN_INCORRECT")], "prompts")
            reply = host.wait_reply(rid)
            check_eq(error_code(reply), "ERR_PIN_BLOCKED", "after three wrong PINs")
            check_eq(reply["error"]["triesLeft"], 0, "triesLeft")
            check("unblockHint" in reply["error"], f"unblock hint: {reply}")
            mark = card.log_position()
            check_eq(error_code(host.call("sign", args, ORIGIN)), "ERR_PIN_BLOCKED", "sign on a blocked token")
            check(not [e for e in host.events if e.get("event") == "pin-required"], "PIN asked for a blocked token")
            sent = [e for e in card.commands(0x20, since=mark) if e.get("lc", 0) > 0]
            check_eq(sent, [], "VERIFY with a PIN sent to a blocked card")


def case_opensc_card_removed(c):
    card_dir = c.card_dir()
    with PcscEnv(pkcs_tool=c.args.pkcs_tool) as env:
        card = env.card(card_dir)
        with c.host(env, **opensc_config(c, card_dir, preferredDriver="pkcs11")) as host:
            cid = certificates(host)[0]["certificateId"]
            rid = host.request("sign", {"certificateId": cid, "data": b64(b"x")}, ORIGIN)
            host.wait_event("pin-required", match=lambda e: e["requestId"] == rid)
            t0 = time.monotonic()
            card.remove(wait=False)
            reply = host.wait_reply(rid, timeout=15)
            check_eq(error_code(reply), "ERR_CARD_REMOVED", "sign after the token was pulled")
            check(time.monotonic() - t0 < 8, "token removal noticed too late")
            check_eq(error_code(host.call("list-certificates")), "ERR_NO_CARD", "list without the token")
            card.insert()
            deadline = time.monotonic() + 10
            while True:
                reply = host.call("list-certificates")
                if "result" in reply and reply["result"]["certificates"]:
                    break
                check(time.monotonic() < deadline, f"token not back: {reply}")
                time.sleep(0.3)
            reply, _ = sign_with_pin(host, {"certificateId": cid, "data": b64(b"x")})
            check("result" in reply, f"sign after re-insertion: {reply}")


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith("case_")}


def main() -> int:
    return run_cases(CASES, lambda args, name: P11Case(args, f"p11-{name}"))


if __name__ == "__main__":
    sys.exit(main())
