"""Shared pieces of the portal integration tests: a real SMTP sink (Debian's
python3-aiosmtpd), a controllable server clock (--test-clock), CAPTCHA answers
(--test-captcha-answers) and a portal server with a test PKI.

Every process and thread a test starts is stopped by the test (context managers).
"""
import calendar
import datetime
import email
import email.policy
import json
import os
import threading
import time

import serverlib

TAIPEI = datetime.timezone(datetime.timedelta(hours=8))


class SmtpSink:
    """A real SMTP server on 127.0.0.1 that keeps every message it receives."""

    def __init__(self, on_message=None):
        try:
            from aiosmtpd.controller import Controller  # python3-aiosmtpd
        except ImportError:
            # A python3 other than Debian's (e.g. pyenv first on PATH): use the Debian package.
            import sys
            sys.path.append("/usr/lib/python3/dist-packages")
            from aiosmtpd.controller import Controller

        self.messages = []
        self._lock = threading.Lock()
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
                entry = {"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "message": msg}
                with sink._lock:
                    sink.messages.append(entry)
                if on_message:
                    on_message(entry)
                return "250 OK"

        self.port = serverlib.free_port()
        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def __enter__(self):
        self._controller.start()
        return self

    def __exit__(self, *exc):
        self._controller.stop()

    def received(self, to=None):
        with self._lock:
            return [m for m in self.messages if to is None or to in m["to"]]

    def wait_for(self, to, count=1, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            got = self.received(to)
            if len(got) >= count:
                return got
            time.sleep(0.05)
        return self.received(to)

    @staticmethod
    def text(entry):
        """The decoded plain-text body of a received message."""
        msg = entry["message"]
        part = msg.get_body(preferencelist=("plain",)) if msg.is_multipart() else msg
        return part.get_content()


class TestClock:
    """The server's clock = real time + the offset in a file; set() moves it."""

    def __init__(self, directory):
        self.path = os.path.join(directory, "clock-offset")
        self.offset = 0
        self._write()

    def _write(self):
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(int(self.offset)))
        os.replace(tmp, self.path)
        # The server re-reads on mtime/size change; make sure mtime moves even on fast
        # successive writes.
        st = os.stat(self.path)
        os.utime(self.path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))

    def now(self):
        return time.time() + self.offset

    def advance(self, seconds):
        self.offset += seconds
        self._write()

    def set_taipei(self, year, month, day, hour=10, minute=0):
        """Moves the server clock to that wall-clock time in Asia/Taipei."""
        target = datetime.datetime(year, month, day, hour, minute, tzinfo=TAIPEI).timestamp()
        self.offset = target - time.time()
        self._write()

    def taipei_day(self, plus_days=0):
        d = datetime.datetime.fromtimestamp(self.now() + plus_days * 86400, TAIPEI)
        return d.strftime("%Y-%m-%d")


class PortalServer(serverlib.Server):
    """pkibridge-server with the portal's test hooks, an SMTP sink and the test PKI."""

    def __init__(self, args, workdir, smtp=None, config=None, name="portal"):
        self.clock = TestClock(workdir)
        cfg = {
            "origins": [serverlib.ORIGIN],
            "database": {"path": os.path.join(workdir, f"{name}.db")},
        }
        if smtp is not None:
            cfg["smtp"] = {"url": smtp.url, "from": "portal@portal.test"}
        for k, v in (config or {}).items():
            cfg[k] = v
        super().__init__(args.server, workdir, cfg, name=name,
                         extra_args=["--test-clock", self.clock.path, "--test-captcha-answers"])
        self.db = cfg["database"]["path"]

    def cli(self, *argv):
        """Runs `pkibridge-server account ...` against this server's database."""
        return serverlib.run([self.binary] + list(argv) + ["--db", self.db])


def captcha(client):
    """A fresh CAPTCHA and its answer (from the test-only header)."""
    r = client.get("/api/v1/portal/captcha")
    assert r.status == 200, r.text
    answer = r.header("X-Test-Captcha-Answer")
    assert answer, "server not started with --test-captcha-answers"
    return r.json["captchaId"], answer


def password_login(client, national_id, password, mode="initial", **extra):
    cid, answer = captcha(client)
    body = {"mode": mode, "nationalId": national_id, "password": password,
            "captchaId": cid, "captchaAnswer": answer}
    body.update(extra)
    return client.post("/api/v1/portal/login/password", body)


def initial_password(national_id, birth_date):
    """The rule from the seed documents: "MmDd" + birth MMDD + the ID's last four."""
    _, month, day = birth_date.split("-")
    return "MmDd" + month + day + national_id[-4:]
