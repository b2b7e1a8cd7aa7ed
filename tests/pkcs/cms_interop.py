#!/usr/bin/env python3
"""Integration test: pkcs-tool sign / verify / verify-cert against the real openssl CLI.

- Our CMS (attached, detached; RSA PKCS#1 v1.5, RSA-PSS, ECDSA; SHA-256/384/512; DER and PEM)
  verifies with `openssl cms -verify -cades` (which also checks signingCertificateV2).
- CMS made by `openssl cms -sign` verifies with `pkcs-tool verify`.
- Tampered content, signature, signed attribute or certificate; revoked, expired, untrusted
  and wrong-key-usage signers; stale and missing CRLs: rejected with the right reason (exit 1).
- Garbage, truncated DER and base64 input: a clear error and exit 2, never a crash.
- verify-cert: valid chain, non-self-signed anchor, alternate chain, exact notAfter, EKU,
  max depth, revoked intermediate, missing CRL.

The PKI comes from `pkcs-tool ca` (one hierarchy for the whole run); extra certificates for
the alternate-chain case are made with the openssl CLI. Usage:
    cms_interop.py --pkcs-tool BUILD/bin/pkcs-tool
"""
import argparse
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

FAILURES = []
CHECKS = 0


def run(cmd, expect=None, input_bytes=None):
    """Runs cmd; returns (rc, stdout, stderr) as text. Checks rc when expect is given."""
    proc = subprocess.run(cmd, input=input_bytes, capture_output=True, timeout=120)
    out = proc.stdout.decode("utf-8", "replace")
    err = proc.stderr.decode("utf-8", "replace")
    if expect is not None and proc.returncode != expect:
        raise RuntimeError(f"{' '.join(map(str, cmd))}: exit {proc.returncode}, expected "
                           f"{expect}\nstdout: {out}\nstderr: {err}")
    return proc.returncode, out, err


def check(name, condition, detail=""):
    global CHECKS
    CHECKS += 1
    if condition:
        print(f"ok   {name}")
    else:
        print(f"FAIL {name} {detail}")
        FAILURES.append(name)


