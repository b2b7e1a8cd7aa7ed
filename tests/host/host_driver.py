#!/usr/bin/env python3
"""Drives a spawned pkibridge-host over Chrome's native messaging framing (stdlib only).

    with HostProcess(host_bin, env=pcsc.environ(), config={...}, workdir=tmp) as host:
        host.call("status")                       # -> {"id":..., "result"/"error": ...}
        rid = host.request("sign", {...}, origin="https://portal.example")
        ev = host.wait_event("pin-required")
        host.call("pin", {"requestId": rid, "pin": "123456"})
        reply = host.wait_reply(rid)

A reader thread collects every frame the host writes; replies are matched by id, events are
kept in order (host.events) until a test takes them.
"""

from __future__ import annotations

import itertools
import json
import os
import queue
import struct
import subprocess
import threading
import time
from pathlib import Path
from typing import Callable, Optional


class HostError(AssertionError):
    pass


def frame(body: bytes) -> bytes:
    return struct.pack("=I", len(body)) + body


class HostProcess:
    def __init__(self, host_bin: str, env: Optional[dict] = None, config: Optional[dict] = None,
                 workdir: Optional[Path] = None, config_text: Optional[str] = None,
                 args=("chrome-extension://pkibridgetestextension/",)):
        self.host_bin = host_bin
        self.workdir = Path(workdir) if workdir else Path(os.environ.get("TMPDIR", "/tmp"))
        self.env = dict(env if env is not None else os.environ)
        if config is not None or config_text is not None:
            path = self.workdir / f"host-config-{id(self)}.json"
            path.write_text(config_text if config_text is not None else json.dumps(config))
            self.env["PKIBRIDGE_HOST_CONFIG"] = str(path)
        self.args = list(args)
        self.stderr_path = self.workdir / f"host-stderr-{id(self)}.log"
        self.proc: Optional[subprocess.Popen] = None
        self._ids = itertools.count(1)
        self._inbox: "queue.Queue[Optional[dict]]" = queue.Queue()
        self._replies: dict = {}
        self.events: list = []
        self.raw_frames: list = []  # every frame body as received (bytes)
        self._reader: Optional[threading.Thread] = None
        self.started_at = 0.0

    # lifecycle
    def __enter__(self) -> "HostProcess":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        self._stderr = open(self.stderr_path, "wb")
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen([self.host_bin, *self.args], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self._stderr, env=self.env,
                                     bufsize=0)
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()

    def close(self, timeout: float = 10) -> int:
        """Closes stdin (what the browser does) and waits for the host to exit."""
        if not self.proc:
            return 0
        try:
            if self.proc.stdin and not self.proc.stdin.closed:
                self.proc.stdin.close()
        except BrokenPipeError:
            pass
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise HostError(f"host did not exit within {timeout}s after stdin closed")
        finally:
            self._stderr.close()
        return self.proc.returncode

    def stderr(self) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")
        except OSError:
            return ""

    # reading
    def _read_loop(self) -> None:
        out = self.proc.stdout
        try:
            while True:
                header = out.read(4)
                if len(header) < 4:
                    break
                (length,) = struct.unpack("=I", header)
                body = out.read(length)
                if len(body) < length:
                    self._inbox.put({"__broken__": f"frame of {length} bytes cut at {len(body)}"})
                    break
                self.raw_frames.append(body)
                try:
                    self._inbox.put(json.loads(body))
                except ValueError as e:
                    self._inbox.put({"__broken__": f"host wrote invalid JSON: {e}: {body[:200]!r}"})
        finally:
            self._inbox.put(None)

    def _pump(self, deadline: float) -> bool:
        """Moves one message from the inbox into replies/events; False on timeout."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        try:
            msg = self._inbox.get(timeout=remaining)
        except queue.Empty:
            return False
        if msg is None:
            self._inbox.put(None)  # keep the end marker for later waits
            raise HostError(f"host closed its output (exit {self.proc.poll()}); stderr:\n{self.stderr()[-3000:]}")
        if "__broken__" in msg:
            raise HostError(msg["__broken__"])
        if "event" in msg:
            self.events.append(msg)
        else:
            self._replies.setdefault(json.dumps(msg.get("id")), []).append(msg)
        return True

    def wait_reply(self, rid, timeout: float = 15) -> dict:
        key = json.dumps(rid)
        deadline = time.monotonic() + timeout
        while not self._replies.get(key):
            if not self._pump(deadline):
                raise HostError(f"no reply to {rid!r} within {timeout}s; events: {self.events[-5:]}; "
                                f"stderr:\n{self.stderr()[-3000:]}")
        return self._replies[key].pop(0)

    def wait_event(self, name: str, timeout: float = 15,
                   match: Optional[Callable[[dict], bool]] = None) -> dict:
        """Takes the first event called `name` (and matching) from the queue."""
        deadline = time.monotonic() + timeout
        while True:
            for i, ev in enumerate(self.events):
                if ev.get("event") == name and (match is None or match(ev)):
                    return self.events.pop(i)
            if not self._pump(deadline):
                raise HostError(f"no {name!r} event within {timeout}s; events: {self.events}")

    def drain(self, seconds: float = 0.2) -> None:
        """Collects whatever arrives within `seconds`."""
        deadline = time.monotonic() + seconds
        while self._pump(deadline):
            pass

    def unanswered(self) -> dict:
        return {k: v for k, v in self._replies.items() if v}

    # writing
    def send_raw(self, data: bytes) -> None:
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, message) -> None:
        body = message if isinstance(message, bytes) else json.dumps(message).encode()
        self.send_raw(frame(body))

    def request(self, command: str, arguments: Optional[dict] = None, origin: Optional[str] = None,
                rid=None) -> object:
        rid = rid if rid is not None else f"r{next(self._ids)}"
        msg = {"id": rid, "command": command}
        if origin is not None:
            msg["origin"] = origin
        if arguments is not None:
            msg["arguments"] = arguments
        self.send(msg)
        return rid

    def call(self, command: str, arguments: Optional[dict] = None, origin: Optional[str] = None,
             timeout: float = 15) -> dict:
        return self.wait_reply(self.request(command, arguments, origin), timeout)

    def result(self, command: str, arguments: Optional[dict] = None, origin: Optional[str] = None,
               timeout: float = 15) -> dict:
        reply = self.call(command, arguments, origin, timeout)
        if "result" not in reply:
            raise HostError(f"{command} failed: {reply}")
        return reply["result"]


def error_code(reply: dict) -> Optional[str]:
    return reply.get("error", {}).get("code")
