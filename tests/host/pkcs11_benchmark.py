#!/usr/bin/env python3
"""Benchmark of pkibridge-host's PKCS#11 path (prints figures; not a pass/fail test).

  SoftHSM2 token        list-certificates, sign cms-attached with RSA-2048 and EC P-256
  OpenSC over vPIV      the virtual PIV card through OpenSC's module ("preferredDriver": "pkcs11")
  built-in PIV          the same card through the built-in driver, PKCS#11 off (the baseline)
  built-in PIV + dedupe the same with OpenSC loaded too (defaults on): the cost of reading the
                        card twice to list each certificate once

    python3 pkcs11_benchmark.py --host BIN --pkcs-tool BIN [--runs N] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, os.environ.get("PKIBRIDGE_TEST_SUPPORT", str(HERE.parent / "support")))

from benchmark import ORIGIN, sign_once, summary, timed  # noqa: E402
from host_driver import HostProcess  # noqa: E402
from pcsc_env import PcscEnv, issue_pair, make_card  # noqa: E402
from pkcs11_integration import OPENSC, SOFTHSM, SoftHsm  # noqa: E402


def measure(rows, label, host, runs, pick):
    certs = host.result("list-certificates")["certificates"]
    rows.append(summary(f"{label}: list-certificates", timed(lambda: host.result("list-certificates"), runs)))
    for name, cid in pick(certs):
        rows.append(summary(f"{label}: sign ({name})", timed(lambda: sign_once(host, cid), runs)))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", required=True)
    ap.add_argument("--pkcs-tool", required=True)
    ap.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "20")))
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args()
    n = args.runs
    tmp = Path(tempfile.mkdtemp(prefix="pkibridge-host-p11-bench-"))
    rows = []
    try:
        hsm = SoftHsm(tmp)
        hsm.import_pair(issue_pair(args.pkcs_tool, "rsa-2048")[0], "sign", "01")
        hsm.import_pair(issue_pair(args.pkcs_tool, "ec-p256")[0], "sign", "02")
        card = make_card(args.pkcs_tool, tmp / "card-ec", key="ec-p256")
        base = {"allowedOrigins": [ORIGIN]}
        print(f"pkibridge-host PKCS#11 benchmark ({n} runs each; private pcscd)")
        with PcscEnv(pkcs_tool=args.pkcs_tool) as env:
            host_env = hsm.environ(env.environ())
            cfg = dict(base, pkcs11Modules=[SOFTHSM], pkcs11DefaultModules=False)
            with HostProcess(args.host, env=host_env, config=cfg, workdir=tmp) as host:
                measure(rows, "SoftHSM2", host, n, lambda certs: [
                    ("RSA-2048", next(c["certificateId"] for c in certs if c["certificateId"].endswith(":01"))),
                    ("EC P-256", next(c["certificateId"] for c in certs if c["certificateId"].endswith(":02")))])
            env.card(card)
            nine_c = lambda certs: [("EC P-256, 9C", next(c["certificateId"] for c in certs
                                                          if "signature" in c["slotLabel"].lower()))]
            for label, cfg in (
                    ("built-in PIV, PKCS#11 off", dict(base, pkcs11DefaultModules=False)),
                    ("built-in PIV + OpenSC dedupe", dict(base, pkcs11Modules=[OPENSC], pkcs11DefaultModules=False)),
                    ("OpenSC over virtual PIV", dict(base, pkcs11Modules=[OPENSC], pkcs11DefaultModules=False,
                                                     preferredDriver="pkcs11"))):
                with HostProcess(args.host, env=host_env, config=cfg, workdir=tmp) as host:
                    measure(rows, label, host, n, nine_c)
        if args.json:
            Path(args.json).write_text(json.dumps(rows, indent=2))
    finally:
        subprocess.run(["rm", "-rf", str(tmp)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
