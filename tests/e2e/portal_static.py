#!/usr/bin/env python3
"""The portal pages as pkibridge-server serves them (verify-server/src/http/portal/
portal_pages.cpp), over real HTTP: "/" is the login page, MIME types, one strict CSP on pages,
no folder listing, no path traversal, no hidden or unknown files, the API untouched.

Usage: portal_static.py PKIBRIDGE_SERVER WEB_ROOT
"""
import http.client
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time

SERVER, WEB = sys.argv[1], pathlib.Path(sys.argv[2])
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, path, method="GET"):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    # skip_host etc. are not needed; putrequest keeps the raw path (no normalisation).
    conn.putrequest(method, path)
    conn.endheaders()
    r = conn.getresponse()
    body = r.read()
    headers = r.getheaders()
    conn.close()
    return r.status, headers, body


def header_values(headers, name):
    return [v for k, v in headers if k.lower() == name.lower()]


def main():
    work = pathlib.Path(tempfile.mkdtemp(prefix="pkibridge-portal-static-"))
    proc = None
    try:
        root = work / "web"
        shutil.copytree(WEB, root)
        (root / ".secret.html").write_text("hidden")
        (root / "notes.md").write_text("not a web file")
        (root / "sub").mkdir()
        (root / "sub" / "page.html").write_text("<!doctype html><p>sub")
        (work / "outside.html").write_text("outside the root")
        port = free_port()
        config = work / "server.json"
        config.write_text('{"portal": {"webRoot": "%s"}, "log": {"level": "warning", "accessLog": false}}' % root)
        proc = subprocess.Popen([SERVER, "--config", str(config), "--listen", f"127.0.0.1:{port}", "--insecure-http",
                                 "--db", str(work / "db.sqlite")], stdout=subprocess.PIPE, text=True)
        deadline = time.time() + 20
        while time.time() < deadline:
            line = proc.stdout.readline()
            if "listening on" in line or not line:
                break
        check(proc.poll() is None, "the server started")

        status, headers, body = get(port, "/")
        login = (WEB / "login.html").read_bytes()
        check(status == 200 and body == login, "/ is the login page")
        csp = header_values(headers, "Content-Security-Policy")
        check(len(csp) == 1 and csp[0].startswith("default-src 'self'"), f"one page CSP on /: {csp}")
        check(header_values(headers, "Content-Type") == ["text/html; charset=utf-8"], "/ is utf-8 HTML")
        check(header_values(headers, "X-Frame-Options") == ["DENY"], "pages cannot be framed")
        check(header_values(headers, "X-Content-Type-Options") == ["nosniff"], "nosniff")

        for path, mime in (("/login.html", "text/html; charset=utf-8"), ("/index.html", "text/html; charset=utf-8"),
                           ("/css/portal.css", "text/css; charset=utf-8"),
                           ("/js/login.js", "text/javascript; charset=utf-8"),
                           ("/js/pkibridge.js", "text/javascript; charset=utf-8"),
                           ("/sub/page.html", "text/html; charset=utf-8")):
            status, headers, body = get(port, path)
            check(status == 200 and header_values(headers, "Content-Type") == [mime], f"{path} → 200 {mime}")
            check(len(header_values(headers, "Content-Security-Policy")) == 1, f"{path} has exactly one CSP")
        status, headers, body = get(port, "/js/login.js", "HEAD")
        check(status == 200 and body == b"", "HEAD works")

        for path in ("/js/", "/sub/", "/sub", "/css"):
            status, _, body = get(port, path)
            check(status == 404 and b"login.js" not in body and b"portal.css" not in body, f"no listing of {path} ({status})")
        for path in ("/../outside.html", "/%2e%2e/outside.html", "/js/..%2f..%2foutside.html", "/sub/../../outside.html"):
            status, _, body = get(port, path)
            check(status in (400, 404) and b"outside the root" not in body, f"no traversal with {path} ({status})")
        for path in ("/.secret.html", "/notes.md", "/login.html%00.css", "/nothing.html"):
            status, _, body = get(port, path)
            check(status == 404 and b"hidden" not in body, f"{path} is not served ({status})")

        status, headers, body = get(port, "/api/v1/health")
        check(status in (200, 503) and body.startswith(b"{"), "the API still answers JSON")
        csp = header_values(headers, "Content-Security-Policy")
        check(csp == ["default-src 'none'; frame-ancestors 'none'"], f"the API keeps its own CSP: {csp}")
        status, _, body = get(port, "/api/v1/no-such-endpoint")
        check(status == 404 and body.startswith(b"{"), "unknown API paths are JSON 404s")
        proc.terminate()
        proc.wait(10)

        # A configured web root without login.html: said in the log, no pages, the API works.
        empty = work / "empty"
        empty.mkdir()
        port = free_port()
        config.write_text('{"portal": {"webRoot": "%s"}}' % empty)
        proc = subprocess.Popen([SERVER, "--config", str(config), "--listen", f"127.0.0.1:{port}", "--insecure-http",
                                 "--db", str(work / "db.sqlite")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        proc.stdout.readline()
        status, _, body = get(port, "/")
        check(status == 404 and body.startswith(b"{"), f"no pages from a web root without login.html ({status})")
        status, _, _ = get(port, "/api/v1/health")
        check(status in (200, 503), "the API works without pages")
        proc.terminate()
        _, err = proc.communicate(timeout=10)
        check("holds no login.html" in err, "the log names the unusable web root")
    finally:
        if proc and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(work, ignore_errors=True)
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
