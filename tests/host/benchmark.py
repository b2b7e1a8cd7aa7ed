#!/usr/bin/env python3
"""Benchmark of pkibridge-host (prints figures; not a pass/fail test).

  start -> status    process start until the reply to a first `status` (median of N)
  status round trip  on a running host
  list-certificates  round trip with the virtual card
  sign (EC, RSA)     round trip incl. the pin-required event and the PIN answer
  reference host     the same start -> reply and round trip for a trivial C echo host,
                     measured in the same run: the floor that process start and pipes cost

    python3 benchmark.py --host BIN --reference BIN --pkcs-tool BIN [--runs N] [--json FILE]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, os.environ.get("PKIBRIDGE_TEST_SUPPORT", str(HERE.parent / "support")))

from host_driver import HostProcess  # noqa: E402
from pcsc_env import PcscEnv, make_card  # noqa: E402

ORIGIN = "https://portal.example"
STATUS = json.dumps({"id": 1, "command": "status"}).encode()


def read_frame(stream) -> bytes:
    header = stream.read(4)
    if len(header) < 4:
        raise RuntimeError("host closed its output")
    (n,) = struct.unpack("=I", header)
    return stream.read(n)


def start_to_reply(argv, env) -> float:
    """Seconds from spawning the process until its first reply has been read."""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, env=env, bufsize=0)
    p.stdin.write(struct.pack("=I", len(STATUS)) + STATUS)
    read_frame(p.stdout)
    elapsed = time.perf_counter() - t0
    p.stdin.close()
    p.wait(timeout=10)
    return elapsed


def round_trips(argv, env, count) -> list:
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, env=env, bufsize=0)
    frame = struct.pack("=I", len(STATUS)) + STATUS
    p.stdin.write(frame)
    read_frame(p.stdout)  # warm-up
    times = []
    for _ in range(count):
        t0 = time.perf_counter()
        p.stdin.write(frame)
        while True:  # skip events (card monitor) until the reply
            msg = json.loads(read_frame(p.stdout))
            if "id" in msg:
                break
        times.append(time.perf_counter() - t0)
    p.stdin.close()
    p.wait(timeout=10)
    return times


def timed(fn, count) -> list:
    times = []
    for _ in range(count):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def summary(name, times) -> dict:
    ms = sorted(t * 1000 for t in times)
    row = {"name": name, "runs": len(ms), "median_ms": statistics.median(ms),
           "p90_ms": ms[min(len(ms) - 1, int(len(ms) * 0.9))], "min_ms": ms[0]}
    print(f"  {name:<38} median {row['median_ms']:8.2f} ms   p90 {row['p90_ms']:8.2f} ms   "
          f"min {row['min_ms']:8.2f} ms   (n={row['runs']})", flush=True)
    return row


def sign_once(host, cid) -> None:
    rid = host.request("sign", {"certificateId": cid, "data": base64.b64encode(b"benchmark").decode(),
                                "format": "cms-attached"}, ORIGIN)
    host.wait_event("pin-required", match=lambda e: e["requestId"] == rid)
    host.send({"id": f"{rid}-pin", "command": "pin", "arguments": {"requestId": rid, "pin": "123456"}})
    reply = host.wait_reply(rid, timeout=30)
    host.wait_reply(f"{rid}-pin")
    if "result" not in reply:
        raise RuntimeError(f"sign failed: {reply}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", required=True)
    ap.add_argument("--reference", required=True)
    ap.add_argument("--pkcs-tool", required=True)
    ap.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "30")))
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args()
    n = args.runs
    tmp = Path(tempfile.mkdtemp(prefix="pkibridge-host-bench-"))
    config = tmp / "host.json"
    config.write_text(json.dumps({"allowedOrigins": [ORIGIN]}))
    rows = []
    cards = {key: make_card(args.pkcs_tool, tmp / f"card-{key}", key=key) for key in ("ec-p256", "rsa-2048")}
    with PcscEnv(pkcs_tool=args.pkcs_tool) as env:
        env.card(cards["ec-p256"], slot=0)
        env.card(cards["rsa-2048"], slot=1)
        host_env = env.environ()
        host_env["PKIBRIDGE_HOST_CONFIG"] = str(config)
        host_argv = [args.host, "chrome-extension://benchmark/"]
        print(f"pkibridge-host benchmark ({n} runs each; private pcscd, two virtual cards)")
        rows.append(summary("reference host: start -> reply", [start_to_reply([args.reference], host_env) for _ in range(n)]))
        rows.append(summary("pkibridge-host: start -> status", [start_to_reply(host_argv, host_env) for _ in range(n)]))
        rows.append(summary("reference host: round trip", round_trips([args.reference], host_env, n * 10)))
        rows.append(summary("pkibridge-host: status round trip", round_trips(host_argv, host_env, n * 10)))
        with HostProcess(args.host, env=host_env, workdir=tmp) as host:
            certs = host.result("list-certificates")["certificates"]
            rows.append(summary("list-certificates (2 cards, 4 certs)",
                                timed(lambda: host.result("list-certificates"), n)))
            for key, reader in (("ec-p256", env.reader_name(0)), ("rsa-2048", env.reader_name(1))):
                cid = next(c["certificateId"] for c in certs if c["reader"] == reader and c["slot"] == "9c")
                rows.append(summary(f"sign cms-attached ({key})", timed(lambda: sign_once(host, cid), n)))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    subprocess.run(["rm", "-rf", str(tmp)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
