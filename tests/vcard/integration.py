#!/usr/bin/env python3
"""Integration tests of the virtual PIV card: a private pcscd + vpcd, `pkcs-tool vcard
serve`, and independent clients (yubico-piv-tool, OpenSC's pkcs11-tool, openssl) that know
nothing about our code. One case per run:

    integration.py --pkcs-tool build/bin/pkcs-tool CASE
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.environ.get("PKIBRIDGE_TEST_SUPPORT")
                or str(Path(__file__).resolve().parent.parent / "support"))
from pcsc_env import PcscEnv, make_card  # noqa: E402

OPENSC = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"
MGMT_KEY = "010203040506070801020304050607080102030405060708"
PIN = "123456"
PUK = "12345678"


class Failure(AssertionError):
    pass


def check(condition, message, detail=""):
    if not condition:
        raise Failure(f"{message}\n{detail}" if detail else message)


def sh(*argv, env=None, ok=True, input=None, timeout=60):
    r = subprocess.run([str(a) for a in argv], env=env, capture_output=True, text=True,
                       input=input, timeout=timeout)
    if ok and r.returncode != 0:
        raise Failure(f"{' '.join(map(str, argv))} exited {r.returncode}\n{r.stdout}\n{r.stderr}")
    return r


def fingerprint(pem: Path) -> str:
    out = sh("openssl", "x509", "-in", pem, "-noout", "-fingerprint", "-sha256").stdout
    return out.split("=", 1)[1].strip().replace(":", "").lower()


def pubkey(pem: Path, tmp: Path) -> Path:
    out = tmp / (pem.stem + ".pub.pem")
    sh("openssl", "x509", "-in", pem, "-noout", "-pubkey", "-out", out)
    return out


class Context:
    def __init__(self, pkcs_tool: str, tmp: Path):
        self.pkcs_tool = pkcs_tool
        self.tmp = tmp

    def card_dir(self, key="ec-p256", name="card"):
        return make_card(self.pkcs_tool, self.tmp / name, key=key, pin=PIN, puk=PUK)

    def info(self, card_dir):
        return card_dir.info(self.pkcs_tool)

    def ykpiv(self, env, *args, ok=True, input=None):
        return sh("yubico-piv-tool", "-r", env.reader_name(0), *args, env=env.environ(), ok=ok,
                  input=input)

    def pkcs11(self, env, *args, ok=True):
        return sh("pkcs11-tool", "--module", OPENSC, *args, env=env.environ(), ok=ok)


def pin_tries(status_output: str) -> int:
    m = re.search(r"PIN tries left:\s*(\d+)", status_output)
    check(m is not None, "no PIN tries in yubico-piv-tool status", status_output)
    return int(m.group(1))


# --- cases ---------------------------------------------------------------------------------

def case_support_selftest(ctx: Context):
    """tests/support/pcsc_env.py: two private pcscds at once, card isolation, stop/start."""
    support = Path(sys.modules["pcsc_env"].__file__)
    r = sh(sys.executable, support, "selftest", "--pkcs-tool", ctx.pkcs_tool, timeout=60)
    print(r.stdout.strip())


def case_support_socket_activation(ctx: Context):
    """The unprivileged fallback of pcsc_env.py (socket handed over the systemd way)."""
    support = Path(sys.modules["pcsc_env"].__file__)
    env = dict(os.environ, PKIBRIDGE_PCSC_MODE="socket-activation")
    r = sh(sys.executable, support, "selftest", "--pkcs-tool", ctx.pkcs_tool, env=env,
           timeout=60)
    check("(socket-activation)" in r.stdout, "fallback mode not used", r.stdout)
    print(r.stdout.strip())


def case_yubico_status(ctx: Context):
    card = ctx.card_dir()
    info = ctx.info(card)
    with PcscEnv(pkcs_tool=ctx.pkcs_tool) as env:
        vc = env.card(card)
        out = ctx.ykpiv(env, "-a", "version", "-a", "status").stdout
        print(out)
        check("Version:\t5.2.7" in out, "version missing", out)
        check(f"Serial Number:\t{info['serial']}" in out, "GET SERIAL value missing", out)
        guid = info["cardSerial"].lower()
        check(re.search(r"CHUID:\t\S*3410" + guid, out) is not None, "CHUID lacks the GUID", out)
        check("CCC:\tf015a000000116ff02" in out, "CCC missing", out)
        for slot, name, algo in (("9a", "auth", "ECCP256"), ("9c", "sign", "ECCP256")):
            block = out.split(f"Slot {slot}:", 1)
            check(len(block) == 2, f"slot {slot} missing", out)
            check(f"Algorithm:\t{algo}" in block[1][:200], f"slot {slot} algorithm", out)
            fp = fingerprint(card.pair / f"{name}.pem")
            check(f"Fingerprint:\t{fp}" in block[1], f"slot {slot} certificate fingerprint", out)
        check("Slot 9d" not in out and "Slot 9e" not in out, "empty slots listed", out)
        check(pin_tries(out) == 3, "PIN tries not 3", out)
        check(vc.stop() == 0, "vcard serve did not exit cleanly on SIGTERM", vc.output())


def case_pkcs11_list(ctx: Context):
    card = ctx.card_dir()
    info = ctx.info(card)
    with PcscEnv(pkcs_tool=ctx.pkcs_tool) as env:
        env.card(card)
        out = ctx.pkcs11(env, "-L", "-O").stdout
        print(out)
        check("Slot 0 (0x0): Virtual PCD 00 00" in out, "reader missing", out)
        check("token manufacturer : piv_II" in out, "not seen as a PIV token", out)
        # OpenSC shows the last 8 bytes of the CHUID GUID as the token serial.
        check(f"serial num         : {info['cardSerial'][16:].lower()}" in out,
              "token serial is not the CHUID GUID", out)
        check("Certificate for PIV Authentication" in out, "9A certificate missing", out)
        check("Certificate for Digital Signature" in out, "9C certificate missing", out)
        check(out.count("Certificate Object; type = X.509 cert") == 2, "not two certificates", out)
        check(out.count("Public Key Object; EC") == 2, "not two EC public keys", out)


def sign_and_verify(ctx: Context, key: str, mechanism: str, extra=()):
    card = ctx.card_dir(key=key)
    msg = ctx.tmp / "message.txt"
    msg.write_text("pkibridge virtual card signature test\n")
    with PcscEnv(pkcs_tool=ctx.pkcs_tool) as env:
        vc = env.card(card)
        for key_id, name in (("01", "auth"), ("02", "sign")):
            mark = vc.log_position()
            sig = ctx.tmp / f"sig-{name}.bin"
            r = ctx.pkcs11(env, "--login", "--pin", PIN, "--id", key_id, "--sign", "-m", mechanism,
                           *extra, "-i", msg, "-o", sig)
            print(r.stdout.strip(), r.stderr.strip())
            v = sh("openssl", "dgst", "-sha256", "-verify", pubkey(card.pair / f"{name}.pem", ctx.tmp),
                   "-signature", sig, msg, ok=False)
            check(v.returncode == 0 and "Verified OK" in v.stdout,
                  f"{mechanism} signature with {name} key does not verify", v.stdout + v.stderr)
            # From the card's side: a PIN VERIFY and a GENERAL AUTHENTICATE on that slot.
            verifies = [e for e in vc.commands(0x20, mark) if e["lc"] == 8 and e["sw"] == 0x9000]
            check(verifies, "no successful VERIFY seen by the card", str(vc.apdu_log(mark)))
            slot = 0x9A if name == "auth" else 0x9C
            ga = [e for e in vc.commands(0x87, mark) if e["p2"] == slot and e["cla"] == 0]
            check(bool(ga) and (ga[-1]["sw"] == 0x9000 or (ga[-1]["sw"] & 0xFF00) == 0x6100),
                  "no GENERAL AUTHENTICATE on the slot", str(vc.apdu_log(mark)))


def case_pkcs11_sign_rsa(ctx: Context):
    sign_and_verify(ctx, "rsa-2048", "SHA256-RSA-PKCS")


def case_pkcs11_sign_ec(ctx: Context):
    sign_and_verify(ctx, "ec-p256", "ECDSA-SHA256", ("--signature-format", "openssl"))


def case_wrong_pin(ctx: Context):
    card = ctx.card_dir()
    with PcscEnv(pkcs_tool=ctx.pkcs_tool) as env:
        vc = env.card(card)
        r = ctx.ykpiv(env, "-P", "000000", "-a", "verify-pin", ok=False)
        check(r.returncode != 0, "wrong PIN accepted", r.stdout + r.stderr)
        check("2 tries left" in r.stdout + r.stderr, "tries left not reported", r.stdout + r.stderr)
        check(pin_tries(ctx.ykpiv(env, "-a", "status").stdout) == 2, "tries not 2 after one wrong PIN")
        # OpenSC counts down the same counter.
        r = ctx.pkcs11(env, "--login", "--pin", "111111", "--id", "02", "--sign", "-m", "ECDSA-SHA256",
                       "-i", "/dev/null", ok=False)
        check(r.returncode != 0 and "CKR_PIN_INCORRECT" in r.stderr, "OpenSC accepted a wrong PIN",
              r.stdout + r.stderr)
        check(pin_tries(ctx.ykpiv(env, "-a", "status").stdout) == 1, "tries not 1")
        # The correct PIN resets the counter.
        ctx.ykpiv(env, "-P", PIN, "-a", "verify-pin")
        check(pin_tries(ctx.ykpiv(env, "-a", "status").stdout) == 3, "correct PIN did not reset")
        # Three wrong PINs block it, as on GPKI cards; then even the right PIN fails.
        for left in (2, 1, 0):
            ctx.ykpiv(env, "-P", "999999", "-a", "verify-pin", ok=False)
        out = ctx.ykpiv(env, "-a", "status").stdout
        check(pin_tries(out) == 0, "PIN not blocked after three wrong tries", out)
        r = ctx.ykpiv(env, "-P", PIN, "-a", "verify-pin", ok=False)
        check(r.returncode != 0, "blocked PIN still verifies", r.stdout + r.stderr)
        verifies = [e["sw"] for e in vc.commands(0x20) if e["lc"] == 8]
        check(verifies[-5:] == [0x9000, 0x63C2, 0x63C1, 0x63C0, 0x6983],
              "card-side status words of the VERIFYs", str([hex(s) for s in verifies]))
        # The PUK unblocks (RESET RETRY COUNTER) and sets a new PIN.
        ctx.ykpiv(env, "-P", PUK, "-N", "654321", "-a", "unblock-pin")
        ctx.ykpiv(env, "-P", "654321", "-a", "verify-pin")
        check(pin_tries(ctx.ykpiv(env, "-a", "status").stdout) == 3, "not 3 tries after unblock")
        check(vc.commands(0x2C)[-1]["sw"] == 0x9000, "RESET RETRY COUNTER not seen")


def case_persistence(ctx: Context):
    card = ctx.card_dir()
    before = ctx.info(card)
    with PcscEnv(pkcs_tool=ctx.pkcs_tool) as env:
        vc = env.card(card)
        ctx.ykpiv(env, "-P", "000000", "-a", "verify-pin", ok=False)
        # A data object written through the card (a new CHUID) must survive too.
        ctx.ykpiv(env, "-a", "set-chuid")
        chuid = re.search(r"CHUID:\t(\S+)", ctx.ykpiv(env, "-a", "status").stdout).group(1)
        check(vc.stop() == 0, "vcard serve did not stop cleanly", vc.output())
        after_stop = ctx.info(card)
        check(after_stop["pinTriesLeft"] == 2, "retry counter not saved", str(after_stop))
        vc.restart()
        out = ctx.ykpiv(env, "-a", "status").stdout
        check(pin_tries(out) == 2, "PIN tries lost across restart", out)
        check(f"CHUID:\t{chuid}" in out, "CHUID written by yubico-piv-tool lost", out)
        check(before["cardSerial"] != ctx.info(card)["cardSerial"], "set-chuid kept the GUID")
        fp = fingerprint(card.pair / "sign.pem")
        check(f"Fingerprint:\t{fp}" in out, "certificate lost across restart", out)
        ctx.ykpiv(env, "-P", PIN, "-a", "verify-pin")
    for f in ["card.json"] + [p.name for p in card.path.glob("key-*.pem")]:
        mode = (card.path / f).stat().st_mode & 0o777
        check(mode == 0o600, f"{f} has mode {oct(mode)}")


def case_import_key(ctx: Context):
    card = ctx.card_dir()
    msg = ctx.tmp / "challenge.txt"
    msg.write_text("import test\n")
    with PcscEnv(pkcs_tool=ctx.pkcs_tool) as env:
        vc = env.card(card)
        for slot, newkey in (("9d", ["-newkey", "rsa:2048"]),
                             ("9e", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"])):
            key = ctx.tmp / f"{slot}.key"
            cert = ctx.tmp / f"{slot}.pem"
            sh("openssl", "req", "-x509", *newkey, "-nodes", "-keyout", key, "-out", cert,
               "-subj", f"/CN=Imported {slot}", "-days", "30")
            mark = vc.log_position()
            # 9d: yubico-piv-tool's built-in default management key; 9e: given explicitly.
            mgmt = [] if slot == "9d" else [f"--key={MGMT_KEY}"]
            ctx.ykpiv(env, *mgmt, "-a", "import-key", "-s", slot, "-i", key)
            ctx.ykpiv(env, *mgmt, "-a", "import-certificate", "-s", slot, "-i", cert)
            check(any(e["sw"] == 0x9000 for e in vc.commands(0xFE, mark)), "no IMPORT KEY seen")
            check(any(e["sw"] == 0x9000 for e in vc.commands(0xDB, mark)), "no PUT DATA seen")
            out = ctx.ykpiv(env, "-a", "status").stdout
            check(f"Slot {slot}:" in out and f"Fingerprint:\t{fingerprint(cert)}" in out,
                  f"slot {slot} not listed with the imported certificate", out)
            r = ctx.ykpiv(env, "-P", PIN, "-a", "verify-pin", "-a", "test-signature", "-s", slot,
                          input=cert.read_text())
            print(r.stdout.strip(), r.stderr.strip())
            check("Successful" in r.stdout + r.stderr, f"test-signature with {slot} failed",
                  r.stdout + r.stderr)
        # A wrong management key is refused and changes nothing.
        r = ctx.ykpiv(env, "--key=" + "11" * 24, "-a", "import-certificate", "-s", "82",
                      "-i", ctx.tmp / "9d.pem", ok=False)
        check(r.returncode != 0, "wrong management key accepted", r.stdout + r.stderr)
        # OpenSC sees the key-management certificate too and decrypts with the new key (it
        # offers 9D for decryption only, as PIV intends).
        out = ctx.pkcs11(env, "-O").stdout
        check("Certificate for Key Management" in out, "OpenSC does not list 9D", out)
        enc = ctx.tmp / "enc-9d.bin"
        dec = ctx.tmp / "dec-9d.bin"
        sh("openssl", "pkeyutl", "-encrypt", "-pubin", "-inkey", pubkey(ctx.tmp / "9d.pem", ctx.tmp),
           "-in", msg, "-out", enc)
        ctx.pkcs11(env, "--login", "--pin", PIN, "--id", "03", "--decrypt", "-m", "RSA-PKCS",
                   "-i", enc, "-o", dec)
        check(dec.read_bytes() == msg.read_bytes(), "decryption with the imported 9D key")


def case_compressed_certificate(ctx: Context):
    """A certificate stored gzip-compressed by a client (OpenSC's piv-tool -Z) is kept as it
    is and served back; OpenSC decompresses it."""
    card = ctx.card_dir()
    cert = ctx.tmp / "c.pem"
    der = ctx.tmp / "c.der"
    sh("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
       "-keyout", ctx.tmp / "c.key", "-out", cert, "-subj", "/CN=Compressed Cert", "-days", "30")
    sh("openssl", "x509", "-in", cert, "-outform", "DER", "-out", der)
    sh("gzip", "-k", der)
    keyfile = ctx.tmp / "admin.key"
    keyfile.write_text(":".join(MGMT_KEY[i:i + 2] for i in range(0, 48, 2)) + "\n")
    with PcscEnv(pkcs_tool=ctx.pkcs_tool) as env:
        vc = env.card(card)
        mark = vc.log_position()
        e = env.environ()
        e["PIV_EXT_AUTH_KEY"] = str(keyfile)
        # piv-tool's exit status is not meaningful here; the card's log and OpenSC are.
        sh("piv-tool", "-A", "M:9B:03", "-Z", "9E", "-i", f"{der}.gz", env=e, ok=False)
        puts = vc.commands(0xDB, mark)
        check(puts and puts[-1]["sw"] == 0x9000, "PUT DATA of the compressed certificate",
              str(vc.apdu_log(mark)))
        out = ctx.pkcs11(env, "-O").stdout
        check("subject:    DN: CN=Compressed Cert" in out, "OpenSC cannot read it back", out)
    info = ctx.info(card)
    slot = [s for s in info["slots"] if s["slot"] == "9e"]
    check(slot and slot[0]["certificate"] == {"compressed": True}, "not stored compressed",
          str(info["slots"]))


def case_remove_insert(ctx: Context):
    card = ctx.card_dir()
    with PcscEnv(pkcs_tool=ctx.pkcs_tool) as env:
        vc = env.card(card)
        pid = vc.pid
        vc.remove()
        out = ctx.pkcs11(env, "-L").stdout
        check("Slot 0 (0x0): Virtual PCD 00 00\n  (empty)" in out, "card still seen after removal",
              out)
        r = ctx.ykpiv(env, "-a", "status", ok=False)
        check(r.returncode != 0, "yubico-piv-tool found a removed card", r.stdout + r.stderr)
        vc.insert()
        check(vc.pid == pid, "card process was replaced")
        check(pin_tries(ctx.ykpiv(env, "-a", "status").stdout) == 3, "card unusable after insert")
        events = [e["event"] for e in vc.apdu_log() if e["kind"] == "EVENT"]
        check("removed" in events and events.count("connected") >= 2, "events not logged",
              str(events))
        # Removal forgets the PIN verification (it is a reset).
        ctx.ykpiv(env, "-P", PIN, "-a", "verify-pin")
        vc.remove()
        vc.insert()
        mark = vc.log_position()
        ctx.ykpiv(env, "-a", "status")
        queries = [e["sw"] for e in vc.commands(0x20, mark) if e["lc"] == 0]
        check(queries and queries[-1] == 0x63C3, "PIN still verified after reinsertion",
              str(queries))


def case_pcscd_restart(ctx: Context):
    card = ctx.card_dir()
    with PcscEnv(pkcs_tool=ctx.pkcs_tool) as env:
        vc = env.card(card)
        pid = vc.pid
        env.stop_pcscd()
        r = ctx.ykpiv(env, "-a", "status", ok=False)
        check(r.returncode != 0, "status worked without pcscd", r.stdout + r.stderr)
        time.sleep(0.3)
        check(vc.pid == pid, "vcard serve died when pcscd stopped", vc.output())
        t0 = time.monotonic()
        env.start_pcscd()
        vc.wait_present()
        print(f"card back {time.monotonic() - t0:.2f}s after pcscd restart")
        check(pin_tries(ctx.ykpiv(env, "-a", "status").stdout) == 3, "card unusable after restart")
        check(vc.pid == pid, "vcard serve was replaced")


def case_apdu_log(ctx: Context):
    card = ctx.card_dir()
    with PcscEnv(pkcs_tool=ctx.pkcs_tool) as env:
        vc = env.card(card)
        ctx.pkcs11(env, "-L", "-O")
        check(not [e for e in vc.commands(0x20) if e["lc"] > 0],
              "a PIN was sent although no login was asked for", str(vc.commands(0x20)))
        ctx.pkcs11(env, "--login", "--pin", PIN, "-O")
        check([e for e in vc.commands(0x20) if e["lc"] == 8], "login did not send VERIFY")
        text = vc.log_path.read_text()
        check("3132333435" not in text.lower() and PIN not in text, "PIN value in the APDU log")
        check(all(re.match(r"^\S+Z (APDU CLA=|EVENT )", line) for line in text.splitlines()),
              "unexpected log line format", text[:500])
        check((vc.log_path.stat().st_mode & 0o777) == 0o600, "APDU log not private")


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith("case_")}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pkcs-tool", required=True)
    parser.add_argument("case", choices=sorted(CASES))
    args = parser.parse_args()
    for tool in ("pcscd", "yubico-piv-tool", "pkcs11-tool", "openssl"):
        if not shutil.which(tool) and not os.path.exists(f"/usr/sbin/{tool}"):
            print(f"missing {tool}", file=sys.stderr)
            return 1
    tmp = Path(tempfile.mkdtemp(prefix=f"vcard-it-{args.case}-"))
    t0 = time.monotonic()
    try:
        CASES[args.case](Context(os.path.abspath(args.pkcs_tool), tmp))
    except Failure as e:
        print(f"FAIL {args.case}: {e}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"PASS {args.case} ({time.monotonic() - t0:.1f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
