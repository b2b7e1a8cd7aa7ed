#!/usr/bin/env python3
"""Integration test of `pkcs-tool ca ...` and `pkcs-tool inspect`, checked with the
openssl command line as an independent verifier.

Usage: cert_ca_integration.py PKCS_TOOL
"""
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time

TOOL = sys.argv[1]
FAILURES = []


def run(args, expect=0, stdin=None):
    proc = subprocess.run(args, capture_output=True, text=True, input=stdin, timeout=120)
    if expect is not None and proc.returncode != expect:
        raise AssertionError(
            f"{' '.join(args)}: exit {proc.returncode}, expected {expect}\n"
            f"stdout: {proc.stdout}\nstderr: {proc.stderr}")
    return proc


def tool(*args, expect=0, json_out=False):
    argv = [TOOL] + (["--json"] if json_out else []) + list(args)
    proc = run(argv, expect=expect)
    return json.loads(proc.stdout) if json_out and expect == 0 else proc


def check(cond, message):
    if not cond:
        FAILURES.append(message)
        print("FAIL:", message)
    else:
        print("ok:", message)


def openssl(*args, expect=None):
    return run(["openssl"] + list(args), expect=expect)


def gpki_extension_strings(cert_pem):
    """OIDs and strings inside the subjectDirectoryAttributes extension, via asn1parse."""
    parsed = openssl("asn1parse", "-in", cert_pem, expect=0).stdout.splitlines()
    for i, line in enumerate(parsed):
        if "Subject Directory Attributes" in line:
            offset = re.match(r"\s*(\d+):", parsed[i + 1]).group(1)
            inner = openssl("asn1parse", "-in", cert_pem, "-strparse", offset, expect=0).stdout
            return inner
    return ""