class Env:
    def __init__(self, tool, tmp):
        self.tool = tool
        self.tmp = tmp

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    def pt(self, *args, expect=None, input_bytes=None):
        return run([self.tool, *map(str, args)], expect=expect, input_bytes=input_bytes)

    def write(self, name, data):
        p = self.path(name)
        with open(p, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
        return p

    def read(self, name):
        with open(self.path(name), "rb") as f:
            return f.read()


def expect_rejected(env, name, args, reason):
    rc, out, err = env.pt(*args)
    check(f"{name}: exit 1 with '{reason}'",
          rc == 1 and f"rejected: {reason}:" in err, f"rc={rc} stderr={err.strip()}")


def expect_input_error(env, name, args):
    rc, out, err = env.pt(*args)
    check(f"{name}: exit 2 with a message", rc == 2 and err.strip() != "" and
          "Sanitizer" not in err, f"rc={rc} stderr={err.strip()}")


def setup_pki(env):
    env.pt("ca", "init", env.path("ca"), expect=0)
    now = int(time.time())
    issue = ["ca", "issue", env.path("ca"), "--type", "person", "--id", "A123456789"]
    env.pt(*issue, "--name", "RSA Signer", "--key", "rsa-2048", "--out", env.path("rsa"),
           expect=0)
    env.pt(*issue, "--name", "EC Signer", "--key", "ec-p256", "--out", env.path("ec"), expect=0)
    env.pt(*issue, "--name", "Revoked Signer", "--out", env.path("revoked"), expect=0)
    env.pt(*issue, "--name", "Expired Signer", "--not-before", now - 1800, "--not-after",
           now - 60, "--out", env.path("expired"), expect=0)
    env.pt(*issue, "--name", "Wrong KU", "--sign-key-usage", "keyEncipherment", "--out",
           env.path("wku"), expect=0)
    env.pt("ca", "revoke", env.path("ca"), env.path("revoked", "sign.pem"), "--reason",
           "keyCompromise", expect=0)
    env.pt("ca", "crl", env.path("ca"), "--out", env.path("crl.pem"), expect=0)
    env.pt("ca", "crl", env.path("ca"), "--issuer", "root", "--out", env.path("root-crl.pem"),
           expect=0)
    env.pt("ca", "crl", env.path("ca"), "--this-update", now - 10 * 86400, "--next-update",
           now - 86400, "--out", env.path("stale-crl.pem"), expect=0)
    env.write("data.bin", "pkibridge 整合測試 content\n" * 50)


def test_our_cms_with_openssl(env):
    trust = env.path("ca", "root.pem")
    data = env.path("data.bin")
    cases = [("rsa", []), ("rsa", ["--pss"]), ("ec", [])]
    for who, extra in cases:
        for hash_name in ("sha256", "sha384", "sha512"):
            for detached in (False, True):
                label = f"{who}{'-pss' if extra else ''}-{hash_name}-{'detached' if detached else 'attached'}"
                sig = env.path(f"ours-{label}.p7s")
                args = ["sign", "--cert", env.path(who, "sign.pem"), "--key",
                        env.path(who, "sign.key"), "--chain", env.path(who, "chain.pem"),
                        "--hash", hash_name, "--in", data, "--out", sig, "--nonce", "a1b2c3",
                        "--card-serial", "TP00112233", *extra]
                if detached:
                    args.append("--detached")
                env.pt(*args, expect=0)
                out = env.path(f"ours-{label}.out")
                cmd = ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", sig,
                       "-CAfile", trust, "-purpose", "any", "-cades", "-out", out]
                if detached:
                    cmd += ["-content", data]
                rc, _, err = run(cmd)
                same = rc == 0 and open(out, "rb").read() == env.read("data.bin")
                check(f"openssl cms -verify -cades accepts our {label}", same, err.strip())
                verify = ["verify", "--trust", trust, "--crl", env.path("crl.pem"), sig]
                if detached:
                    verify[1:1] = ["--content", data]
                rc, out_text, err = env.pt(*verify)
                check(f"pkcs-tool verify accepts our {label}", rc == 0, err.strip())
    # The signature algorithm of the PSS signature as openssl prints it.
    rc, out, _ = run(["openssl", "cms", "-cmsout", "-print", "-inform", "DER", "-in",
                      env.path("ours-rsa-pss-sha384-attached.p7s")])
    check("openssl sees RSASSA-PSS with SHA-384 and MGF1",
          rc == 0 and "rsassaPss" in out and "sha384" in out and "mgf1" in out.lower(), out[-500:])
    # PEM output.
    sig = env.path("ours.pem")
    env.pt("sign", "--cert", env.path("ec", "sign.pem"), "--key", env.path("ec", "sign.key"),
           "--chain", env.path("ec", "chain.pem"), "--in", data, "--out", sig, "--pem", expect=0)
    rc, _, err = run(["openssl", "cms", "-verify", "-binary", "-inform", "PEM", "-in", sig,
                      "-CAfile", trust, "-purpose", "any", "-out", os.devnull])
    check("openssl cms -verify accepts our PEM output", rc == 0, err)
    # Precomputed digest (detached).
    digest = subprocess.run(["openssl", "dgst", "-sha256", "-r", data], capture_output=True,
                            check=True).stdout.split()[0].decode()
    sig = env.path("ours-digest.p7s")
    env.pt("sign", "--cert", env.path("ec", "sign.pem"), "--key", env.path("ec", "sign.key"),
           "--chain", env.path("ec", "chain.pem"), "--digest", digest, "--out", sig, expect=0)
    rc, _, err = run(["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", sig,
                      "-content", data, "-CAfile", trust, "-purpose", "any", "-out", os.devnull])
    check("openssl accepts a CMS signed over a precomputed digest", rc == 0, err)
    # JSON report of the signed attributes.
    rc, out, err = env.pt("verify", "--json", "--trust", trust, env.path(
        "ours-rsa-sha256-attached.p7s"))
    report = json.loads(out) if rc == 0 else {}
    attrs = report.get("signedAttributes", {})
    check("--json report carries nonce, card serial, signing time and the chain",
          rc == 0 and attrs.get("nonce") == "a1b2c3" and attrs.get("cardSerial") == "TP00112233"
          and "signingTime" in attrs and len(report["path"]["chain"]) == 3
          and report["signatureAlgorithm"] == "rsa-pkcs1", out[:400])


