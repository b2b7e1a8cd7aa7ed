#!/usr/bin/env python3
"""pkibridge-server benchmark (ctest -L benchmark). Prints, from one run:
  - certificate logins/s through HTTPS with keep-alive (C++ load client, several threads),
    with p50/p99 latency; tokens are pre-minted: the client fetches one challenge per
    login (each with its own pre-login cookie) and signs all of them before the clock
    starts, so the figure is the server's login path (TLS, JSON, CMS signature check,
    cached path validation, SQLite write of the login and the session);
  - /api/v1/verify requests/s with p50/p99 (full verification report, cached path);
  - `openssl speed rsa2048` verify/s on one core, measured in the same run, for scale;
  - the login rate again while a 1,000,000-entry CRL is being re-parsed and swapped in;
  - the server's resident memory (RSS now and peak).
All keys are RSA-2048; the MOICA CRL in force holds 1,000,000 entries throughout."""
import json
import os
import re
import subprocess
import threading
import time

from serverlib import (ORIGIN, Server, TestCA, account_add, b64, parse_args, run, temp_dir,
                       wait_until)

THREADS = int(os.environ.get("BENCH_THREADS", "8"))
DURATION = float(os.environ.get("BENCH_SECONDS", "4"))
PREMINT = int(os.environ.get("BENCH_PREMINT", "8000"))


def openssl_rsa_verify_per_core():
    out = subprocess.run(["openssl", "speed", "-seconds", "3", "rsa2048"],
                         capture_output=True, text=True).stdout
    m = re.search(r"rsa\s+2048 bits\s+\S+\s+\S+\s+([\d.]+)\s+([\d.]+)", out)
    return (float(m.group(1)), float(m.group(2))) if m else (0.0, 0.0)


