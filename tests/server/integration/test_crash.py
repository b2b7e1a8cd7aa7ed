#!/usr/bin/env python3
"""kill -9 during a burst of logins and account creations: afterwards the database passes
PRAGMA integrity_check, the server restarts on it, and every account whose creation was
acknowledged (HTTP 201) exists, as does every acknowledged login."""
import sqlite3
import threading

from serverlib import (ORIGIN, Failures, Minter, Server, TestCA, account_add, parse_args,
                       temp_dir, wait_until)


def main():
    args = parse_args()
    f = Failures()
    mint = Minter(args.mint)
    with temp_dir(args.keep) as d:
        ca = TestCA(args.pkcs_tool, f"{d}/ca")
        ca.crl(f"{d}/crls.pem")
        db = f"{d}/crash.db"
        user = ca.issue(f"{d}/u", "Crash User", "A100000001")
        account_add(args.server, db, "A100000001", "Crash User", f"{user}/sign.pem")
        config = {
            "origins": [ORIGIN],
            "trust": {"anchors": [ca.root], "intermediates": [ca.intermediates]},
            "crl": {"files": [f"{d}/crls.pem"], "fromDistributionPoints": False},
            "database": {"path": db},
            "tls": {"selfSignedDirectory": f"{d}/tls"},
        }
        # Tokens are minted before the burst so the burst is all server work.
        server = Server(args.server, d, config, "victim").start()
        acked_accounts = []
        acked_logins = [0]
        lock = threading.Lock()
        stop = threading.Event()

        def adder(prefix):
            c = server.client()
            i = 0
            while not stop.is_set():
                nid = f"{prefix}{i:09d}"
                try:
                    r = c.post("/api/v1/admin/accounts", {"nationalId": nid, "name": f"acct {nid}"})
                except Exception:
                    return  # the server died mid-request: not acknowledged
                if r.status == 201:
                    with lock:
                        acked_accounts.append(nid)
                i += 1

        def login_loop():
            c = server.client()
            while not stop.is_set():
                try:
                    nonce = c.challenge()
                    token = mint.token(user, nonce)
                    r = c.login(token)
                except Exception:
                    return
                if r.status == 200:
                    with lock:
                        acked_logins[0] += 1

        threads = [threading.Thread(target=adder, args=(p,)) for p in "BCDE"]
        threads += [threading.Thread(target=login_loop) for _ in range(3)]
        for t in threads:
            t.start()
        # Kill while the burst is in full swing (whatever the machine's speed).
        wait_until(lambda: len(acked_accounts) >= 50 and acked_logins[0] >= 5, timeout=60)
        threading.Event().wait(0.3)
        server.kill9()
        stop.set()
        for t in threads:
            t.join(timeout=30)
        print(f"acknowledged before kill -9: {len(acked_accounts)} accounts, {acked_logins[0]} logins")
        f.check(len(acked_accounts) >= 50 and acked_logins[0] >= 5,
                "the burst was under way when the server was killed",
                f"{len(acked_accounts)} accounts, {acked_logins[0]} logins")

        con = sqlite3.connect(db)
        f.check(con.execute("PRAGMA integrity_check").fetchone()[0] == "ok",
                "PRAGMA integrity_check after kill -9: ok")
        present = {row[0] for row in con.execute("SELECT national_id FROM accounts")}
        missing = [n for n in acked_accounts if n not in present]
        f.check(not missing, "every acknowledged account exists", f"missing {missing[:5]}")
        logins = con.execute("SELECT COUNT(*) FROM login_history").fetchone()[0]
        f.check(logins >= acked_logins[0], "every acknowledged login is recorded",
                f"{logins} < {acked_logins[0]}")
        con.close()

        with Server(args.server, d, config, "restarted") as again:
            c = again.client()
            r = c.get("/api/v1/health")
            f.check(r.status == 200 and r.json["database"] == "ok", "server restarts on the database")
            r = c.get("/api/v1/admin/accounts?limit=1")
            f.check(r.status == 200 and r.json["total"] >= len(acked_accounts) + 1,
                    "restarted server sees the accounts", r.text[:200])
            r = c.login(mint.token(user, c.challenge()))
            f.check(r.status == 200, "login works after the restart", r.text[:200])
    f.finish()


if __name__ == "__main__":
    main()
