"""Helpers for the pkibridge-server integration tests (Python 3 standard library only).

Starts the real server binary over HTTPS with a SQLite file in a temporary directory, drives
it with http.client, and builds a test PKI with the real `pkcs-tool ca`. Every process a
test starts is stopped by the test (context managers), never by name.
"""
import argparse
import base64
import contextlib
import http.client
import http.server
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

ORIGIN = "https://portal.test"


def parse_args(extra=None):
    p = argparse.ArgumentParser()
    p.add_argument("--server", required=True)
    p.add_argument("--pkcs-tool", required=True)
    p.add_argument("--mint", required=True)
    p.add_argument("--bench")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory")
    if extra:
        extra(p)
    return p.parse_args()


class Failures:
    """Collects check results so one run reports every failing check."""

    def __init__(self):
        self.failed = []
        self.passed = 0
        self.started = time.time()

    def check(self, condition, what, detail=""):
        stamp = f"{time.time() - self.started:6.2f}s"
        if condition:
            self.passed += 1
            print(f"  ok   {stamp} {what}")
        else:
            self.failed.append(what)
            print(f"  FAIL {stamp} {what} {detail}")

    def expect_error(self, response, status, code, what):
        got_code = None
        if isinstance(response.json, dict) and isinstance(response.json.get("error"), dict):
            got_code = response.json["error"].get("code")
        self.check(response.status == status and got_code == code,
                   f"{what}: {status} {code}", f"(got {response.status} {got_code}: {response.text[:300]})")

    def finish(self):
        print(f"{self.passed} checks passed, {len(self.failed)} failed")
        if self.failed:
            for f in self.failed:
                print(f"FAILED: {f}")
            sys.exit(1)


def run(cmd, **kw):
    res = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if res.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({res.returncode}): {res.stderr}\n{res.stdout}")
    return res.stdout


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TestCA:
    """A test hierarchy made by the real `pkcs-tool ca`."""

    def __init__(self, tool, directory, crl_base_url=None, key="ec-p256"):
        self.tool = tool
        self.dir = directory
        cmd = [tool, "ca", "init", directory, "--key", key]
        if crl_base_url:
            cmd += ["--crl-base-url", crl_base_url]
        run(cmd)
        self.root = os.path.join(directory, "root.pem")
        self.intermediates = os.path.join(directory, "intermediates.pem")

    def issue(self, out, name, national_id=None, type_="person", extra=()):
        cmd = [self.tool, "ca", "issue", self.dir, "--type", type_, "--name", name, "--out", out]
        if national_id:
            cmd += ["--id", national_id]
        run(cmd + list(extra))
        return out

    def revoke(self, cert):
        run([self.tool, "ca", "revoke", self.dir, cert])

    def crl(self, out, issuer="all", der=False, extra=()):
        cmd = [self.tool, "ca", "crl", self.dir, "--out", out, "--issuer", issuer]
        if der:
            cmd.append("--der")
        run(cmd + list(extra))
        return out


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        self.text = body.decode("utf-8", "replace")
        try:
            self.json = json.loads(self.text) if self.text else None
        except ValueError:
            self.json = None

    def header(self, name):
        return self.headers.get(name)

    def set_cookies(self):
        return [v for k, v in self.headers.items_all if k.lower() == "set-cookie"]


class _Headers:
    def __init__(self, pairs):
        self.items_all = pairs
        self._map = {}
        for k, v in pairs:
            self._map.setdefault(k.lower(), v)

    def get(self, name):
        return self._map.get(name.lower())