def test_openssl_cms_with_ours(env):
    trust = env.path("ca", "root.pem")
    data = env.path("data.bin")
    variants = [
        ("rsa-sha256-detached", "rsa", ["-md", "sha256"], True),
        ("rsa-sha512-attached", "rsa", ["-md", "sha512", "-nodetach"], False),
        ("rsa-pss-sha384", "rsa", ["-md", "sha384", "-keyopt", "rsa_padding_mode:pss",
                                   "-nodetach"], False),
        ("ec-sha384-cades", "ec", ["-md", "sha384", "-cades", "-nodetach"], False),
        ("ec-noattr", "ec", ["-md", "sha256", "-noattr", "-nodetach"], False),
    ]
    for label, who, extra, detached in variants:
        sig = env.path(f"openssl-{label}.p7s")
        run(["openssl", "cms", "-sign", "-binary", "-in", data, "-signer",
             env.path(who, "sign.pem"), "-inkey", env.path(who, "sign.key"), "-certfile",
             env.path(who, "chain.pem"), "-outform", "DER", "-out", sig, *extra], expect=0)
        args = ["verify", "--trust", trust, "--crl", env.path("crl.pem"), sig]
        if detached:
            args[1:1] = ["--content", data]
        rc, _, err = env.pt(*args)
        check(f"pkcs-tool verify accepts openssl cms -sign {label}", rc == 0, err.strip())
    # openssl's default S/MIME PEM and base64 forms too.
    sig = env.path("openssl-rsa-sha512-attached.p7s")
    env.write("b64.txt", base64.encodebytes(env.read("openssl-rsa-sha512-attached.p7s")))
    rc, _, err = env.pt("verify", "--trust", trust, env.path("b64.txt"))
    check("pkcs-tool verify reads base64 input", rc == 0, err)
    pem = env.path("openssl.pem")
    run(["openssl", "cms", "-sign", "-binary", "-in", data, "-signer", env.path("ec", "sign.pem"),
         "-inkey", env.path("ec", "sign.key"), "-outform", "PEM", "-out", pem, "-nodetach"],
        expect=0)
    rc, _, err = env.pt("verify", "--trust", trust, "--untrusted",
                        env.path("ca", "intermediates.pem"), pem)
    check("pkcs-tool verify reads PEM input with --untrusted intermediates", rc == 0, err)


def test_tampering(env):
    trust = env.path("ca", "root.pem")
    data = env.read("data.bin")
    good = env.read("ours-rsa-sha256-attached.p7s")
    detached = env.path("ours-ec-sha256-detached.p7s")

    env.write("other.bin", data + b"!")
    expect_rejected(env, "detached content changed",
                    ["verify", "--trust", trust, "--content", env.path("other.bin"), detached],
                    "content-mismatch")
    at = good.find(b"pkibridge")
    bad = bytearray(good)
    bad[at] ^= 1
    env.write("t-content.p7s", bytes(bad))
    expect_rejected(env, "embedded content changed",
                    ["verify", "--trust", trust, env.path("t-content.p7s")], "content-mismatch")
    bad = bytearray(good)
    bad[-1] ^= 1
    env.write("t-sig.p7s", bytes(bad))
    expect_rejected(env, "signature value changed",
                    ["verify", "--trust", trust, env.path("t-sig.p7s")], "signature-invalid")
    at = good.find(b"TP00112233")
    bad = bytearray(good)
    bad[at + 3] ^= 1
    env.write("t-attr.p7s", bytes(bad))
    expect_rejected(env, "signed attribute (card serial) changed",
                    ["verify", "--trust", trust, env.path("t-attr.p7s")], "signature-invalid")
    cert_der = subprocess.run(["openssl", "x509", "-in", env.path("rsa", "sign.pem"), "-outform",
                               "DER"], capture_output=True, check=True).stdout
    at = good.find(cert_der)
    bad = bytearray(good)
    bad[at + len(cert_der) - 1] ^= 1
    env.write("t-cert.p7s", bytes(bad))
    expect_rejected(env, "embedded signer certificate changed (signingCertificateV2)",
                    ["verify", "--trust", trust, env.path("t-cert.p7s")], "signer-mismatch")
    # Without signingCertificateV2 (openssl cms -sign without -cades) the path check catches it.
    plain = env.read("openssl-rsa-sha512-attached.p7s")
    at = plain.find(cert_der)
    bad = bytearray(plain)
    bad[at + len(cert_der) - 1] ^= 1
    env.write("t-cert2.p7s", bytes(bad))
    expect_rejected(env, "embedded signer certificate changed (no ESS attribute)",
                    ["verify", "--trust", trust, env.path("t-cert2.p7s")],
                    "cert-signature-invalid")


