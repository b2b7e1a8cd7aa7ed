#!/usr/bin/env python3
"""For the real end-to-end browser tests: a private pcscd with a virtual PIV card inserted
(tests/support/pcsc_env.py), kept up until stdin closes or SIGTERM, then stopped (only what it
started). Prints one JSON line first: the pcscd socket (PCSCLITE_CSOCK_NAME), the reader, the
card's CA root and chain, its PIN and serial, the APDU log. Then it reads commands, one a line:
`remove` pulls the card out of the reader, `insert` puts it back; each is answered with one JSON
line once pcscd has seen the change ({"ok": true, "present": bool} or {"ok": false, "error": …}).
`remove-now` pulls the card and answers at once, before pcscd's next poll (about 0.4 s) sees it.

Usage: real_card_env.py PKCS_TOOL [KEY]   (KEY: ec-p256 (default), rsa-2048, ...)
"""
import json
import pathlib
import shutil
import signal
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "support"))
from pcsc_env import PcscEnv, make_card  # noqa: E402


def serve_commands(card) -> None:
    """remove / insert the card on request; every reply waits until pcscd has seen it."""
    actions = {"remove": card.remove, "insert": card.insert,
               "remove-now": lambda: card.remove(wait=False)}
    for line in sys.stdin:
        command = line.strip()
        if not command:
            continue
        action = actions.get(command)
        try:
            if action is None:
                raise ValueError(f"unknown command {command!r} (remove, insert)")
            action()
            reply = {"ok": True, "present": not card.removed}
        except Exception as e:  # report, keep serving: the test decides what a failure means
            reply = {"ok": False, "error": str(e)}
        print(json.dumps(reply), flush=True)


def main() -> int:
    pkcs_tool = sys.argv[1]
    key = sys.argv[2] if len(sys.argv) > 2 else "ec-p256"
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    work = pathlib.Path(tempfile.mkdtemp(prefix="pkibridge-e2e-card-"))
    try:
        card_dir = make_card(pkcs_tool, work / "card", key=key)
        with PcscEnv(pkcs_tool=pkcs_tool) as env:
            card = env.card(card_dir)
            info = card_dir.info(pkcs_tool)
            print(json.dumps({
                "socket": env.socket,
                "reader": card.reader,
                "caDir": str(card_dir.ca) if card_dir.ca else None,
                "caRoot": str(card_dir.ca / "root.pem") if card_dir.ca else None,
                "authCert": str(card_dir.pair / "auth.pem"),
                "chain": str(card_dir.pair / "chain.pem"),
                "signCert": str(card_dir.pair / "sign.pem"),
                "pin": card_dir.pin,
                "info": info,
                "apduLog": str(card.log_path),
            }), flush=True)
            serve_commands(card)  # until the test closes stdin (or sends SIGTERM)
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