class Client:
    """One browser: a keep-alive HTTPS connection that verifies the server certificate and
    keeps cookies."""

    def __init__(self, server):
        self.server = server
        self.cookies = {}
        self.conn = None

    def _connect(self):
        if self.server.insecure:
            return http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        ctx = ssl.create_default_context(cafile=self.server.tls_cert)
        return http.client.HTTPSConnection("127.0.0.1", self.server.port, context=ctx, timeout=30)

    def request(self, method, path, body=None, content_type="application/json", headers=None):
        hdrs = dict(headers or {})
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        if body is not None and content_type:
            hdrs["Content-Type"] = content_type
        if self.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in range(2):
            if self.conn is None:
                self.conn = self._connect()
            try:
                self.conn.request(method, path, body=body, headers=hdrs)
                r = self.conn.getresponse()
                data = r.read()
                break
            # The server closes idle keep-alive connections (http.keepAliveTimeoutSeconds);
            # over TLS a write to such a connection fails with SSLEOFError: reconnect once.
            except (ConnectionError, http.client.RemoteDisconnected, BrokenPipeError,
                    ssl.SSLEOFError, ssl.SSLZeroReturnError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        resp = Response(r.status, _Headers(r.getheaders()), data)
        for c in resp.set_cookies():
            name, _, rest = c.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in c:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        if r.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = None
        return resp

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def challenge(self):
        r = self.post("/api/v1/challenge", body=b"")
        assert r.status == 200, r.text
        return r.json["nonce"]

    def login(self, token):
        return self.post("/api/v1/login/certificate", {"token": token})

    def close(self):
        if self.conn:
            self.conn.close()
            self.conn = None


class Server:
    """The real pkibridge-server, started with a JSON configuration file."""

    def __init__(self, binary, workdir, config, name="server", insecure=False, extra_args=()):
        self.binary = binary
        self.workdir = workdir
        self.name = name
        self.insecure = insecure
        self.config = dict(config)
        self.config.setdefault("listen", "127.0.0.1:0")
        self.config.setdefault("log", {"level": "info", "accessLog": False})
        self.config_path = os.path.join(workdir, f"{name}.json")
        with open(self.config_path, "w") as f:
            json.dump(self.config, f, indent=2)
        self.extra_args = list(extra_args)
        self.proc = None
        self.port = None
        self.tls_cert = None
        self.clients = []
        self.stderr_path = os.path.join(workdir, f"{name}.stderr")

    def start(self, timeout=20):
        cmd = [self.binary, "--config", self.config_path] + self.extra_args
        if self.insecure:
            cmd.append("--insecure-http")
        self._stderr = open(self.stderr_path, "ab")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self._stderr, text=True)
        deadline = time.time() + timeout
        lines = []
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("TLS certificate: "):
                self.tls_cert = line.split(" ")[2]
            if "listening on" in line:
                self.port = int(line.split("://", 1)[1].split(" ")[0].rsplit(":", 1)[1])
                break
        if self.port is None:
            self.stop()
            raise RuntimeError(f"{self.name} did not start: {''.join(lines)}\n{self.stderr()}")
        # Drain stdout in the background so the server never blocks on a full pipe.
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()
        return self

    def stderr(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def client(self):
        c = Client(self)
        self.clients.append(c)
        return c

    def stop(self):
        # Close our keep-alive connections first: the server lets open ones finish.
        for c in self.clients:
            c.close()
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "_stderr", None):
            self._stderr.close()
            self._stderr = None

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        if getattr(self, "_stderr", None):
            self._stderr.close()
            self._stderr = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class Minter:
    def __init__(self, binary):
        self.binary = binary

    def token(self, cred_dir, nonce, origin=ORIGIN, which="sign", **opts):
        cmd = [self.binary, "--cert", os.path.join(cred_dir, f"{which}.pem"),
               "--key", os.path.join(cred_dir, f"{which}.key"), "--origin", origin,
               "--nonce", nonce]
        for k, v in opts.items():
            cmd += ["--" + k.replace("_", "-"), str(v)]
        return json.loads(run(cmd))


def account_add(server_binary, db, national_id, name, cert=None, extra=()):
    cmd = [server_binary, "account", "add", "--db", db, "--id", national_id, "--name", name]
    if cert:
        cmd += ["--cert", cert]
    return run(cmd + list(extra))


@contextlib.contextmanager
def temp_dir(keep=False):
    d = tempfile.mkdtemp(prefix="pkibridge-server-it-")
    try:
        yield d
    finally:
        if keep:
            print(f"kept {d}")
        else:
            shutil.rmtree(d, ignore_errors=True)


class CrlHttpServer:
    """Serves a directory over HTTP on 127.0.0.1 (the CRL distribution point)."""

    def __init__(self, directory, port=0):
        handler = lambda *a, **kw: _QuietHandler(*a, directory=directory, **kw)
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.requests = 0

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def wait_until(predicate, timeout, interval=0.1):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


def b64(data):
    return base64.b64encode(data).decode()
