#!/usr/bin/python3
"""A real SMTP server for the portal browser tests (Debian's python3-aiosmtpd): listens on
127.0.0.1, prints "PORT <n>" once ready, then one JSON line per message received:
{"to": [...], "subject": "...", "text": "<every text part, decoded>"}. Stops when stdin
closes. Usage: smtp_sink.py
"""
import email
import email.policy
import json
import socket
import sys

from aiosmtpd.controller import Controller


class Handler:
    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        parts = [p.get_content() for p in msg.walk() if p.get_content_maintype() == "text"]
        print(json.dumps({"to": list(envelope.rcpt_tos), "subject": str(msg["subject"] or ""),
                          "text": "\n".join(parts)}, ensure_ascii=False), flush=True)
        return "250 OK"


def main():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"PORT {port}", flush=True)
    try:
        sys.stdin.read()  # until the test closes stdin
    finally:
        controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
