#!/usr/bin/env python3
"""Two server processes on one SQLite file, plus the CLI as a third writer: concurrent
certificate logins through both servers and account creation through both admin APIs and the
CLI. Afterwards PRAGMA integrity_check is ok and every count is exact."""
import concurrent.futures
import sqlite3
import subprocess
import threading

from serverlib import (ORIGIN, Failures, Minter, Server, TestCA, account_add, parse_args,
                       temp_dir)

USERS = 8
LOGINS_PER_THREAD = 12
LOGIN_THREADS = 4
API_ACCOUNTS_PER_SERVER = 60
CLI_ACCOUNTS = 15


def main():
    args = parse_args()
    f = Failures()
    mint = Minter(args.mint)
    with temp_dir(args.keep) as d:
        ca = TestCA(args.pkcs_tool, f"{d}/ca")
        ca.crl(f"{d}/crls.pem")
        db = f"{d}/shared.db"
        users = []
        for i in range(USERS):
            nid = f"A1{i:08d}"
            cred = ca.issue(f"{d}/u{i}", f"User {i}", nid)
            account_add(args.server, db, nid, f"User {i}", f"{cred}/sign.pem")
            users.append(cred)
        config = {
            "origins": [ORIGIN],
            "trust": {"anchors": [ca.root], "intermediates": [ca.intermediates]},
            "crl": {"files": [f"{d}/crls.pem"], "fromDistributionPoints": False},
            "database": {"path": db},
            "tls": {"selfSignedDirectory": f"{d}/tls"},
        }
        with Server(args.server, d, config, "a") as a, Server(args.server, d, config, "b") as b:
            servers = [a, b]
            lock = threading.Lock()
            results = {"login_ok": 0, "login_fail": [], "api_ok": 0, "api_fail": [],
                       "cli_ok": 0, "cli_fail": []}

            def logins(t):
                clients = [s.client() for s in servers]
                for i in range(LOGINS_PER_THREAD):
                    c = clients[(t + i) % 2]
                    r = c.login(mint.token(users[(t * 3 + i) % USERS], c.challenge()))
                    with lock:
                        if r.status == 200:
                            results["login_ok"] += 1
                        else:
                            results["login_fail"].append((r.status, r.text[:200]))

            def api_adds(s_index):
                c = servers[s_index].client()
                for i in range(API_ACCOUNTS_PER_SERVER):
                    nid = f"{'BC'[s_index]}2{i:08d}"
                    r = c.post("/api/v1/admin/accounts",
                               {"nationalId": nid, "name": f"API {s_index}-{i}",
                                "agencyOid": "2.16.886.101.20003", "roles": ["csm_user"]})
                    with lock:
                        if r.status == 201:
                            results["api_ok"] += 1
                        else:
                            results["api_fail"].append((r.status, r.text[:200]))

            def cli_adds():
                for i in range(CLI_ACCOUNTS):
                    res = subprocess.run([args.server, "account", "add", "--db", db, "--id",
                                          f"D1{i:08d}", "--name", f"CLI {i}"],
                                         capture_output=True, text=True)
                    with lock:
                        if res.returncode == 0:
                            results["cli_ok"] += 1
                        else:
                            results["cli_fail"].append(res.stderr)

            with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
                futures = [pool.submit(logins, t) for t in range(LOGIN_THREADS)]
                futures += [pool.submit(api_adds, 0), pool.submit(api_adds, 1), pool.submit(cli_adds)]
                for fu in futures:
                    fu.result()

            total_logins = LOGIN_THREADS * LOGINS_PER_THREAD
            f.check(results["login_ok"] == total_logins,
                    f"all {total_logins} concurrent logins through both servers succeeded",
                    str(results["login_fail"][:3]))
            f.check(results["api_ok"] == 2 * API_ACCOUNTS_PER_SERVER,
                    f"all {2 * API_ACCOUNTS_PER_SERVER} admin-API account adds succeeded",
                    str(results["api_fail"][:3]))
            f.check(results["cli_ok"] == CLI_ACCOUNTS, f"all {CLI_ACCOUNTS} CLI account adds succeeded",
                    str(results["cli_fail"][:3]))
            expected_accounts = USERS + 2 * API_ACCOUNTS_PER_SERVER + CLI_ACCOUNTS
            for s in servers:
                r = s.client().get("/api/v1/admin/accounts?limit=1")
                f.check(r.status == 200 and r.json["total"] == expected_accounts,
                        f"server {s.name} sees {expected_accounts} accounts", r.text[:200])
            # A duplicate through the other server is a clean conflict.
            r = b.client().post("/api/v1/admin/accounts", {"nationalId": "B200000000", "name": "dup"})
            f.expect_error(r, 409, "account-exists", "duplicate national ID through the other server")

        con = sqlite3.connect(db)
        f.check(con.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "PRAGMA integrity_check: ok")
        f.check(con.execute("PRAGMA foreign_key_check").fetchall() == [], "no foreign key violations")
        count = lambda sql: con.execute(sql).fetchone()[0]
        f.check(count("SELECT COUNT(*) FROM accounts") == expected_accounts,
                f"accounts table holds exactly {expected_accounts} rows")
        f.check(count("SELECT COUNT(*) FROM login_history") == total_logins,
                f"login_history holds exactly {total_logins} rows")
        # Each browser (one per login thread and server) keeps only its latest session: a
        # login replaces the session cookie the browser sent, and ends that session.
        browsers = LOGIN_THREADS * len(servers)
        f.check(count("SELECT COUNT(*) FROM sessions") == browsers,
                f"sessions holds exactly {browsers} rows (one live session per browser)")
        f.check(count("SELECT COUNT(*) FROM certificates") == USERS, "certificates unchanged")
        f.check(count("SELECT COUNT(DISTINCT national_id) FROM accounts") == expected_accounts,
                "no duplicate accounts")
        con.close()
    f.finish()


if __name__ == "__main__":
    main()
