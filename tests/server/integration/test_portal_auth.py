#!/usr/bin/env python3
"""Portal logins through the real server over HTTPS (docs/portal-api.md "Login"): the
first login with the initial password and its day, the password rules, lockout and its
expiry on the test clock, CAPTCHA single use, rate limits, activation by certificate
registration, the one-day password e-mailed to a real SMTP sink, the authenticator (TOTP)
with versioned secrets, and logout everywhere. Accounts are created through the
administration API by a super administrator who signs in with a certificate."""
import base64
import datetime
import hashlib
import hmac
import re
import struct
import time

import portal_env
from portal_env import PortalServer, SmtpSink, captcha, initial_password, password_login
from serverlib import Failures, Minter, TestCA, account_add, parse_args, temp_dir

LETTERS = {c: v for c, v in zip("ABCDEFGHJKLMNPQRSTUVXYWZIO", range(10, 36))}


def national_id(letter, eight):
    """A valid Taiwanese ID: the letter, eight digits and the check digit."""
    code = LETTERS[letter]
    s = code // 10 + (code % 10) * 9 + sum(int(d) * (8 - i) for i, d in enumerate(eight))
    return f"{letter}{eight}{(10 - s % 10) % 10}"


def totp(secret_b32, at):
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    mac = hmac.new(key, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    off = mac[-1] & 15
    return "%06d" % ((struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 1000000)


def rfc3339(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def err(r):
    return r.json["error"] if isinstance(r.json, dict) and "error" in r.json else {}


def main():
    args = parse_args()
    f = Failures()
    mint = Minter(args.mint)
    with temp_dir(args.keep) as d, SmtpSink() as smtp:
        ca = TestCA(args.pkcs_tool, f"{d}/ca")
        admin_id = national_id("A", "12345678")
        lin_id = national_id("B", "21234567")     # activation, TOTP, one-day password
        chen_id = national_id("C", "12345670")    # password rules, the next day
        wu_id = national_id("D", "22345671")      # lockout
        ghost_id = national_id("E", "12345672")   # no account (rate limit)
        admin_cred = ca.issue(f"{d}/admin", "Admin Wang", admin_id)
        lin_cred = ca.issue(f"{d}/lin", "Lin Mei", lin_id)
        other_cred = ca.issue(f"{d}/other", "Other Person", national_id("F", "12345673"))
        regadm_id = national_id("H", "12345674")
        regadm_cred = ca.issue(f"{d}/regadm", "Registrar Hsu", regadm_id)
        ca.crl(f"{d}/root.crl", "root", extra=["--days", "30"])
        ca.crl(f"{d}/moica.crl", "moica", extra=["--days", "30"])
        config = {
            "trust": {"anchors": [ca.root], "intermediates": [ca.intermediates]},
            "crl": {"files": [f"{d}/root.crl", f"{d}/moica.crl"],
                    "fromDistributionPoints": False},
            "tls": {"selfSignedDirectory": f"{d}/tls"},
            "portal": {"rateLimit": {"perIpPerMinute": 1000, "perAccountPerMinute": 20},
                       "totpIssuer": "pkibridge-test"},
        }
        srv = PortalServer(args, d, smtp=smtp, config=config)
        account_add(args.server, srv.db, admin_id, "Admin Wang", f"{admin_cred}/sign.pem",
                    extra=["--status", "active", "--role", "super-admin",
                           "--birth-date", "1970-01-02", "--email", "admin@portal.test"])
        # A registration administrator of another agency (outside Lin's scope).
        account_add(args.server, srv.db, regadm_id, "Registrar Hsu", f"{regadm_cred}/sign.pem",
                    extra=["--status", "active", "--role", "registration-admin",
                           "--agency-oid", "2.16.886.101.99999", "--birth-date", "1975-03-04"])
        # Day D: the next Taipei day at 10:00 (the clock only moves forward).
        day_d = datetime.datetime.fromtimestamp(time.time() + 86400, portal_env.TAIPEI)
        srv.clock.set_taipei(day_d.year, day_d.month, day_d.day, 10, 0)
        with srv:
            def cert_login(client, cred):
                token = mint.token(cred, client.challenge(), issued_at=rfc3339(srv.clock.now()))
                return client.login(token)

            admin = srv.client()
            r = cert_login(admin, admin_cred)
            f.check(r.status == 200, "the super administrator signs in with a certificate", r.text)

            def create(nid, name, birth, email):
                r = admin.post("/api/v1/portal/admin/accounts/create",
                               {"nationalId": nid, "name": name, "birthDate": birth,
                                "agency": "Test Agency", "agencyOid": "2.16.886.101.20003",
                                "email": email})
                f.check(r.status == 201 and r.json["initialPasswordValidOn"] == srv.clock.taipei_day(),
                        f"administrator creates {name}; initial password valid today", r.text)
                return r.json["account"]["id"] if r.status == 201 else None

            lin = create(lin_id, "Lin Mei", "1985-06-12", "lin@portal.test")
            create(chen_id, "Chen Wei", "1990-12-01", "chen@portal.test")
            create(wu_id, "Wu Fang", "1979-02-28", "wu@portal.test")
            lin_initial = initial_password(lin_id, "1985-06-12")
            f.check(lin_initial == "MmDd0612" + lin_id[-4:], "initial password rule (MmDd+MMDD+last4)")

            print("== CAPTCHA")
            c = srv.client()
            r = c.get("/api/v1/portal/captcha")
            png = base64.b64decode(r.json["image"].split(",", 1)[1]) if r.status == 200 else b""
            f.check(r.status == 200 and r.json["image"].startswith("data:image/png;base64,")
                    and png[:8] == b"\x89PNG\r\n\x1a\n" and r.json["expiresInSeconds"] == 300,
                    "GET /captcha returns a PNG image, an id and its lifetime", r.text[:200])
            cid, answer = captcha(c)
            body = {"mode": "initial", "nationalId": chen_id, "password": "wrong-password",
                    "captchaId": cid, "captchaAnswer": "XXXXX" if answer != "XXXXX" else "YYYYY"}
            f.expect_error(c.post("/api/v1/portal/login/password", body), 400, "captcha-invalid",
                           "wrong CAPTCHA answer")
            body["captchaAnswer"] = answer
            f.expect_error(c.post("/api/v1/portal/login/password", body), 400, "captcha-invalid",
                           "the right answer after a wrong one (single use)")
            cid, answer = captcha(c)
            body.update(captchaId=cid, captchaAnswer=answer.lower(),
                        password=initial_password(chen_id, "1990-12-01"))
            r = c.post("/api/v1/portal/login/password", body)
            f.check(r.status == 200, "right CAPTCHA (any case) + initial password signs in", r.text)
            f.expect_error(c.post("/api/v1/portal/login/password", body), 400, "captcha-invalid",
                           "reusing a CAPTCHA that was accepted")

            cid, answer = captcha(c)
            srv.clock.advance(301)
            body.update(captchaId=cid, captchaAnswer=answer)
            f.expect_error(c.post("/api/v1/portal/login/password", body), 400, "captcha-invalid",
                           "a CAPTCHA older than its 300-second lifetime")

            print("== first login, activation-only session, password rules")
            u = srv.client()
            r = password_login(u, lin_id, lin_initial)
            f.check(r.status == 200 and r.json["next"] == "change-password"
                    and r.json["activationOnly"] is True and "sessionExpiresAt" in r.json,
                    "initial password on the creation day: activation-only session", r.text)
            f.check(any(cookie.startswith("pkibridge_session=") and "HttpOnly" in cookie
                        for cookie in r.set_cookies()), "session cookie set")
            f.expect_error(u.get("/api/v1/portal/totp"), 403, "activation-required",
                           "activation-only session cannot use the authenticator page")
            f.expect_error(u.post("/api/v1/portal/certificate/register", {"token": {}}), 403,
                           "password-change-required", "certificate registration before the change")
            change = lambda client, cur, new: client.post(  # noqa: E731
                "/api/v1/portal/password", {"currentPassword": cur, "newPassword": new})
            f.expect_error(change(u, "not-my-password", "Abcdefgh123!"), 401, "password-incorrect",
                           "wrong current password")
            for new, code, what in [
                    ("Ab1!cd2@", "password-too-short", "8 characters"),
                    ("Abcdefgh12!", "password-too-short", "11 characters"),
                    ("1234567890123!", "password-needs-letter", "no letter"),
                    ("Abcdefghijkl!", "password-needs-digit", "no digit"),
                    ("Abcdefghijk12", "password-needs-special", "no special character"),
                    (lin_id.lower(), "password-equals-id", "the ID number (other case)"),
                    (lin_id + "!x", "password-equals-id", "containing the ID number")]:
                r = change(u, lin_initial, new)
                f.expect_error(r, 400, code, f"new password refused: {what}")
                f.check(bool(err(r).get("messageZh")), f"{code} has a Chinese message")
            lin_p1 = "Lin-first-pass-01"
            r = change(u, lin_initial, lin_p1)
            f.check(r.status == 204, "a password meeting every rule is accepted", r.text)

            print("== certificate registration and activation")
            token = mint.token(other_cred, u.challenge(), issued_at=rfc3339(srv.clock.now()))
            f.expect_error(u.post("/api/v1/portal/certificate/register", {"token": token}), 403,
                           "certificate-holder-mismatch", "someone else's citizen certificate")
            token = mint.token(lin_cred, u.challenge(), issued_at=rfc3339(srv.clock.now()))
            r = u.post("/api/v1/portal/certificate/register", {"token": token})
            f.check(r.status == 200 and r.json["account"]["status"] == "active"
                    and r.json["activated"] is True and len(r.json["certificate"]["sha256"]) == 64,
                    "own certificate registered; the account is active", r.text)
            token = mint.token(lin_cred, u.challenge(), issued_at=rfc3339(srv.clock.now()))
            f.expect_error(u.post("/api/v1/portal/certificate/register", {"token": token}), 409,
                           "certificate-already-registered", "registering the same certificate again")
            r = admin.get(f"/api/v1/portal/admin/audit?accountId={lin}")
            actions = [e["action"] for e in r.json.get("entries", [])] if r.status == 200 else []
            f.check("certificate.register" in actions and "account.password-change" in actions,
                    "audit rows for the password change and the certificate registration", r.text[:300])
            lin_browser = srv.client()
            r = cert_login(lin_browser, lin_cred)
            f.check(r.status == 200 and r.json["account"]["nationalId"] == lin_id,
                    "certificate login works after activation", r.text)
            f.expect_error(password_login(srv.client(), lin_id, lin_p1), 403,
                           "password-login-not-allowed", "first-login form on an activated account")

            print("== lockout")
            w = srv.client()
            wu_initial = initial_password(wu_id, "1979-02-28")
            for left in (2, 1):
                r = password_login(w, wu_id, "Wrong-password-1")
                f.check(r.status == 401 and err(r).get("code") == "credentials-invalid"
                        and err(r).get("attemptsLeft") == left,
                        f"wrong password: credentials-invalid, {left} attempt(s) left", r.text)
            r = password_login(w, wu_id, "Wrong-password-1")
            locked_until = err(r).get("lockedUntil", "")
            f.expect_error(r, 403, "account-locked", "third wrong password locks the account")
            expect = rfc3339(srv.clock.now() + 1800)
            f.check(abs(datetime.datetime.fromisoformat(locked_until.replace("Z", "+00:00")).timestamp()
                        - srv.clock.now() - 1800) < 30 if locked_until else False,
                    f"lockedUntil is 30 minutes later ({locked_until} ~ {expect})")
            f.check(err(r).get("lockedUntilLocal", "x") in err(r).get("messageZh", "")
                    and err(r).get("lockedUntilLocal", "x") in err(r).get("message", ""),
                    "the unlock time is in the Chinese and the English message", r.text)
            f.expect_error(password_login(w, wu_id, wu_initial), 403, "account-locked",
                           "the right password is refused while locked")
            r = admin.get("/api/v1/portal/admin/audit?accountId=%d" %
                          r_id(admin, wu_id))
            rows = [e for e in r.json.get("entries", []) if e["action"] == "account.lockout"] \
                if r.status == 200 else []
            f.check(len(rows) == 1 and rows[0]["after"]["lockedUntil"] == locked_until,
                    "audit row account.lockout with the unlock time", r.text[:300])
            srv.clock.advance(29 * 60)
            f.expect_error(password_login(w, wu_id, wu_initial), 403, "account-locked",
                           "still locked after 29 minutes")
            srv.clock.advance(2 * 60)
            r = password_login(w, wu_id, wu_initial)
            f.check(r.status == 200, "lock expired after 30 minutes: the password works", r.text)

            print("== unknown IDs and rate limits")
            g = srv.client()
            r = password_login(g, ghost_id, "Whatever-pass-1")
            f.check(r.status == 401 and err(r).get("code") == "credentials-invalid"
                    and err(r).get("attemptsLeft") == 2,
                    "unknown ID: same credentials-invalid answer as a wrong password", r.text)
            statuses = []
            for _ in range(25):
                r = password_login(g, ghost_id, "Whatever-pass-1")
                statuses.append(r.status)
                if r.status == 429:
                    break
            f.check(statuses[:2] == [401, 403], "unknown IDs lock like real ones", str(statuses))
            f.expect_error(r, 429, "rate-limited", "per-ID limit (20 a minute)")
            f.check(len(statuses) == 20 and isinstance(err(r).get("retryAfterSeconds"), int)
                    and r.header("Retry-After") == str(err(r)["retryAfterSeconds"]),
                    "the 21st attempt is refused with retryAfterSeconds and Retry-After",
                    f"{len(statuses)} {r.text}")

            print("== authenticator (TOTP)")
            r = lin_browser.get("/api/v1/portal/totp")
            f.check(r.status == 200 and r.json["enrolled"] is False, "not enrolled at first", r.text)
            r = lin_browser.post("/api/v1/portal/totp", {})
            v1 = r.json if r.status == 200 else {}
            f.check(r.status == 200 and v1["version"] == 1
                    and v1["otpauthUri"].startswith("otpauth://totp/pkibridge-test:")
                    and f"secret={v1['secretBase32']}" in v1["otpauthUri"]
                    and "issuer=pkibridge-test" in v1["otpauthUri"]
                    and v1["qrSvg"].startswith("<svg"), "POST /totp builds version 1", r.text[:300])
            t = srv.client()
            code1 = totp(v1.get("secretBase32", "AAAA"), srv.clock.now())
            r = password_login(t, lin_id, lin_p1, mode="totp", totpCode=code1)
            f.check(r.status == 200 and r.json["next"] == "home" and r.json["activationOnly"] is False,
                    "ID + password + TOTP code signs in", r.text)
            f.expect_error(password_login(srv.client(), lin_id, lin_p1, mode="totp", totpCode=code1),
                           401, "totp-invalid", "the same code again (replay)")
            r = t.post("/api/v1/portal/totp", {})
            v2 = r.json if r.status == 200 else {}
            f.check(r.status == 200 and v2["version"] == 2 and v2["secretBase32"] != v1["secretBase32"],
                    "rebuilding makes version 2 with a new secret", r.text[:200])
            r = t.get("/api/v1/portal/totp")
            f.check(r.status == 200 and r.json["version"] == 2, "GET /totp shows version 2", r.text)
            old = totp(v1.get("secretBase32", "AAAA"), srv.clock.now())
            f.expect_error(password_login(srv.client(), lin_id, lin_p1, mode="totp", totpCode=old),
                           401, "totp-invalid", "a code of the old version 1")
            r = password_login(srv.client(), lin_id, lin_p1, mode="totp",
                               totpCode=totp(v2.get("secretBase32", "AAAA"), srv.clock.now()))
            f.check(r.status == 200, "a code of version 2 works", r.text)
            f.expect_error(password_login(srv.client(), lin_id, "Wrong-pass-word-9", mode="totp",
                                          totpCode="123456"), 401, "credentials-invalid",
                           "TOTP mode still checks the password")

            print("== one-day password")
            o = srv.client()
            f.expect_error(password_login(o, lin_id, lin_p1, mode="one-day", checkCode="12345678"),
                           401, "one-day-password-not-enabled", "one-day login before enabling")
            f.expect_error(admin.post("/api/v1/portal/admin/accounts/one-day-password",
                                      {"id": lin, "reason": "  "}), 400, "reason-required",
                           "enabling needs a reason")
            reg = srv.client()
            f.check(cert_login(reg, regadm_cred).status == 200,
                    "a registration administrator of another agency signs in")
            f.expect_error(reg.post("/api/v1/portal/admin/accounts/one-day-password",
                                    {"id": lin, "reason": "not mine"}), 403, "out-of-scope",
                           "one-day password for an account outside the administrator's scope")
            f.expect_error(lin_browser.post("/api/v1/portal/admin/accounts/one-day-password",
                                            {"id": lin, "reason": "myself"}), 403, "role-required",
                           "a user cannot enable a one-day password")
            r = admin.post("/api/v1/portal/admin/accounts/one-day-password",
                           {"id": lin, "reason": "D-06-11 approved: card left at home"})
            f.check(r.status == 200 and r.json["validOn"] == srv.clock.taipei_day(),
                    "administrator enables a one-day password for today", r.text)
            mails = smtp.wait_for("lin@portal.test")
            text = SmtpSink.text(mails[0]) if mails else ""
            m = re.search(r"\b(\d{8})\b", text)
            subject = str(mails[0]["message"]["Subject"]) if mails else ""
            f.check(len(mails) == 1 and m is not None and "一日密碼" in subject
                    and "One-day" in subject and srv.clock.taipei_day() in text
                    and mails[0]["message"]["Message-ID"] and mails[0]["message"]["Date"],
                    "the check code arrived by e-mail (zh/en subject, Date, Message-ID)",
                    subject + text[:200])
            check_code = m.group(1) if m else "00000000"
            f.check(check_code not in r.text, "the check code is not in the API answer")
            f.expect_error(password_login(o, lin_id, lin_p1, mode="one-day", checkCode="00000000"
                                          if check_code != "00000000" else "11111111"),
                           401, "check-code-invalid", "wrong e-mail check code")
            r = password_login(o, lin_id, lin_p1, mode="one-day", checkCode=check_code)
            f.check(r.status == 200 and r.json["next"] == "change-password"
                    and r.json["activationOnly"] is True,
                    "first one-day login of the day forces a password change", r.text)
            f.expect_error(o.get("/api/v1/portal/totp"), 403, "activation-required",
                           "nothing else until the password is changed")
            f.expect_error(change(o, lin_p1, lin_p1), 400, "password-reused",
                           "the current password cannot be the new one")
            lin_p2 = "Lin-second-pass-02"
            f.check(change(o, lin_p1, lin_p2).status == 204, "password changed")
            f.check(o.get("/api/v1/portal/totp").status == 200, "full session after the change")
            r = password_login(srv.client(), lin_id, lin_p2, mode="one-day", checkCode=check_code)
            f.check(r.status == 200 and r.json["next"] == "home",
                    "a later one-day login that day needs no change", r.text)
            f.expect_error(change(o, lin_p2, lin_p1), 400, "password-reused",
                           "the previous password cannot come back")
            r = admin.get(f"/api/v1/portal/admin/audit?accountId={lin}")
            rows = [e for e in r.json.get("entries", []) if e["action"] == "account.one-day-password"] \
                if r.status == 200 else []
            f.check(len(rows) == 1 and rows[0]["after"]["reason"].startswith("D-06-11")
                    and check_code not in json_text(rows[0]),
                    "audit row account.one-day-password with the reason, without the code", r.text[:300])

            print("== logout everywhere")
            a, b = srv.client(), srv.client()
            f.check(cert_login(a, lin_cred).status == 200 and cert_login(b, lin_cred).status == 200,
                    "two sessions of the same account")
            r = a.post("/api/v1/portal/logout-everywhere", {})
            f.check(r.status == 204, "logout everywhere", r.text)
            f.expect_error(b.get("/api/v1/portal/totp"), 401, "session-required",
                           "the other session ended too")
            f.expect_error(a.get("/api/v1/portal/totp"), 401, "session-required",
                           "and this one")

            print("== a password change ends the account's other sessions")
            a, b = srv.client(), srv.client()
            f.check(cert_login(a, lin_cred).status == 200 and cert_login(b, lin_cred).status == 200,
                    "two sessions again")
            lin_p3 = "Lin-third-pass-03!"
            f.check(change(a, lin_p2, lin_p3).status == 204, "password changed in session a")
            f.check(a.get("/api/v1/portal/totp").status == 200, "the changing session continues")
            f.expect_error(b.get("/api/v1/portal/totp"), 401, "session-required",
                           "the other session ended with the password change")
            lin_p2 = lin_p3  # the current password from here on

            print("== the next day")
            tomorrow = srv.clock.taipei_day(plus_days=1)
            srv.clock.set_taipei(*[int(x) for x in tomorrow.split("-")], hour=9)
            f.expect_error(password_login(srv.client(), chen_id, initial_password(chen_id, "1990-12-01")),
                           401, "initial-password-expired", "the initial password a day later")
            r = password_login(srv.client(), lin_id, lin_p2, mode="one-day", checkCode=check_code)
            f.expect_error(r, 401, "one-day-password-expired", "the one-day password a day later")
            f.check(bool(err(r).get("messageZh")), "one-day-password-expired has a Chinese message")
            admin2 = srv.client()
            f.check(cert_login(admin2, admin_cred).status == 200, "administrator signs in again")
            r = admin2.post("/api/v1/portal/admin/accounts/reopen", {"id": r_id(admin2, chen_id)})
            f.check(r.status == 200 and r.json.get("initialPasswordValidOn") == tomorrow,
                    "administrator re-opens the account for today", r.text)
            r = password_login(srv.client(), chen_id, initial_password(chen_id, "1990-12-01"))
            f.check(r.status == 200 and r.json["next"] == "change-password",
                    "the initial password works again on the re-open day", r.text)
        print("== per-IP rate limit (a second server allowing 3 attempts a minute per IP)")
        tight = PortalServer(args, d, config={"portal": {"rateLimit": {"perIpPerMinute": 3}},
                                              "tls": {"selfSignedDirectory": f"{d}/tls"}},
                             name="tight")
        with tight:
            c = tight.client()
            codes = [password_login(c, national_id("G", "1234567%d" % i), "Some-pass-word-1").status
                     for i in range(4)]
            f.check(codes == [401, 401, 401, 429], "the 4th attempt from one IP (other IDs) is 429",
                    str(codes))
    f.finish()


def json_text(value):
    import json
    return json.dumps(value, ensure_ascii=False)


def r_id(admin, nid):
    r = admin.get(f"/api/v1/portal/admin/accounts?q={nid}")
    for a in r.json.get("accounts", []) if r.status == 200 else []:
        if a["nationalId"] == nid:
            return a["id"]
    raise RuntimeError(f"no account {nid}: {r.text}")


if __name__ == "__main__":
    main()
