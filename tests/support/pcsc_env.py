#!/usr/bin/env python3
"""A private pcscd with vpcd virtual readers, and virtual PIV cards in them, for tests.

Why a private pcscd: only one pcscd per machine listens on the default socket
(/run/pcscd/pcscd.comm), there is no systemd here, and several test suites (and other
people's tests, and CI) run at the same time. pcsc-lite 1.9.9 clients (libpcsclite, so
OpenSC, yubico-piv-tool, pcsc_scan and our native host) honour the environment variable
PCSCLITE_CSOCK_NAME for the socket path; the 1.9.9 daemon does not, so the daemon gets its
private socket in one of two ways (tested on Debian 12):

  namespace          `unshare --mount` with a private directory bind-mounted over
                     /run/pcscd: the daemon's socket *and* its pid file live in our temp
                     dir; nothing global is touched. Needs CAP_SYS_ADMIN (root here).
  socket-activation  we bind and listen on a Unix socket in our temp dir and hand it to
                     pcscd the systemd way (LISTEN_FDS=1, LISTEN_PID, fd 3). Works without
                     privileges but pcscd still writes /run/pcscd/pcscd.pid (and deletes
                     it on exit), which a system pcscd only uses for `pcscd --hotplug`.

Each environment gets its own reader.conf directory (`pcscd -c DIR`) with a vpcd entry on a
free TCP port pair (vpcd listens on CHANNELID and CHANNELID + 1 for readers
"Virtual PCD 00 00" and "Virtual PCD 00 01"). Every client in a test must be run with
env.environ() so that it talks to this pcscd.

Usage:

    from pcsc_env import PcscEnv, make_card
    card_dir = make_card(pkcs_tool, tmp / "card", key="ec-p256")
    with PcscEnv(pkcs_tool=pkcs_tool) as env:
        card = env.card(card_dir)            # `pkcs-tool vcard serve`, waits until present
        subprocess.run(["yubico-piv-tool", "-r", env.reader_name(0), "-a", "status"],
                       env=env.environ(), check=True)
        card.remove(); card.insert()         # SIGUSR1 / SIGUSR2 to the card process
        card.apdu_log()                      # what the card received (never data)
        env.stop_pcscd(); env.start_pcscd()  # e.g. for "PC/SC unavailable" tests

Everything started is stopped in __exit__ (also on errors), and only those processes.
Command line: `python3 pcsc_env.py demo --pkcs-tool PATH` keeps a card inserted until
Ctrl-C and prints the environment to use; `python3 pcsc_env.py probe` prints the reader
states of the pcscd that PCSCLITE_CSOCK_NAME points at.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import fcntl
import hashlib
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

__all__ = ["PcscEnv", "PcscEnvError", "VirtualCard", "make_card", "issue_pair", "CardDir"]

VPCD_DRIVERS = [
    "/usr/lib/pcsc/drivers/serial/libifdvpcd.so",
    "/usr/lib/x86_64-linux-gnu/pcsc/drivers/serial/libifdvpcd.so",
    "/usr/local/lib/pcsc/drivers/serial/libifdvpcd.so",
]
READER_PREFIX = "Virtual PCD"
START_TIMEOUT = 5.0
CARD_TIMEOUT = 5.0


class PcscEnvError(RuntimeError):
    pass


def _find_pcscd() -> str:
    for candidate in (shutil.which("pcscd"), "/usr/sbin/pcscd", "/sbin/pcscd"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise PcscEnvError("pcscd not found (Debian package pcscd)")


def _find_vpcd() -> str:
    for candidate in VPCD_DRIVERS:
        if os.path.exists(candidate):
            return candidate
    raise PcscEnvError("vpcd driver not found (Debian package vsmartcard-vpcd)")


_namespace_ok: Optional[bool] = None


def _namespace_available() -> bool:
    """True when `unshare --mount` with a bind mount works (root with CAP_SYS_ADMIN)."""
    global _namespace_ok
    if _namespace_ok is None:
        if not shutil.which("unshare"):
            _namespace_ok = False
        else:
            probe = tempfile.mkdtemp(prefix="pkibridge-ns-")
            try:
                r = subprocess.run(
                    ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                     'mount --bind "$0" "$0"', probe],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10)
                _namespace_ok = r.returncode == 0
            except (OSError, subprocess.TimeoutExpired):
                _namespace_ok = False
            finally:
                shutil.rmtree(probe, ignore_errors=True)
    return _namespace_ok


def _port_pair_free(port: int) -> bool:
    for p in (port, port + 1):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("0.0.0.0", p))  # vpcd binds INADDR_ANY
            except OSError:
                return False
    return True


_libc = None


def _die_with_parent() -> None:
    """In a child before exec: get SIGTERM if the test process dies (e.g. killed by a CTest
    timeout), so that no pcscd or card outlives the test that started it."""
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    _libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _stop_process(proc: Optional[subprocess.Popen], timeout: float = 5.0) -> None:
    """SIGTERM, then SIGKILL; only for a process we started ourselves."""
    if proc is None or proc.poll() is not None:
        return
    try:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)
    except ProcessLookupError:
        pass


# --- reader states through libpcsclite (ctypes), run in a child process -----------------
# libpcsclite reads PCSCLITE_CSOCK_NAME once per process, so probing happens in a fresh
# `python3 pcsc_env.py probe` for each environment.

SCARD_S_SUCCESS = 0
SCARD_E_NO_READERS_AVAILABLE = 0x8010002E
SCARD_STATE_PRESENT = 0x20


class _ReaderState(ctypes.Structure):
    _fields_ = [("szReader", ctypes.c_char_p), ("pvUserData", ctypes.c_void_p),
                ("dwCurrentState", ctypes.c_ulong), ("dwEventState", ctypes.c_ulong),
                ("cbAtr", ctypes.c_ulong), ("rgbAtr", ctypes.c_ubyte * 33)]


def probe_readers() -> dict:
    """{"service": bool, "readers": {name: {"present": bool, "atr": hex}}} for the pcscd
    selected by this process's environment."""
    try:
        lib = ctypes.CDLL("libpcsclite.so.1")
    except OSError:
        lib = ctypes.CDLL(ctypes.util.find_library("pcsclite"))
    lib.SCardEstablishContext.restype = ctypes.c_long
    lib.SCardListReaders.restype = ctypes.c_long
    lib.SCardGetStatusChange.restype = ctypes.c_long
    ctx = ctypes.c_long(0)
    rv = lib.SCardEstablishContext(ctypes.c_ulong(2), None, None, ctypes.byref(ctx)) & 0xFFFFFFFF
    if rv != SCARD_S_SUCCESS:
        return {"service": False, "error": hex(rv), "readers": {}}
    try:
        size = ctypes.c_ulong(0)
        rv = lib.SCardListReaders(ctx, None, None, ctypes.byref(size)) & 0xFFFFFFFF
        if rv == SCARD_E_NO_READERS_AVAILABLE:
            return {"service": True, "readers": {}}
        if rv != SCARD_S_SUCCESS:
            return {"service": False, "error": hex(rv), "readers": {}}
        buf = ctypes.create_string_buffer(size.value)
        rv = lib.SCardListReaders(ctx, None, buf, ctypes.byref(size)) & 0xFFFFFFFF
        if rv == SCARD_E_NO_READERS_AVAILABLE:
            return {"service": True, "readers": {}}
        names = [n for n in buf.raw[:size.value].split(b"\0") if n]
        states = (_ReaderState * len(names))()
        for i, n in enumerate(names):
            states[i].szReader = n
            states[i].dwCurrentState = 0
        rv = lib.SCardGetStatusChange(ctx, ctypes.c_ulong(0), states,
                                      ctypes.c_ulong(len(names))) & 0xFFFFFFFF
        readers = {}
        for s in states:
            present = rv == SCARD_S_SUCCESS and bool(s.dwEventState & SCARD_STATE_PRESENT)
            readers[s.szReader.decode()] = {
                "present": present,
                "atr": bytes(s.rgbAtr[:s.cbAtr]).hex() if present else "",
            }
        return {"service": True, "readers": readers}
    finally:
        lib.SCardReleaseContext(ctx)