def sign_file(env, who, out):
    env.pt("sign", "--cert", env.path(who, "sign.pem"), "--key", env.path(who, "sign.key"),
           "--chain", env.path(who, "chain.pem"), "--in", env.path("data.bin"), "--out", out,
           expect=0)
    return out


def test_trust_failures(env):
    trust = env.path("ca", "root.pem")
    crl = env.path("crl.pem")
    sig = sign_file(env, "revoked", env.path("revoked.p7s"))
    rc, _, err = env.pt("verify", "--trust", trust, "--crl", crl, sig)
    check("revoked signer: exit 1 'rejected: revoked' with date and reason",
          rc == 1 and "rejected: revoked:" in err and "keyCompromise" in err
          and re.search(r"revoked on \d{4}-\d\d-\d\dT", err) is not None, err)
    rc, out, _ = env.pt("verify", "--json", "--trust", trust, "--crl", crl, sig)
    report = json.loads(out)
    check("revoked signer: JSON has the revocation details",
          rc == 1 and report["reason"] == "revoked"
          and report["path"]["revocation"]["reason"] == "keyCompromise", out[:300])
    sig = sign_file(env, "expired", env.path("expired.p7s"))
    expect_rejected(env, "expired signer", ["verify", "--trust", trust, sig], "expired")
    sig = sign_file(env, "wku", env.path("wku.p7s"))
    expect_rejected(env, "signer without digitalSignature/nonRepudiation",
                    ["verify", "--trust", trust, "--crl", crl, sig], "bad-key-usage")
    good = sign_file(env, "ec", env.path("good.p7s"))
    run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-subj", "/CN=Other Root", "-days", "30", "-keyout", env.path("other.key"),
         "-out", env.path("other-root.pem")], expect=0)
    expect_rejected(env, "signer from another hierarchy",
                    ["verify", "--trust", env.path("other-root.pem"), good], "untrusted")
    expect_rejected(env, "stale CRL",
                    ["verify", "--trust", trust, "--crl", env.path("stale-crl.pem"), good],
                    "crl-stale")
    expect_rejected(env, "missing CRL for the issuing CA",
                    ["verify", "--trust", trust, "--crl", env.path("root-crl.pem"), good],
                    "crl-missing")
    rc, _, err = env.pt("verify", "--trust", trust, "--crl", env.path("root-crl.pem"),
                        "--no-revocation", good)
    check("--no-revocation tolerates the missing CRL", rc == 0, err)
    expect_rejected(env, "revocation required without CRLs",
                    ["verify", "--trust", trust, "--require-revocation", good], "crl-missing")
    rc, _, err = env.pt("verify", "--trust", trust, "--at", int(time.time()) + 400 * 86400, good)
    check("verify --at after notAfter: expired", rc == 1 and "rejected: expired" in err, err)


