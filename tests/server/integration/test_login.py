#!/usr/bin/env python3
"""Certificate login through the real server over HTTPS: the successful login and every
rejection, each with its specific error code; /api/v1/verify; health, metrics, admin."""
import json
import os
import random
import time

from serverlib import (ORIGIN, Failures, Minter, Server, TestCA, account_add, b64,
                       parse_args, run, temp_dir)


def rfc3339(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def main():
    args = parse_args()
    f = Failures()
    mint = Minter(args.mint)
    now = int(time.time())
    with temp_dir(args.keep) as d:
        print("== test PKI (pkcs-tool ca)")
        ca = TestCA(args.pkcs_tool, f"{d}/ca")
        alice = ca.issue(f"{d}/alice", "Alice Chen", "A123456789")
        revoked = ca.issue(f"{d}/revoked", "Revoked Rex", "B123456780")
        expired = ca.issue(f"{d}/expired", "Expired Eve", "C223456781",
                           extra=["--not-before", str(now - 40 * 86400),
                                  "--not-after", str(now - 86400)])
        stranger = ca.issue(f"{d}/stranger", "Stranger Sam", "E123456783")
        newcomer = ca.issue(f"{d}/newcomer", "Newcomer Nina", "F223454321")
        agency = ca.issue(f"{d}/agency", "Test Agency Officer", type_="agency",
                          extra=["--oid", "2.16.886.101.20003"])
        badku = ca.issue(f"{d}/badku", "Bad Usage", "G123456785",
                         extra=["--sign-key-usage", "keyEncipherment"])
        other_ca = TestCA(args.pkcs_tool, f"{d}/other-ca")
        outsider = other_ca.issue(f"{d}/outsider", "Outsider Otto", "H123456786")
        ca.revoke(f"{revoked}/sign.pem")
        # Fresh CRLs for the root and MOICA; a stale one (nextUpdate passed) for GCA.
        ca.crl(f"{d}/root.crl", "root")
        ca.crl(f"{d}/moica.crl", "moica")
        ca.crl(f"{d}/gca.crl", "gca",
               extra=["--this-update", str(now - 7200), "--next-update", str(now - 3600)])

        db = f"{d}/accounts.db"
        srv = args.server
        account_add(srv, db, "A123456789", "Alice Chen", f"{alice}/sign.pem")
        run([srv, "account", "register-cert", "--db", db, "--id", "A123456789",
             "--cert", f"{alice}/auth.pem"])
        account_add(srv, db, "B123456780", "Revoked Rex", f"{revoked}/sign.pem")
        account_add(srv, db, "C223456781", "Expired Eve", f"{expired}/sign.pem")
        account_add(srv, db, "F223454321", "Newcomer Nina")  # no certificate yet
        account_add(srv, db, "J123456787", "Test Agency Officer", f"{agency}/sign.pem")
        account_add(srv, db, "G123456785", "Bad Usage", f"{badku}/sign.pem")

        config = {
            "origins": [ORIGIN],
            "trust": {"anchors": [ca.root], "intermediates": [ca.intermediates]},
            "crl": {"files": [f"{d}/root.crl", f"{d}/moica.crl", f"{d}/gca.crl"],
                    "fromDistributionPoints": False},
            "database": {"path": db},
            "challenges": {"lifetimeSeconds": 120},
            "http": {"maxBodyBytes": 65536},
            "tls": {"selfSignedDirectory": f"{d}/tls"},
        }
        with Server(srv, d, config, "main") as server:
            browser = server.client()

            print("== health and headers")
            r = browser.get("/api/v1/health")
            f.check(r.status == 200 and r.json["database"] == "ok", "health is ok", r.text)
            for h in ("X-Content-Type-Options", "Content-Security-Policy", "X-Frame-Options",
                      "Strict-Transport-Security", "Cache-Control"):
                f.check(r.header(h) is not None, f"security header {h}")

            print("== successful login")
            r = browser.post("/api/v1/challenge", body=b"")
            f.check(r.status == 200 and len(r.json["nonce"]) == 43 and "expiresAt" in r.json,
                    "challenge returns a 32-byte base64url nonce and expiresAt", r.text)
            pre = [c for c in r.set_cookies() if c.startswith("pkibridge_prelogin=")]
            f.check(len(pre) == 1 and all(a in pre[0] for a in ("HttpOnly", "Secure", "SameSite=Strict")),
                    "pre-login cookie is HttpOnly; Secure; SameSite=Strict", str(pre))
            nonce = r.json["nonce"]
            token = mint.token(alice, nonce)
            r = browser.login(token)
            f.check(r.status == 200 and r.json["account"]["nationalId"] == "A123456789",
                    "login with the signing certificate succeeds", r.text)
            sess = [c for c in r.set_cookies() if c.startswith("pkibridge_session=")]
            f.check(len(sess) == 1 and all(a in sess[0] for a in ("HttpOnly", "Secure", "SameSite=Strict")),
                    "session cookie is HttpOnly; Secure; SameSite=Strict", str(sess))
            f.check(len(browser.cookies.get("pkibridge_session", "")) == 43,
                    "session id is 256 random bits (43 base64url chars)")
            r = browser.get("/api/v1/session")
            f.check(r.status == 200 and r.json["account"]["name"] == "Alice Chen"
                    and r.json["session"]["method"] == "certificate"
                    and r.json["lastLogins"][0]["certificateSha256"] is not None,
                    "GET /api/v1/session shows the account and the login", r.text)

            print("== replayed nonce")
            f.expect_error(browser.login(token), 409, "nonce-replayed", "replaying a used token")

            print("== authentication certificate of the same card; previous login shown")
            old_session = browser.cookies["pkibridge_session"]
            r = browser.login(mint.token(alice, browser.challenge(), which="auth"))
            f.check(r.status == 200, "login with the authentication certificate succeeds", r.text)
            stale = server.client()
            stale.cookies["pkibridge_session"] = old_session
            f.expect_error(stale.get("/api/v1/session"), 401, "not-authenticated",
                           "a new login ends the session whose cookie the browser sent")
            r = browser.get("/api/v1/session")
            prev = r.json.get("previousCertificateLogin") if r.json else None
            f.check(r.status == 200 and prev is not None and prev["method"] == "certificate",
                    "session shows the previous certificate login", r.text)

            print("== logout")
            r = browser.post("/api/v1/logout", body=b"")
            f.check(r.status == 200, "logout", r.text)
            f.expect_error(browser.get("/api/v1/session"), 401, "not-authenticated",
                           "session after logout")

            print("== nonce rejections")
            other = server.client()
            stolen = other.challenge()
            f.expect_error(browser.login(mint.token(alice, stolen)), 403, "nonce-session-mismatch",
                           "nonce issued to another browser session")
            f.check(other.login(mint.token(alice, stolen)).status == 200,
                    "the owner can still use that nonce")
            f.expect_error(browser.login(mint.token(alice, "A" * 43)), 403, "nonce-unknown",
                           "nonce never issued")
            n = browser.challenge()
            f.expect_error(browser.login(mint.token(alice, n, issued_at=rfc3339(now - 3600))),
                           403, "issued-at-skew", "issuedAt an hour ago")
            f.expect_error(browser.login(mint.token(alice, n)), 409, "nonce-replayed",
                           "nonce consumed even though the later issuedAt check failed")

            print("== origin and content")
            f.expect_error(browser.login(mint.token(alice, browser.challenge(),
                                                    origin="https://evil.example")),
                           403, "origin-mismatch", "token for another origin")
            f.expect_error(browser.login(mint.token(alice, browser.challenge(), tamper="content")),
                           401, "content-mismatch", "signed content altered after signing")
            f.expect_error(browser.login(mint.token(alice, browser.challenge(), tamper="signature")),
                           401, "signature-invalid", "signature value altered")
            f.expect_error(browser.login(mint.token(alice, browser.challenge(),
                                                    token_cert=f"{stranger}/sign.pem")),
                           401, "certificate-mismatch", "token certificate is not the CMS signer")

            print("== certificate rejections")
            f.expect_error(browser.login(mint.token(outsider, browser.challenge())), 401,
                           "untrusted", "certificate from an untrusted CA")
            f.expect_error(browser.login(mint.token(expired, browser.challenge())), 401,
                           "expired", "expired certificate")
            f.expect_error(browser.login(mint.token(revoked, browser.challenge())), 401,
                           "revoked", "revoked certificate")
            f.expect_error(browser.login(mint.token(agency, browser.challenge())), 401,
                           "crl-stale", "certificate whose issuer's CRL is past nextUpdate")
            f.expect_error(browser.login(mint.token(badku, browser.challenge())), 401,
                           "bad-key-usage", "certificate without digitalSignature/nonRepudiation")

            print("== account rejections")
            f.expect_error(browser.login(mint.token(stranger, browser.challenge())), 403,
                           "certificate-not-registered", "valid certificate, no account")
            r = browser.login(mint.token(newcomer, browser.challenge()))
            f.expect_error(r, 403, "registration-required",
                           "MOICA certificate of an account without a registered certificate")
            f.check(r.json and "messageZh" in r.json["error"], "user-facing errors carry Chinese text")

            print("== malformed input")
            f.expect_error(browser.post("/api/v1/login/certificate", "{not json"), 400,
                           "invalid-json", "body that is not JSON")
            f.expect_error(browser.post("/api/v1/login/certificate", {"tok": 1}), 400,
                           "token-malformed", "no token member")
            f.expect_error(browser.login("just a string"), 400, "token-malformed", "token not an object")
            good = mint.token(alice, "x")
            f.expect_error(browser.login(dict(good, pkcs7="%%%not-base64%%%")), 400,
                           "token-malformed", "pkcs7 not base64")
            f.expect_error(browser.login(dict(good, certificate=b64(b"\x30\x03\x02\x01\x01"))), 400,
                           "token-certificate-malformed", "certificate not DER")
            f.expect_error(browser.login(dict(good, pkcs7=b64(os.urandom(200)))), 400,
                           "cms-malformed", "pkcs7 random bytes")
            f.expect_error(browser.login(dict(good, format="pkibridge-auth:0")), 400,
                           "token-format", "unknown token format")
            f.expect_error(browser.login(mint.token(alice, browser.challenge(), raw_content="hello")),
                           400, "content-malformed", "signed content not JSON")
            f.expect_error(browser.login(mint.token(alice, browser.challenge(),
                                                    content_format="other:1")),
                           400, "content-format", "signed content of another format")
            f.expect_error(browser.post("/api/v1/login/certificate", "token=1",
                                        content_type="application/x-www-form-urlencoded"),
                           415, "unsupported-media-type", "form-encoded body")
            f.expect_error(browser.post("/api/v1/login/certificate",
                                        {"token": "x" * 100000}), 413, "body-too-large",
                           "oversized body")
            f.expect_error(browser.get("/api/v1/nope"), 404, "not-found", "unknown path")
            f.expect_error(browser.get("/api/v1/login/certificate"), 405, "method-not-allowed",
                           "GET on a POST endpoint")
            f.expect_error(browser.post("/api/v1/challenge", b"", headers={"Origin": "https://evil.example"}),
                           403, "origin-forbidden", "challenge requested from a foreign page")

            r = browser.request("OPTIONS", "/api/v1/login/certificate", body=None,
                                headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"})
            f.check(r.status == 204 and r.header("Access-Control-Allow-Origin") == ORIGIN
                    and r.header("Access-Control-Allow-Credentials") == "true",
                    "CORS preflight from the portal origin", f"{r.status} {r.headers.items_all}")
            f.expect_error(browser.request("OPTIONS", "/api/v1/login/certificate", body=None,
                                           headers={"Origin": "https://evil.example"}),
                           403, "origin-forbidden", "CORS preflight from a foreign origin")

            print("== /api/v1/verify")
            content = f"{d}/doc.txt"
            with open(content, "w") as fh:
                fh.write("公文內容 document to sign\n")
            run([args.pkcs_tool, "sign", "--cert", f"{alice}/sign.pem", "--key",
                 f"{alice}/sign.key", "--in", content, "--out", f"{d}/att.p7s",
                 "--nonce", "00112233445566778899aabbccddeeff"])
            run([args.pkcs_tool, "sign", "--cert", f"{alice}/sign.pem", "--key",
                 f"{alice}/sign.key", "--in", content, "--out", f"{d}/det.p7s", "--detached"])
            run([args.pkcs_tool, "sign", "--cert", f"{revoked}/sign.pem", "--key",
                 f"{revoked}/sign.key", "--in", content, "--out", f"{d}/rev.p7s"])
            att = open(f"{d}/att.p7s", "rb").read()
            det = open(f"{d}/det.p7s", "rb").read()
            doc = open(content, "rb").read()
            r = browser.post("/api/v1/verify", {"pkcs7": b64(att)})
            rep = r.json or {}
            f.check(r.status == 200 and rep.get("valid") is True and rep.get("reason") == "valid",
                    "attached signature verifies", r.text[:500])
            f.check(rep.get("signer", {}).get("subjectCommonName") == "Alice Chen"
                    and len(rep.get("path", {}).get("chain", [])) == 3,
                    "report names the signer and the chain", r.text[:500])
            f.check(rep.get("revocation", {}).get("status") == "good"
                    and rep["revocation"]["crls"] and rep["revocation"]["crls"][0]["source"].endswith("moica.crl"),
                    "report gives the revocation status and the CRL source", json.dumps(rep.get("revocation")))
            attrs = rep.get("signedAttributes", {})
            f.check(attrs.get("nonce") == "00112233445566778899aabbccddeeff" and "signingTime" in attrs,
                    "report lists signed attributes (nonce, signingTime)", json.dumps(attrs))
            r = browser.post("/api/v1/verify", {"pkcs7": b64(det), "content": b64(doc)})
            f.check(r.status == 200 and r.json.get("valid") is True, "detached signature with content verifies", r.text[:300])
            r = browser.post("/api/v1/verify", {"pkcs7": b64(det), "content": b64(doc + b"x")})
            f.check(r.status == 200 and r.json.get("valid") is False
                    and r.json.get("reason") == "content-mismatch", "detached signature over other content", r.text[:300])
            r = browser.post("/api/v1/verify", {"pkcs7": b64(det)})
            f.check(r.status == 200 and r.json.get("reason") == "content-missing",
                    "detached signature without content", r.text[:300])
            r = browser.post("/api/v1/verify", {"pkcs7": b64(open(f"{d}/rev.p7s", "rb").read())})
            f.check(r.status == 200 and r.json.get("valid") is False and r.json.get("reason") == "revoked",
                    "signature by a revoked certificate", r.text[:300])
            f.expect_error(browser.post("/api/v1/verify", {"pkcs7": b64(b"garbage")}), 400,
                           "cms-malformed", "verify: garbage CMS")
            f.expect_error(browser.post("/api/v1/verify", {"pkcs7": "@@@"}), 400,
                           "invalid-base64", "verify: not base64")
            f.expect_error(browser.post("/api/v1/verify", {}), 400, "invalid-request",
                           "verify: no pkcs7")

            print("== admin and metrics")
            r = browser.get("/api/v1/admin/crls")
            crls = (r.json or {}).get("crls", [])
            f.check(r.status == 200 and len(crls) == 3 and all("nextUpdate" in c and "entries" in c
                                                                  and "source" in c and "lastFetch" in c for c in crls),
                    "admin CRL status lists every CRL (loopback client)", r.text[:300])
            f.check(any(c["stale"] for c in crls) and any(c["entries"] == 1 for c in crls),
                    "admin CRL status shows the stale CRL and the revocation", r.text[:500])
            r = browser.post("/api/v1/admin/crls/refresh", body=b"")
            f.check(r.status == 200, "admin CRL refresh", r.text[:200])
            r = browser.get("/metrics")
            text = r.text
            f.check(r.status == 200 and 'pkibridge_logins_total{method="certificate",result="ok"}' in text
                    and 'result="nonce-replayed"' in text and "pkibridge_crl_age_seconds" in text
                    and "pkibridge_http_requests_total" in text and 'pkibridge_verifications_total' in text,
                    "metrics expose logins, verifications, requests and CRL ages", text[:300])

            print("== robustness: random requests never crash the server")
            rnd = random.Random(1234)
            paths = ["/api/v1/login/certificate", "/api/v1/verify", "/api/v1/challenge",
                     "/api/v1/logout", "/api/v1/session"]
            bad = 0
            for i in range(150):
                body = bytes(rnd.getrandbits(8) for _ in range(rnd.randint(0, 3000)))
                if i % 3 == 0:
                    body = json.dumps({"token": {"format": "pkibridge-auth:1",
                                                 "certificate": b64(body), "pkcs7": b64(body[::-1])}}).encode()
                if i % 5 == 0:
                    body = json.dumps({"pkcs7": b64(att[: rnd.randint(0, len(att))])}).encode()
                r = browser.post(rnd.choice(paths), body)
                if r.status >= 500 or r.json is None or "error" not in r.json and r.status != 200:
                    bad += 1
            f.check(bad == 0, "150 random bodies: only JSON 4xx/200 answers", f"{bad} bad")
            f.check(browser.get("/api/v1/health").status == 200, "server still healthy")

        print("== expired nonce (second server process on the same database, 1 s challenges)")
        short = dict(config, challenges={"lifetimeSeconds": 1})
        with Server(srv, d, short, "short") as server:
            b = server.client()
            n = b.challenge()
            time.sleep(2.2)
            f.expect_error(b.login(mint.token(alice, n)), 403, "nonce-expired", "nonce past its lifetime")
            f.check(b.login(mint.token(alice, b.challenge())).status == 200,
                    "a fresh nonce still works on the second server")

        print("== plain HTTP only on loopback")
        res = __import__("subprocess").run([srv, "--listen", "0.0.0.0:0", "--insecure-http",
                                            "--db", f"{d}/x.db"], capture_output=True, text=True, timeout=20)
        f.check(res.returncode == 2 and "loopback" in res.stderr,
                "--insecure-http refused on 0.0.0.0", res.stderr)
        with Server(srv, d, dict(config, listen="127.0.0.1:0"), "plain", insecure=True) as server:
            b = server.client()
            r = b.post("/api/v1/challenge", body=b"")
            cookie = r.header("Set-Cookie") or ""
            f.check(r.status == 200 and "Secure" not in cookie and "HttpOnly" in cookie,
                    "loopback --insecure-http serves plain HTTP; cookies drop only Secure", cookie)
            f.check(b.login(mint.token(alice, b.challenge())).status == 200,
                    "login over loopback plain HTTP")
    f.finish()


if __name__ == "__main__":
    main()