def main():
    work = tempfile.mkdtemp(prefix="pkibridge-cert-it-")
    try:
        ca = os.path.join(work, "ca")
        summary = tool("ca", "init", ca, "--key", "ec-p256", "--crl-base-url",
                       "http://127.0.0.1:18089/crl", json_out=True)
        check([c["name"] for c in summary["cas"]] == ["root", "moica", "moeaca", "xca", "gca"],
              "init lists the five CAs")
        check(all("(測試 TEST)" in c["subject"] for c in summary["cas"]),
              "every CA name is marked as a test")
        for name in ["root", "moica", "moeaca", "xca", "gca"]:
            mode = stat.S_IMODE(os.stat(os.path.join(ca, name + ".key")).st_mode)
            check(mode == 0o600, f"{name}.key is 0600")
        root = os.path.join(ca, "root.pem")
        check(openssl("verify", "-CAfile", root, "-untrusted", os.path.join(ca, "intermediates.pem"),
                      os.path.join(ca, "moica.pem")).returncode == 0,
              "openssl verifies the MOICA test CA against the root")
        tool("ca", "init", ca, expect=2)

        holders = {
            "person": ["--id", "A123456789"],
            "company": ["--ubn", "12345678"],
            "org": ["--oid", "2.16.886.101.90028"],
            "agency": ["--oid", "2.16.886.101.20003.20065"],
        }
        expected_gpki = {
            "person": {"idLast4": "6789"},
            "company": {"businessNumber": "12345678"},
            "org": {"organisationOid": "2.16.886.101.90028"},
            "agency": {"organisationOid": "2.16.886.101.20003.20065"},
        }
        expected_kind = {"person": "MOICA", "company": "MOEACA", "org": "XCA", "agency": "GCA"}
        out = {}
        for kind, extra in holders.items():
            out[kind] = os.path.join(work, kind)
            issued = tool("ca", "issue", ca, "--type", kind, "--name", f"測試{kind}王",
                          *extra, "--out", out[kind], json_out=True)
            check(issued["sign"]["gpki"] == expected_gpki[kind], f"{kind}: issue JSON has GPKI")
            for f in ["sign.pem", "sign.key", "auth.pem", "auth.key", "chain.pem"]:
                check(os.path.exists(os.path.join(out[kind], f)), f"{kind}: wrote {f}")
            for usage in ["sign", "auth"]:
                pem = os.path.join(out[kind], usage + ".pem")
                v = openssl("verify", "-CAfile", root, "-untrusted",
                            os.path.join(out[kind], "chain.pem"), pem)
                check(v.returncode == 0 and "OK" in v.stdout, f"{kind}/{usage}: openssl verify OK")
                info = json.loads(tool("inspect", pem).stdout)
                check(info["type"] == "certificate", f"{kind}/{usage}: inspect type")
                check(info["gpki"] == expected_gpki[kind], f"{kind}/{usage}: inspect GPKI round trip")
                check(info["caKind"] == expected_kind[kind], f"{kind}/{usage}: caKind")
                check(info["subjectCommonName"] == f"測試{kind}王", f"{kind}/{usage}: Chinese CN intact")
                check(info["crlDistributionPoints"] ==
                      [f"http://127.0.0.1:18089/crl/{issued['issuer']}.crl"],
                      f"{kind}/{usage}: CRL distribution point")
            sign = json.loads(tool("inspect", os.path.join(out[kind], "sign.pem")).stdout)
            auth = json.loads(tool("inspect", os.path.join(out[kind], "auth.pem")).stdout)
            check(sign["keyUsage"] == ["digitalSignature", "nonRepudiation"], f"{kind}: sign key usage")
            check(auth["keyUsage"] == ["digitalSignature", "keyEncipherment"], f"{kind}: auth key usage")
            check(auth["extendedKeyUsage"] == ["clientAuth"], f"{kind}: auth EKU")

        person_sign = os.path.join(out["person"], "sign.pem")
        person_auth = os.path.join(out["person"], "auth.pem")
        person_chain = os.path.join(out["person"], "chain.pem")
        text = openssl("x509", "-in", person_sign, "-noout", "-text", expect=0).stdout
        check("Subject Directory Attributes" in text, "openssl x509 -text shows the GPKI extension")
        inner = gpki_extension_strings(person_sign)
        check("2.16.886.1.100.2.51" in inner and "PRINTABLESTRING   :6789" in inner,
              "asn1parse finds OID .51 with PrintableString 6789")
        inner = gpki_extension_strings(os.path.join(out["company"], "sign.pem"))
        check("2.16.886.1.100.2.101" in inner and ":12345678" in inner,
              "asn1parse finds OID .101 with the business number")
        inner = gpki_extension_strings(os.path.join(out["agency"], "auth.pem"))
        check("2.16.886.1.100.2.102" in inner and "OBJECT" in inner and
              "2.16.886.101.20003.20065" in inner, "asn1parse finds OID .102 as an OBJECT IDENTIFIER")
        check("Digital Signature, Non Repudiation" in text and "critical" in text,
              "openssl shows the critical signing key usage")

        # Revocation and CRLs, checked by openssl verify -crl_check.
        rev = tool("ca", "revoke", ca, person_sign, "--reason", "keyCompromise", json_out=True)
        check(rev["reason"] == "keyCompromise", "revoke reports the reason")
        crl = os.path.join(work, "crl.pem")
        crls = tool("ca", "crl", ca, "--out", crl, json_out=True)
        check(len(crls["crls"]) == 5, "default CRL bundle has one CRL per CA")
        moica_crl = [c for c in crls["crls"] if "MOICA" in c["issuer"]][0]
        check(moica_crl["entries"] == 1 and moica_crl["number"] == "1", "MOICA CRL #1 has one entry")
        v = openssl("verify", "-crl_check", "-CAfile", root, "-untrusted", person_chain,
                    "-CRLfile", crl, person_sign)
        check(v.returncode != 0 and "certificate revoked" in (v.stdout + v.stderr),
              "openssl verify -crl_check rejects the revoked signing certificate")
        v = openssl("verify", "-crl_check_all", "-CAfile", root, "-untrusted", person_chain,
                    "-CRLfile", crl, person_auth)
        check(v.returncode == 0, "openssl verify -crl_check_all accepts the unrevoked auth certificate")
        crl_info = json.loads(tool("inspect", crl).stdout)
        check(crl_info["type"] == "crls" and len(crl_info["crls"]) == 5, "inspect reads the CRL bundle")

        der_crl = os.path.join(work, "moica.crl")
        single = tool("ca", "crl", ca, "--issuer", "moica", "--der", "--out", der_crl, json_out=True)
        check(single["crls"][0]["number"] == "2", "CRL number increments")
        c = openssl("crl", "-inform", "DER", "-in", der_crl, "-CAfile", os.path.join(ca, "moica.pem"),
                    "-noout")
        check(c.returncode == 0 and "verify OK" in (c.stdout + c.stderr), "openssl verifies the DER CRL")
        info = json.loads(tool("inspect", der_crl).stdout)
        check(info["type"] == "crl" and info["number"] == "2" and info["entries"] == 1 and
              info["revoked"][0]["reason"] == "keyCompromise", "inspect describes the DER CRL")
        wrong = openssl("crl", "-inform", "DER", "-in", der_crl, "-CAfile",
                        os.path.join(ca, "gca.pem"), "-noout")
        check("verify OK" not in (wrong.stdout + wrong.stderr), "the CRL does not verify with GCA")

        big = os.path.join(work, "big.crl")
        tool("ca", "crl", ca, "--issuer", "moica", "--der", "--extra-revoked", "2000", "--out", big)
        text = openssl("crl", "-inform", "DER", "-in", big, "-noout", "-text", expect=0).stdout
        check(text.count("Serial Number:") == 2001, "padded CRL holds 2000 + 1 entries for openssl")
        c = openssl("crl", "-inform", "DER", "-in", big, "-CAfile", os.path.join(ca, "moica.pem"),
                    "-noout")
        check("verify OK" in (c.stdout + c.stderr), "openssl verifies the padded CRL signature")

        stale = os.path.join(work, "stale.pem")
        now = int(time.time())
        tool("ca", "crl", ca, "--out", stale, "--this-update", str(now - 10 * 86400),
             "--next-update", str(now - 86400))
        v = openssl("verify", "-crl_check", "-CAfile", root, "-untrusted", person_chain,
                    "-CRLfile", stale, person_auth)
        check(v.returncode != 0 and "CRL has expired" in (v.stdout + v.stderr),
              "openssl rejects a stale CRL")

        # Escape hatches for negative tests.
        odd = os.path.join(work, "odd")
        tool("ca", "issue", ca, "--type", "person", "--name", "Wrong Usage", "--id", "B123456789",
             "--sign-key-usage", "keyEncipherment", "--out", odd)
        info = json.loads(tool("inspect", os.path.join(odd, "sign.pem")).stdout)
        check(info["keyUsage"] == ["keyEncipherment"], "--sign-key-usage replaces the key usage")
        expired = os.path.join(work, "expired")
        tool("ca", "issue", ca, "--type", "person", "--name", "Old", "--id", "C123456789",
             "--not-before", str(now - 30 * 86400), "--not-after", "2001-01-01T00:00:00Z",
             "--out", expired, expect=2)
        tool("ca", "issue", ca, "--type", "person", "--name", "Old", "--id", "C123456789",
             "--not-before", str(now - 30 * 86400), "--not-after", str(now - 86400), "--out", expired)
        v = openssl("verify", "-CAfile", root, "-untrusted", os.path.join(expired, "chain.pem"),
                    os.path.join(expired, "sign.pem"))
        check(v.returncode != 0 and "certificate has expired" in (v.stdout + v.stderr),
              "--not-after in the past makes an expired certificate")

        # RSA hierarchy (the default key type) also verifies.
        rsa_ca = os.path.join(work, "rsa-ca")
        tool("ca", "init", rsa_ca)
        rsa_out = os.path.join(work, "rsa-holder")
        tool("ca", "issue", rsa_ca, "--type", "company", "--name", "測試股份有限公司",
             "--ubn", "87654321", "--key", "rsa-2048", "--out", rsa_out)
        v = openssl("verify", "-CAfile", os.path.join(rsa_ca, "root.pem"), "-untrusted",
                    os.path.join(rsa_out, "chain.pem"), os.path.join(rsa_out, "sign.pem"))
        check(v.returncode == 0, "RSA hierarchy: openssl verify OK")
        info = json.loads(tool("inspect", os.path.join(rsa_out, "sign.pem")).stdout)
        check(info["keyType"] == "RSA" and info["keyBits"] == 2048, "RSA holder key reported")

        # CMS input to inspect (the description itself belongs to describe_cms).
        content = os.path.join(work, "content.txt")
        with open(content, "w") as f:
            f.write("hello")
        sig = os.path.join(work, "sig.p7s")
        openssl("cms", "-sign", "-in", content, "-signer", person_auth, "-inkey",
                os.path.join(out["person"], "auth.key"), "-outform", "DER", "-out", sig, "-nodetach",
                expect=0)
        info = json.loads(tool("inspect", sig).stdout)
        check(info["type"].startswith("cms") and info["signers"], "inspect recognises a DER CMS message")

        # Bad input: exit 2 with a specific message.
        def bad(args, needle, label):
            p = tool(*args, expect=None)
            check(p.returncode == 2 and needle in p.stderr, f"{label}: exit 2 ('{needle}')")
            if p.returncode != 2 or needle not in p.stderr:
                print("   got", p.returncode, p.stderr.strip())

        bad(["ca", "issue", ca, "--type", "person", "--name", "x", "--id", "1234", "--out", odd],
            "uppercase letter and 9 digits", "bad national ID")
        bad(["ca", "issue", ca, "--type", "company", "--name", "x", "--ubn", "12AB5678", "--out", odd],
            "exactly 8 digits", "bad UBN")
        bad(["ca", "issue", ca, "--type", "org", "--name", "x", "--oid", "2..16", "--out", odd],
            "invalid OID", "bad OID")
        bad(["ca", "issue", ca, "--type", "person", "--name", "x", "--out", odd],
            "--id is required", "missing --id")
        bad(["ca", "issue", ca, "--type", "robot", "--name", "x", "--out", odd], "robot",
            "unknown --type")
        bad(["ca", "issue", os.path.join(work, "nowhere"), "--type", "person", "--name", "x",
             "--id", "A123456789", "--out", odd], "no test CA", "missing CA directory")
        bad(["ca", "issue", ca, "--type", "person", "--name", "x", "--id", "A123456789",
             "--sign-key-usage", "flying", "--out", odd], "unknown key usage", "bad key usage")
        bad(["ca", "crl", ca, "--der", "--out", os.path.join(work, "x.crl")], "single --issuer",
            "--der with all CAs")
        bad(["ca", "revoke", ca, content], "certificate", "revoke a non-certificate")
        bad(["ca", "revoke", ca, person_auth, "--reason", "stolen"], "unknown revocation reason",
            "bad reason")
        garbage = os.path.join(work, "garbage.bin")
        with open(garbage, "wb") as f:
            f.write(os.urandom(300))
        bad(["inspect", garbage], "not a certificate, CRL or CMS", "inspect garbage")
        with open(person_sign) as f:
            pem = f.read()
        truncated = os.path.join(work, "truncated.pem")
        with open(truncated, "w") as f:
            f.write(pem[: len(pem) // 2])
        bad(["inspect", truncated], "truncated", "inspect truncated PEM")
        trunc_der = os.path.join(work, "truncated.der")
        subprocess.run(["openssl", "x509", "-in", person_sign, "-outform", "DER", "-out",
                        trunc_der], check=True)
        with open(trunc_der, "rb") as f:
            data = f.read()
        with open(trunc_der, "wb") as f:
            f.write(data[: len(data) - 40])
        bad(["inspect", trunc_der], "truncated", "inspect truncated DER")
        bad(["inspect", os.path.join(work, "missing.pem")], "cannot open", "inspect missing file")

        for sub in [["ca"], ["ca", "init"], ["ca", "issue"], ["ca", "revoke"], ["ca", "crl"],
                    ["inspect"]]:
            p = tool(*sub, "--help", expect=None)
            check(p.returncode == 0 and "Usage" in p.stdout, f"{' '.join(sub)} --help")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
