#!/usr/bin/python3
"""The portal integration tests' SMTP sink (tests/server/integration/portal_env.py, Debian's
python3-aiosmtpd) as a process for the browser tests: prints "PORT <n>" once ready, then one
JSON line per message received: {"to": [...], "subject": "...", "text": "<every text part,
decoded>"}. Stops when stdin closes. Usage: smtp_sink.py
"""
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "server" / "integration"))
from portal_env import SmtpSink  # noqa: E402


def report(entry):
    msg = entry["message"]
    parts = [p.get_content() for p in msg.walk() if p.get_content_maintype() == "text"]
    print(json.dumps({"to": entry["to"], "subject": str(msg["subject"] or ""),
                      "text": "\n".join(parts)}, ensure_ascii=False), flush=True)


def main():
    with SmtpSink(on_message=report) as sink:
        print(f"PORT {sink.port}", flush=True)
        sys.stdin.read()  # until the test closes stdin
    return 0


if __name__ == "__main__":
    sys.exit(main())