# --- the environment --------------------------------------------------------------------

class PcscEnv:
    """A private pcscd with two vpcd readers. Use as a context manager."""

    def __init__(self, pkcs_tool: Optional[str] = None, workdir: Optional[str] = None,
                 keep: bool = False, mode: Optional[str] = None, debug: bool = False):
        self.pkcs_tool = pkcs_tool or os.environ.get("PKCS_TOOL") or shutil.which("pkcs-tool")
        self._base = workdir
        self.keep = keep or bool(os.environ.get("PKIBRIDGE_KEEP_PCSC_ENV"))
        self.debug = debug or bool(os.environ.get("PKIBRIDGE_PCSC_DEBUG"))
        self.mode = mode or os.environ.get("PKIBRIDGE_PCSC_MODE") or None
        self.dir: Optional[Path] = None
        self.port: Optional[int] = None
        self._pcscd: Optional[subprocess.Popen] = None
        self._listen: Optional[socket.socket] = None
        self._cards: list[VirtualCard] = []
        self._pcscd_starts = 0

    # context manager
    def __enter__(self) -> "PcscEnv":
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # paths and names
    @property
    def socket(self) -> str:
        return str(self.dir / "run" / "pcscd.comm")

    @property
    def pcscd_pid(self) -> Optional[int]:
        return self._pcscd.pid if self._pcscd and self._pcscd.poll() is None else None

    def environ(self, base: Optional[dict] = None) -> dict:
        env = dict(os.environ if base is None else base)
        env["PCSCLITE_CSOCK_NAME"] = self.socket
        return env

    def reader_name(self, slot: int = 0) -> str:
        return f"{READER_PREFIX} 00 {slot:02d}"

    def vpcd_address(self, slot: int = 0) -> str:
        return f"127.0.0.1:{self.port + slot}"

    def run(self, argv, timeout: float = 60, **kwargs) -> subprocess.CompletedProcess:
        """subprocess.run against this pcscd (text output captured unless told otherwise)."""
        kwargs.setdefault("capture_output", True)
        kwargs.setdefault("text", True)
        return subprocess.run(argv, env=self.environ(kwargs.pop("env", None)), timeout=timeout,
                              **kwargs)

    # lifecycle
    def start(self) -> None:
        if self._base:
            Path(self._base).mkdir(parents=True, exist_ok=True)
        self.dir = Path(tempfile.mkdtemp(prefix="pkibridge-pcsc-", dir=self._base))
        (self.dir / "run").mkdir()
        (self.dir / "conf").mkdir()
        if self.mode is None:
            self.mode = "namespace" if _namespace_available() else "socket-activation"
        if self.mode not in ("namespace", "socket-activation"):
            raise PcscEnvError(f"unknown PKIBRIDGE_PCSC_MODE {self.mode!r}")
        # Pick the ports under a machine-wide lock so that two environments starting at
        # the same moment cannot both take a pair that looked free.
        lock_path = Path(tempfile.gettempdir()) / "pkibridge-pcsc-ports.lock"
        with open(lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            last_error = None
            for _ in range(4):
                port = random.randrange(20000, 60000, 2)
                if not _port_pair_free(port):
                    continue
                self.port = port
                self._write_reader_conf()
                try:
                    self.start_pcscd()
                    return
                except PcscEnvError as e:  # e.g. a port taken after all: try another pair
                    last_error = e
                    self.stop_pcscd()
            raise PcscEnvError(f"could not start a private pcscd: {last_error}")

    def _write_reader_conf(self) -> None:
        (self.dir / "conf" / "vpcd").write_text(
            f'FRIENDLYNAME "{READER_PREFIX}"\n'
            f"DEVICENAME   /dev/null:0x{self.port:X}\n"
            f"LIBPATH      {_find_vpcd()}\n"
            f"CHANNELID    0x{self.port:X}\n")

    def start_pcscd(self) -> None:
        """Starts (or restarts) this environment's pcscd and waits for both readers."""
        if self.pcscd_pid:
            return
        pcscd = _find_pcscd()
        conf = str(self.dir / "conf")
        run = str(self.dir / "run")
        self._pcscd_starts += 1
        log = open(self.dir / f"pcscd-{self._pcscd_starts}.log", "w")
        flags = ["-f"] + (["-d", "-a"] if self.debug else [])
        try:
            if self.mode == "namespace":
                script = 'mkdir -p /run/pcscd && mount --bind "$0" /run/pcscd && exec "$@"'
                argv = ["unshare", "--mount", "--propagation", "private", "sh", "-c", script,
                        run, pcscd, *flags, "-c", conf]
                self._pcscd = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                               stderr=subprocess.STDOUT,
                                               preexec_fn=_die_with_parent)
            else:
                sock_path = self.socket
                if os.path.exists(sock_path):
                    os.unlink(sock_path)
                self._listen = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self._listen.bind(sock_path)
                os.chmod(sock_path, 0o666)
                self._listen.listen(64)
                fd = self._listen.fileno()

                def hand_over_socket():  # runs in the child before exec
                    _die_with_parent()
                    os.dup2(fd, 3)
                    os.set_inheritable(3, True)

                script = 'LISTEN_PID=$$ LISTEN_FDS=1 exec "$@"'
                self._pcscd = subprocess.Popen(
                    ["sh", "-c", script, "sh", pcscd, *flags, "-c", conf],
                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                    pass_fds=(3, fd), preexec_fn=hand_over_socket)
                self._listen.close()
                self._listen = None
        finally:
            log.close()
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self._pcscd.poll() is not None:
                raise PcscEnvError(f"pcscd exited with {self._pcscd.returncode}: "
                                   f"{self._pcscd_log_tail()}")
            state = self.reader_states() if os.path.exists(self.socket) else {}
            readers = state.get("readers", {})
            if self.reader_name(0) in readers and self.reader_name(1) in readers:
                return
            if time.monotonic() > deadline:
                raise PcscEnvError(f"pcscd did not show the vpcd readers on ports {self.port}, "
                                   f"{self.port + 1}: {state} {self._pcscd_log_tail()}")
            time.sleep(0.05)

    def stop_pcscd(self) -> None:
        """Stops this environment's pcscd (cards keep running and reconnect later)."""
        _stop_process(self._pcscd)
        self._pcscd = None
        if self._listen:
            self._listen.close()
            self._listen = None
        if self.mode == "socket-activation" and self.dir:
            try:
                os.unlink(self.socket)  # clients then see "no service", as without pcscd
            except FileNotFoundError:
                pass

    def restart_pcscd(self) -> None:
        self.stop_pcscd()
        self.start_pcscd()

    def close(self) -> None:
        errors = []
        for card in reversed(self._cards):
            try:
                card.stop(wait=False)
            except Exception as e:  # keep stopping the rest
                errors.append(e)
        self._cards.clear()
        try:
            self.stop_pcscd()
        except Exception as e:
            errors.append(e)
        if self.dir and not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)
        elif self.dir:
            print(f"pcsc_env: kept {self.dir}", file=sys.stderr)
        if errors:
            raise errors[0]

    # observation
    def reader_states(self) -> dict:
        """Reader states as seen by a PC/SC client of this pcscd."""
        r = subprocess.run([sys.executable, os.path.abspath(__file__), "probe"],
                           env=self.environ(), capture_output=True, text=True, timeout=15)
        if r.returncode != 0:
            raise PcscEnvError(f"probe failed: {r.stderr.strip()}")
        return json.loads(r.stdout)

    def card_present(self, slot: int = 0) -> bool:
        reader = self.reader_states().get("readers", {}).get(self.reader_name(slot))
        return bool(reader and reader["present"])

    def wait_for_card(self, slot: int = 0, present: bool = True,
                      timeout: float = CARD_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while self.card_present(slot) != present:
            if time.monotonic() > deadline:
                what = "present" if present else "absent"
                raise PcscEnvError(f"card in {self.reader_name(slot)} not {what} after "
                                   f"{timeout}s")
            time.sleep(0.05)

    def _pcscd_log_tail(self) -> str:
        try:
            text = (self.dir / f"pcscd-{self._pcscd_starts}.log").read_text(errors="replace")
        except OSError:
            return ""
        return text[-2000:]

    # cards
    def card(self, card_dir, slot: int = 0, log: bool = True, wait: bool = True,
             removed: bool = False) -> "VirtualCard":
        """Starts `pkcs-tool vcard serve` for card_dir in reader `slot`."""
        if not self.pkcs_tool:
            raise PcscEnvError("no pkcs-tool: pass pkcs_tool= or set PKCS_TOOL")
        card = VirtualCard(self, Path(card_dir), slot, log, removed)
        self._cards.append(card)
        card.start(wait=wait and not removed)
        return card


class VirtualCard:
    """A `pkcs-tool vcard serve` process holding one card in one vpcd reader."""

    _LINE = re.compile(r"^(\S+) (APDU|EVENT) (.*)$")

    def __init__(self, env: PcscEnv, card_dir: Path, slot: int, log: bool, removed: bool):
        self.env = env
        self.card_dir = card_dir
        self.slot = slot
        self.removed = removed
        self.log_path = env.dir / f"apdu-{slot}-{len(env._cards)}.log" if log else None
        self.output_path = env.dir / f"card-{slot}-{len(env._cards)}.out"
        self.proc: Optional[subprocess.Popen] = None

    @property
    def pid(self) -> Optional[int]:
        return self.proc.pid if self.proc and self.proc.poll() is None else None

    @property
    def reader(self) -> str:
        return self.env.reader_name(self.slot)

    def start(self, wait: bool = True) -> None:
        if self.pid:
            return
        argv = [self.env.pkcs_tool, "vcard", "serve", "--dir", str(self.card_dir),
                "--vpcd", self.env.vpcd_address(self.slot)]
        if self.log_path:
            argv += ["--log", str(self.log_path)]
        if self.removed:
            argv.append("--removed")
        with open(self.output_path, "a") as out:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                         stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
        if wait:
            self.wait_present()

    def wait_present(self, timeout: float = CARD_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while not self.env.card_present(self.slot):
            if self.proc.poll() is not None:
                raise PcscEnvError(f"vcard serve exited with {self.proc.returncode}: "
                                   f"{self.output()}")
            if time.monotonic() > deadline:
                raise PcscEnvError(f"card not seen in {self.reader} after {timeout}s: "
                                   f"{self.output()}")
            time.sleep(0.05)

    def remove(self, wait: bool = True) -> None:
        """Pulls the card out of the reader (SIGUSR1): pcscd sees an empty reader."""
        self.proc.send_signal(signal.SIGUSR1)
        self.removed = True
        if wait and self.env.pcscd_pid:
            self.env.wait_for_card(self.slot, present=False)

    def insert(self, wait: bool = True) -> None:
        """Puts the card back (SIGUSR2)."""
        self.proc.send_signal(signal.SIGUSR2)
        self.removed = False
        if wait and self.env.pcscd_pid:
            self.wait_present()

    def stop(self, wait: bool = True) -> int:
        """Stops the card process (SIGTERM); returns its exit code. With wait, also waits
        until pcscd has noticed the empty reader: pcscd polls about every 0.4 s, and a new
        card connecting before that would inherit the old card's power state."""
        was_present = self.pid is not None and not self.removed
        _stop_process(self.proc)
        if wait and was_present and self.env.pcscd_pid:
            self.env.wait_for_card(self.slot, present=False)
        return self.proc.returncode if self.proc else 0

    def restart(self, wait: bool = True) -> None:
        self.stop()
        self.removed = False
        self.start(wait=wait)

    def output(self) -> str:
        try:
            return self.output_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def log_position(self) -> int:
        """A mark for apdu_log(since=...) to see only what comes after it."""
        return len(self.apdu_log())

    def apdu_log(self, since: int = 0) -> list:
        """Entries of the card's APDU log: {"kind": "APDU", "cla", "ins", "p1", "p2", "lc",
        "sw"} (ints) or {"kind": "EVENT", "event": str}."""
        if not self.log_path or not self.log_path.exists():
            return []
        entries = []
        for line in self.log_path.read_text().splitlines():
            m = self._LINE.match(line)
            if not m:
                continue
            entry = {"time": m.group(1), "kind": m.group(2)}
            if m.group(2) == "EVENT":
                entry["event"] = m.group(3)
            else:
                for field in m.group(3).split():
                    key, _, value = field.partition("=")
                    if key in ("CLA", "INS", "P1", "P2", "SW"):
                        entry[key.lower()] = int(value, 16)
                    elif key in ("LC", "LEN"):
                        entry["lc"] = int(value)
                    else:
                        entry["malformed"] = True
            entries.append(entry)
        return entries[since:]

    def commands(self, ins: int, since: int = 0) -> list:
        return [e for e in self.apdu_log(since) if e["kind"] == "APDU" and e.get("ins") == ins]


# --- provisioned card directories ---------------------------------------------------------

@dataclass
class CardDir:
    path: Path          # the card directory for `vcard serve`
    pair: Path          # sign.pem sign.key auth.pem auth.key (chain.pem with `ca issue`)
    ca: Optional[Path]  # the test CA directory (None with the openssl fallback)
    key: str            # "ec-p256", "rsa-2048", ...
    pin: str
    puk: str

    def __fspath__(self) -> str:
        return str(self.path)

    def info(self, pkcs_tool: str) -> dict:
        r = subprocess.run([pkcs_tool, "--json", "vcard", "info", "--dir", str(self.path)],
                           capture_output=True, text=True, timeout=30, check=True)
        return json.loads(r.stdout)


def _cache_root() -> Path:
    root = os.environ.get("PKIBRIDGE_TEST_CACHE")
    if root:
        return Path(root)
    return Path(tempfile.gettempdir()) / f"pkibridge-test-cache-{os.getuid()}"


def _tool_identity(pkcs_tool: str) -> str:
    st = os.stat(pkcs_tool)
    return f"{os.path.realpath(pkcs_tool)}:{st.st_mtime_ns}:{st.st_size}"


def _openssl_pair(out: Path, key: str) -> None:
    """Fallback while `pkcs-tool ca` is unavailable: a self-signed CA and a pair."""
    newkey = {"rsa-2048": ["-newkey", "rsa:2048"],
              "rsa-4096": ["-newkey", "rsa:4096"],
              "ec-p256": ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
              "ec-p384": ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"]}[key]
    run = lambda *a: subprocess.run(list(a), check=True, capture_output=True, timeout=60)
    run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-nodes", "-keyout", str(out / "ca.key"), "-out", str(out / "chain.pem"),
        "-subj", "/CN=pkibridge fallback test CA", "-days", "30")
    for name, cn in (("sign", "Test Holder (sign)"), ("auth", "Test Holder (auth)")):
        run("openssl", "req", *newkey, "-nodes", "-keyout", str(out / f"{name}.key"),
            "-out", str(out / f"{name}.csr"), "-subj", f"/CN={cn}")
        run("openssl", "x509", "-req", "-in", str(out / f"{name}.csr"), "-CA",
            str(out / "chain.pem"), "-CAkey", str(out / "ca.key"), "-CAcreateserial",
            "-days", "30", "-out", str(out / f"{name}.pem"))
        (out / f"{name}.csr").unlink()


def issue_pair(pkcs_tool: str, key: str = "ec-p256", holder: str = "person",
               issue_args=()) -> tuple:
    """A signing + authentication pair from the test CA, cached per pkcs-tool build, day
    and arguments (several test processes share it). issue_args go to `ca issue` as they
    are (e.g. ["--not-before", ..., "--not-after", ...] for an expired pair). Returns
    (pair_dir, ca_dir or None)."""
    issue_args = [str(a) for a in issue_args]
    ident = hashlib.sha256(
        f"{_tool_identity(pkcs_tool)}:{key}:{holder}:{issue_args}:{time.strftime('%Y%m%d')}"
        .encode()).hexdigest()[:16]
    root = _cache_root()
    root.mkdir(parents=True, exist_ok=True)
    entry = root / f"pair-{ident}"
    with open(root / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # Entries of older builds and days are never used again.
        for old in root.glob("pair-*"):
            try:
                if old != entry and time.time() - old.stat().st_mtime > 3 * 86400:
                    shutil.rmtree(old, ignore_errors=True)
            except OSError:
                pass
        if (entry / "done").exists():
            ca = entry / "ca"
            return entry / "pair", (ca if ca.exists() else None)
        shutil.rmtree(entry, ignore_errors=True)
        work = Path(tempfile.mkdtemp(prefix="pair-", dir=root))
        holders = {"person": ["--type", "person", "--name", "測試用戶", "--id", "A123456789"],
                   "company": ["--type", "company", "--name", "測試公司", "--ubn", "12345678"],
                   "org": ["--type", "org", "--name", "測試機構", "--oid", "2.16.886.101.999"],
                   "agency": ["--type", "agency", "--name", "測試機關", "--oid", "2.16.886.101.998"]}
        init = subprocess.run([pkcs_tool, "ca", "init", str(work / "ca")],
                              capture_output=True, text=True, timeout=120)
        issued = None
        if init.returncode == 0:
            issued = subprocess.run([pkcs_tool, "ca", "issue", str(work / "ca"),
                                     *holders[holder], "--key", key, *issue_args,
                                     "--out", str(work / "pair")],
                                    capture_output=True, text=True, timeout=120)
        if (init.returncode != 0 or issued.returncode != 0) and issue_args:
            shutil.rmtree(work, ignore_errors=True)
            raise PcscEnvError("pkcs-tool ca init/issue failed: "
                               f"{(init.stderr or (issued.stderr if issued else '')).strip()}")
        if init.returncode != 0 or issued.returncode != 0:
            print("pcsc_env: `pkcs-tool ca` unavailable, using an openssl-made pair: "
                  f"{(init.stderr or (issued.stderr if issued else '')).strip()[:300]}",
                  file=sys.stderr)
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir()
            (work / "pair").mkdir()
            _openssl_pair(work / "pair", key)
        (work / "done").write_text("ok\n")
        os.replace(work, entry)
        ca = entry / "ca"
        return entry / "pair", (ca if ca.exists() else None)


def make_card(pkcs_tool: str, dest, key: str = "ec-p256", pin: str = "123456",
              puk: str = "12345678", holder: str = "person", extra_args=(),
              issue_args=()) -> CardDir:
    """`ca init` -> `ca issue` (cached) -> `vcard provision` into dest (a new directory):
    9C holds the signing pair, 9A the authentication pair. holder: person, company, org or
    agency; extra_args go to `vcard provision` (e.g. ["--guid", hex]), issue_args to
    `ca issue`."""
    pair, ca = issue_pair(pkcs_tool, key, holder, issue_args)
    dest = Path(dest)
    r = subprocess.run([pkcs_tool, "vcard", "provision", "--dir", str(dest), "--from", str(pair),
                        "--pin", pin, "--puk", puk, *extra_args],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise PcscEnvError(f"vcard provision failed ({r.returncode}): {r.stderr.strip()}")
    return CardDir(dest, pair, ca, key, pin, puk)


# --- command line -------------------------------------------------------------------------

def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _demo(args) -> int:
    # Ctrl-C, and SIGTERM too, end the demo through the normal clean-up.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    base = Path(tempfile.mkdtemp(prefix="pkibridge-demo-"))
    try:
        card_dir = Path(args.card) if args.card else make_card(args.pkcs_tool, base / "card",
                                                              key=args.key).path
        with PcscEnv(pkcs_tool=args.pkcs_tool, keep=args.keep) as env:
            card = env.card(card_dir)
            print(f"pcscd socket:   {env.socket} ({env.mode})")
            print(f"reader:         {card.reader}")
            print(f"card directory: {card_dir}")
            print(f"APDU log:       {card.log_path}")
            print(f"use:            export PCSCLITE_CSOCK_NAME={env.socket}")
            print("                yubico-piv-tool -r 'Virtual PCD 00 00' -a status")
            print("Ctrl-C to stop; kill -USR1/-USR2 "
                  f"{card.pid} removes/inserts the card.", flush=True)
            try:
                while card.proc.poll() is None:
                    time.sleep(0.5)
            except KeyboardInterrupt:
                pass
        return 0
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _selftest(args) -> int:
    """Starts two environments at once, checks isolation and card detection."""
    base = Path(tempfile.mkdtemp(prefix="pkibridge-selftest-"))
    try:
        card_dir = make_card(args.pkcs_tool, base / "card")
        t0 = time.monotonic()
        with PcscEnv(pkcs_tool=args.pkcs_tool) as a, PcscEnv(pkcs_tool=args.pkcs_tool) as b:
            assert a.socket != b.socket and a.port != b.port
            card = a.card(card_dir)
            elapsed = time.monotonic() - t0
            assert a.card_present(0) and not b.card_present(0), "card leaked between envs"
            print(f"two environments ({a.mode}) and a card up in {elapsed:.2f}s")
            card.remove()
            card.insert()
            b.stop_pcscd()
            assert not b.reader_states()["service"], "stopped pcscd still answers"
            b.start_pcscd()
        return 0
    finally:
        shutil.rmtree(base, ignore_errors=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("probe", help="print the reader states (JSON) of $PCSCLITE_CSOCK_NAME")
    demo = sub.add_parser("demo", help="run a private pcscd with a virtual card until Ctrl-C")
    demo.add_argument("--pkcs-tool", default=os.environ.get("PKCS_TOOL") or "pkcs-tool")
    demo.add_argument("--card", help="existing card directory (default: a new one)")
    demo.add_argument("--key", default="ec-p256", help="key type of a new card")
    demo.add_argument("--keep", action="store_true", help="keep the temp dir for inspection")
    st = sub.add_parser("selftest", help="check that private environments work here")
    st.add_argument("--pkcs-tool", default=os.environ.get("PKCS_TOOL") or "pkcs-tool")
    args = parser.parse_args(argv)
    if args.cmd == "probe":
        print(json.dumps(probe_readers()))
        return 0
    if args.cmd == "demo":
        return _demo(args)
    return _selftest(args)


if __name__ == "__main__":
    sys.exit(main())