def test_garbage(env):
    trust = env.path("ca", "root.pem")
    good = env.read("ours-rsa-sha256-attached.p7s")
    env.write("garbage.p7s", os.urandom(300))
    env.write("empty.p7s", b"")
    env.write("trunc.p7s", good[: len(good) // 2])
    env.write("trunc.b64", base64.b64encode(good)[:-7])
    env.write("badb64.txt", "this is not base64 at all!!")
    env.write("trunc.pem", "-----BEGIN CMS-----\n" + base64.encodebytes(good[:100]).decode())
    for name in ("garbage.p7s", "empty.p7s", "trunc.p7s", "trunc.b64", "badb64.txt",
                 "trunc.pem"):
        expect_input_error(env, f"verify {name}", ["verify", "--trust", trust, env.path(name)])
    expect_input_error(env, "verify-cert on garbage",
                       ["verify-cert", "--trust", trust, env.path("garbage.p7s")])
    expect_input_error(env, "missing signature file",
                       ["verify", "--trust", trust, env.path("does-not-exist.p7s")])
    expect_input_error(env, "detached signature without --content",
                       ["verify", "--trust", trust, env.path("ours-ec-sha256-detached.p7s")])
    expect_input_error(env, "garbage CRL",
                       ["verify", "--trust", trust, "--crl", env.path("garbage.p7s"),
                        env.path("good.p7s")])
    expect_input_error(env, "unknown option", ["verify", "--bogus", env.path("good.p7s")])
    expect_input_error(env, "sign with a wrong key",
                       ["sign", "--cert", env.path("rsa", "sign.pem"), "--key",
                        env.path("ec", "sign.key"), "--in", env.path("data.bin"), "--out",
                        env.path("x.p7s")])
    expect_input_error(env, "sign with a bad hash name",
                       ["sign", "--cert", env.path("ec", "sign.pem"), "--key",
                        env.path("ec", "sign.key"), "--hash", "md5", "--in",
                        env.path("data.bin"), "--out", env.path("x.p7s")])


def make_cert(env, name, subject, signer, signer_key, days, ca, key=None):
    """A certificate via the openssl CLI; returns (cert, key). RFC 5280 strict profile."""
    key = key or env.path(f"{name}.key")
    if not os.path.exists(key):
        run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-out", key], expect=0)
    ext = env.write(f"{name}.ext", (
        "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n" if ca else
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=clientAuth\n") +
        "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always\n")
    csr = env.path(f"{name}.csr")
    run(["openssl", "req", "-new", "-key", key, "-subj", subject, "-out", csr], expect=0)
    cert = env.path(f"{name}.pem")
    if signer is None:
        run(["openssl", "x509", "-req", "-in", csr, "-key", key, "-days", str(days),
             "-extfile", ext, "-out", cert], expect=0)
    else:
        run(["openssl", "x509", "-req", "-in", csr, "-CA", signer, "-CAkey", signer_key,
             "-CAcreateserial", "-days", str(days), "-extfile", ext, "-out", cert], expect=0)
    return cert, key


def not_after(cert):
    _, out, _ = run(["openssl", "x509", "-in", cert, "-noout", "-enddate"], expect=0)
    stamp = out.strip().split("=", 1)[1]
    return int(time.mktime(time.strptime(stamp, "%b %d %H:%M:%S %Y GMT")) - time.timezone)


def test_verify_cert(env):
    root = env.path("ca", "root.pem")
    inter = env.path("ca", "intermediates.pem")
    crl = env.path("crl.pem")
    auth = env.path("ec", "auth.pem")
    rc, out, err = env.pt("verify-cert", "--trust", root, "--untrusted", inter, "--crl", crl,
                          "--eku", "clientAuth", auth)
    check("verify-cert: valid chain with CRLs", rc == 0 and out.startswith("valid:"), err)
    rc, out, err = env.pt("verify-cert", "--trust", env.path("ca", "moica.pem"), "--crl", crl,
                          auth)
    check("verify-cert: non-self-signed anchor (MOICA only)", rc == 0, err)
    expect_rejected(env, "verify-cert: EKU mismatch",
                    ["verify-cert", "--trust", root, "--untrusted", inter, "--eku", "serverAuth",
                     auth], "bad-eku")
    expect_rejected(env, "verify-cert: max depth 0 with one intermediate",
                    ["verify-cert", "--trust", root, "--untrusted", inter, "--max-depth", "0",
                     auth], "path-too-long")
    expect_rejected(env, "verify-cert: missing CRL",
                    ["verify-cert", "--trust", root, "--untrusted", inter, "--crl",
                     env.path("root-crl.pem"), auth], "crl-missing")
    expect_rejected(env, "verify-cert: no anchor",
                    ["verify-cert", "--trust", env.path("other-root.pem"), "--untrusted", inter,
                     auth], "untrusted")

    # Exact notAfter: valid at notAfter, expired one second later.
    end = not_after(auth)
    rc, _, err = env.pt("verify-cert", "--trust", root, "--untrusted", inter, "--at", end, auth)
    check("verify-cert: valid at exactly notAfter", rc == 0, err)
    expect_rejected(env, "verify-cert: expired at notAfter + 1",
                    ["verify-cert", "--trust", root, "--untrusted", inter, "--at", end + 1, auth],
                    "expired")
    rc, out, err = run(["openssl", "verify", "-attime", str(end), "-CAfile", root, "-untrusted",
                        inter, auth])
    print(f"     (for comparison, openssl verify -attime notAfter: exit {rc}, "
          f"{(out + err).strip().splitlines()[-1] if (out + err).strip() else ''})")

    # Alternate chain: the same intermediate (name and key) certified twice by the root; the
    # short-lived certificate comes first and has expired at the validation time.
    alt_root, alt_root_key = make_cert(env, "alt-root", "/CN=Alt Root", None, None, 60, True)
    short, ikey = make_cert(env, "alt-int-short", "/CN=Alt Intermediate", alt_root,
                            alt_root_key, 2, True)
    long_, _ = make_cert(env, "alt-int-long", "/CN=Alt Intermediate", alt_root, alt_root_key,
                         40, True, key=ikey)
    leaf, _ = make_cert(env, "alt-leaf", "/CN=Alt Leaf", short, ikey, 20, False)
    with open(env.path("alt-untrusted.pem"), "w") as f:
        f.write(open(short).read() + open(long_).read())
    at = int(time.time()) + 5 * 86400
    rc, out, err = env.pt("verify-cert", "--json", "--trust", alt_root, "--untrusted",
                          env.path("alt-untrusted.pem"), "--at", at, leaf)
    report = json.loads(out) if out.strip() else {}
    chain = report.get("chain", [])
    check("verify-cert: alternate chain around the expired intermediate",
          rc == 0 and len(chain) == 3 and chain[1]["notAfterUnix"] > at, err + out[:300])
    expect_rejected(env, "verify-cert: only the expired intermediate",
                    ["verify-cert", "--trust", alt_root, "--untrusted", short, "--at", at, leaf],
                    "expired")

    # Revoked intermediate (done last: it changes the shared CA's state).
    env.pt("ca", "revoke", env.path("ca"), env.path("ca", "moica.pem"), "--reason",
           "cACompromise", expect=0)
    env.pt("ca", "crl", env.path("ca"), "--out", env.path("crl2.pem"), expect=0)
    rc, out, err = env.pt("verify-cert", "--json", "--trust", root, "--untrusted", inter,
                          "--crl", env.path("crl2.pem"), auth)
    report = json.loads(out)
    check("verify-cert: revoked intermediate",
          rc == 1 and report["reason"] == "revoked" and report.get("failingIndex") == 1
          and report["revocation"]["reason"] == "cACompromise", out[:300])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pkcs-tool", required=True)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="pkibridge-cms-interop-")
    env = Env(os.path.abspath(args.pkcs_tool), tmp)
    try:
        setup_pki(env)
        test_our_cms_with_openssl(env)
        test_openssl_cms_with_ours(env)
        test_tampering(env)
        test_trust_failures(env)
        test_garbage(env)
        test_verify_cert(env)
    except Exception as e:  # a setup step failed: report and fail
        print(f"FAIL setup/run error: {e}")
        FAILURES.append(str(e))
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"{CHECKS - len(FAILURES)}/{CHECKS} checks passed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