def rss(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            fields[k] = v.strip()
    return fields.get("VmRSS", "?"), fields.get("VmHWM", "?")


def bench(args, port, mode, cred=None, body=None):
    cmd = [args.bench, "--port", str(port), "--mode", mode, "--threads", str(THREADS),
           "--duration", str(DURATION)]
    if mode == "login":
        cmd += ["--cert", f"{cred}/sign.pem", "--key", f"{cred}/sign.key", "--origin", ORIGIN,
                "--premint", str(PREMINT)]
    else:
        cmd += ["--verify-body", body]
    return json.loads(run(cmd))


def moica_number(client):
    r = client.get("/api/v1/admin/crls")
    for c in (r.json or {}).get("crls", []):
        if "MOICA" in c["issuer"]:
            return c["number"]
    return None


def main():
    args = parse_args()
    if not args.bench:
        raise SystemExit("--bench (the load client) is required")
    cores = os.cpu_count()
    with temp_dir(args.keep) as d:
        print("== preparing: RSA-2048 test PKI and three 1,000,000-entry MOICA CRLs")
        ca = TestCA(args.pkcs_tool, f"{d}/ca", key="rsa-2048")
        user = ca.issue(f"{d}/user", "Bench User", "A123456789", extra=["--key", "rsa-2048"])
        db = f"{d}/bench.db"
        account_add(args.server, db, "A123456789", "Bench User", f"{user}/sign.pem")
        ca.crl(f"{d}/root.crl", "root")
        t0 = time.time()
        big = []
        for i in range(3):
            big.append(ca.crl(f"{d}/moica-{i}.crl", "moica", der=True,
                              extra=["--extra-revoked", "1000000"]))
        print(f"   CRL generation took {time.time() - t0:.1f}s")
        os.link(big[0], f"{d}/moica.crl.next")
        os.replace(f"{d}/moica.crl.next", f"{d}/moica.crl")

        with open(f"{d}/doc.txt", "w") as fh:
            fh.write("申請書 application form, 1 page\n" * 20)
        run([args.pkcs_tool, "sign", "--cert", f"{user}/sign.pem", "--key", f"{user}/sign.key",
             "--in", f"{d}/doc.txt", "--out", f"{d}/doc.p7s", "--nonce", "0011223344556677"])
        with open(f"{d}/verify.json", "w") as fh:
            json.dump({"pkcs7": b64(open(f"{d}/doc.p7s", "rb").read())}, fh)

        config = {
            "origins": [ORIGIN],
            "trust": {"anchors": [ca.root], "intermediates": [ca.intermediates]},
            "crl": {"files": [f"{d}/root.crl", f"{d}/moica.crl"], "fromDistributionPoints": False,
                    "refreshIntervalSeconds": 3600},
            "database": {"path": db},
            "challenges": {"maxOutstanding": 1000000, "lifetimeSeconds": 600},
            "tls": {"selfSignedDirectory": f"{d}/tls"},
            "log": {"level": "warn", "accessLog": False},
        }
        sign_s, verify_s = openssl_rsa_verify_per_core()
        with Server(args.server, d, config, "bench", ) as server:
            c = server.client()
            t0 = time.time()
            loaded = wait_until(lambda: moica_number(c), timeout=60)
            print(f"   server up, 1M-entry CRL #{loaded} in force")
            rss_idle = rss(server.proc.pid)

            print(f"== certificate logins ({THREADS} keep-alive connections, {DURATION:.0f}s)")
            login = bench(args, server.port, "login", cred=user)
            print("  ", json.dumps(login))

            print(f"== /api/v1/verify ({THREADS} keep-alive connections, {DURATION:.0f}s)")
            verify = bench(args, server.port, "verify", body=f"{d}/verify.json")
            print("  ", json.dumps(verify))

            print("== certificate logins while 1,000,000-entry CRLs are re-parsed and swapped in")
            swaps = []

            def swapper():
                time.sleep(0.3)
                for path in big[1:]:
                    before = moica_number(c)
                    t = time.time()
                    os.link(path, f"{d}/moica.crl.next")
                    os.replace(f"{d}/moica.crl.next", f"{d}/moica.crl")
                    ok = wait_until(lambda: moica_number(c) not in (None, before), timeout=60,
                                    interval=0.05)
                    swaps.append((t, time.time(), ok))

            # The swaps start when the client has minted its tokens and starts timing.
            client_proc = subprocess.Popen(
                [args.bench, "--port", str(server.port), "--mode", "login", "--threads",
                 str(THREADS), "--duration", str(DURATION), "--cert", f"{user}/sign.pem",
                 "--key", f"{user}/sign.key", "--origin", ORIGIN, "--premint", str(PREMINT),
                 "--ready-file", f"{d}/timing-started"],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            wait_until(lambda: os.path.exists(f"{d}/timing-started"), timeout=300, interval=0.02)
            run_started = time.time()
            th = threading.Thread(target=swapper)
            th.start()
            out, err = client_proc.communicate()
            th.join()
            during = json.loads(out)
            print("  ", json.dumps(during))
            rss_now, rss_peak = rss(server.proc.pid)

        print()
        print("================ pkibridge-server benchmark ================")
        print(f"machine: {cores} cores; server and load client share them")
        print(f"openssl speed rsa2048 (1 core): {verify_s:,.0f} verify/s, {sign_s:,.0f} sign/s")
        print(f"{'':34}{'ok/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'vs 1-core RSA verify':>24}")

        def row(name, r):
            ratio = r["okPerSecond"] / verify_s if verify_s else 0
            print(f"{name:34}{r['okPerSecond']:>10,.0f}{r['p50Ms']:>10.2f}{r['p99Ms']:>10.2f}"
                  f"{ratio:>23.1%}")

        row("certificate login (HTTPS)", login)
        row("POST /api/v1/verify (HTTPS)", verify)
        row("login during 1M-entry CRL swaps", during)
        run_end = run_started + during["seconds"]
        overlap = 0.0
        for i, (start, end, ok) in enumerate(swaps):
            print(f"CRL swap {i + 1}: file replaced at +{start - run_started:.2f}s, new"
                  f" 1,000,000-entry CRL in force after {end - start:.2f}s"
                  f" ({'ok' if ok else 'NOT SEEN'})")
            overlap += max(0.0, min(end, run_end) - max(start, run_started))
        print(f"a 1,000,000-entry CRL was being re-read, parsed and swapped during {overlap:.1f}s"
              f" of the {during['seconds']:.1f}s login run")
        print(f"login statuses: {login['statuses']}, during swaps: {during['statuses']}")
        print(f"server RSS: idle {rss_idle[0]}, after runs {rss_now}, peak {rss_peak}")
        print("(logins: tokens pre-minted by the client before timing; each login = TLS keep-alive"
              " request, CMS RSA-2048 signature check, cached path, SQLite login + session write)")


if __name__ == "__main__":
    main()
