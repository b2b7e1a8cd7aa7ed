#!/usr/bin/env python3
"""CRL refresh from an HTTP distribution point: the CA's certificates point at a CRL served
by a local HTTP server; after a revocation and a new CRL there, the next login of that
certificate fails — with no restart and no manual refresh (the background schedule does it).
A broken CRL at the distribution point keeps the last good one in use."""
import os
import time

from serverlib import (ORIGIN, CrlHttpServer, Failures, Minter, Server, TestCA, account_add,
                       parse_args, temp_dir, wait_until)


def moica_status(client):
    r = client.get("/api/v1/admin/crls")
    for c in (r.json or {}).get("crls", []):
        if "MOICA" in c["issuer"]:
            return c
    return None


def source_status(client, suffix):
    r = client.get("/api/v1/admin/crls")
    for s in (r.json or {}).get("sources", []):
        if s["source"].endswith(suffix):
            return s
    return None


def main():
    args = parse_args()
    f = Failures()
    mint = Minter(args.mint)
    with temp_dir(args.keep) as d:
        www = f"{d}/www"
        os.makedirs(f"{www}/crl")
        with CrlHttpServer(www) as http:
            base = f"http://127.0.0.1:{http.port}/crl"
            ca = TestCA(args.pkcs_tool, f"{d}/ca", crl_base_url=base)
            alice = ca.issue(f"{d}/alice", "Alice Chen", "A123456789")
            ca.crl(f"{www}/crl/root.crl", "root", der=True)
            ca.crl(f"{www}/crl/moica.crl", "moica", der=True)
            db = f"{d}/accounts.db"
            account_add(args.server, db, "A123456789", "Alice Chen", f"{alice}/sign.pem")
            config = {
                "origins": [ORIGIN],
                "trust": {"anchors": [ca.root], "intermediates": [ca.intermediates]},
                "crl": {"fromDistributionPoints": True, "refreshIntervalSeconds": 1,
                        "retrySeconds": 1, "fetchTimeoutSeconds": 5},
                "database": {"path": db},
                "tls": {"selfSignedDirectory": f"{d}/tls"},
            }
            with Server(args.server, d, config, "crl") as server:
                pid = server.proc.pid
                b = server.client()
                r = b.login(mint.token(alice, b.challenge()))
                f.check(r.status == 200, "login before the revocation", r.text)
                src = source_status(b, "/crl/moica.crl")
                f.check(src is not None and src["kind"] == "distribution-point"
                        and src["lastError"] is None,
                        "the MOICA CRL was fetched from the certificate's distribution point", str(src))
                root_src = source_status(b, "/crl/root.crl")
                f.check(root_src is not None and root_src["lastSuccess"] is not None,
                        "the root CRL was fetched from the CA certificate's distribution point",
                        str(root_src))
                before = moica_status(b)
                f.check(before is not None and before["entries"] == 0, "MOICA CRL has no entries yet",
                        str(before))

                print("== revoke, publish a new CRL, wait for the background refresh")
                ca.revoke(f"{alice}/sign.pem")
                ca.crl(f"{www}/crl/moica.crl", "moica", der=True)
                after = wait_until(lambda: (moica_status(b) or {}).get("entries") == 1
                                   and moica_status(b), timeout=15)
                f.check(bool(after) and after["number"] != before["number"],
                        "the new CRL was picked up without a restart or refresh call", str(after))
                f.expect_error(b.login(mint.token(alice, b.challenge())), 401, "revoked",
                               "the next login of the revoked certificate")
                f.check(server.proc.poll() is None and server.proc.pid == pid,
                        "same server process throughout")

                print("== a broken CRL at the distribution point keeps the last good one")
                with open(f"{www}/crl/moica.crl.tmp", "wb") as fh:
                    fh.write(b"this is not a CRL")
                os.replace(f"{www}/crl/moica.crl.tmp", f"{www}/crl/moica.crl")
                broken = wait_until(lambda: (source_status(b, "/crl/moica.crl") or {}).get("lastError"),
                                    timeout=15)
                f.check(bool(broken), "the failed fetch is reported on the admin endpoint", str(broken))
                f.expect_error(b.login(mint.token(alice, b.challenge())), 401, "revoked",
                               "the last good CRL still decides")
                r = b.get("/metrics")
                f.check('pkibridge_crl_source_up{source="' + base + '/moica.crl"} 0' in r.text,
                        "metrics show the failing source", "")
    f.finish()


if __name__ == "__main__":
    main()
