#!/usr/bin/env python3
"""Static checks of the extension folder: manifest identity and permissions, CSP, files that
the manifest names, locales (zh_TW and en complete, every key used exists), no remote code,
icons, redirect rules. Usage: check_extension.py EXTENSION_DIR IDS_ENV"""
import hashlib
import json
import pathlib
import re
import struct
import sys

ext = pathlib.Path(sys.argv[1])
ids = dict(line.split("=", 1) for line in pathlib.Path(sys.argv[2]).read_text().splitlines()
           if re.match(r"^PKIBRIDGE_[A-Z_]+=", line))
failures = []


def check(cond, message):
    if not cond:
        failures.append(message)


manifest = json.loads((ext / "manifest.json").read_text(encoding="utf-8"))
check(manifest["manifest_version"] == 3, "manifest_version must be 3")
check(manifest.get("default_locale") == "zh_TW", "default_locale must be zh_TW")

# Identity: Chrome derives the id from the public key; installers use ids.env.
import base64  # noqa: E402
digest = hashlib.sha256(base64.b64decode(manifest["key"])).hexdigest()[:32]
ext_id = "".join(chr(ord("a") + int(c, 16)) for c in digest)
check(ext_id == ids["PKIBRIDGE_CHROME_EXTENSION_ID"], f"key gives id {ext_id}, ids.env says {ids['PKIBRIDGE_CHROME_EXTENSION_ID']}")
check(manifest["browser_specific_settings"]["gecko"]["id"] == ids["PKIBRIDGE_FIREFOX_EXTENSION_ID"], "gecko id differs from ids.env")

# Minimal permissions.
check(set(manifest["permissions"]) == {"nativeMessaging", "storage", "declarativeNetRequest", "scripting"},
      f"unexpected permissions {manifest['permissions']}")
check(set(manifest["host_permissions"]) == {"https://*/*", "http://localhost:61161/*", "http://127.0.0.1:61161/*"},
      f"unexpected host permissions {manifest['host_permissions']}")
check("optional_permissions" not in manifest, "no optional permissions expected")

# Strict CSP, no remote sources.
csp = manifest["content_security_policy"]["extension_pages"]
for needed in ("default-src 'none'", "script-src 'self'", "object-src 'none'", "base-uri 'none'"):
    check(needed in csp, f"CSP lacks {needed}")
for banned in ("unsafe-eval", "unsafe-inline", "http:", "https:", "*"):
    check(banned not in csp, f"CSP must not contain {banned}")

# Every file the manifest names exists.
named = [manifest["background"]["service_worker"], *manifest["background"]["scripts"],
         manifest["options_ui"]["page"], manifest["storage"]["managed_schema"],
         *manifest["icons"].values(), *manifest["action"]["default_icon"].values(),
         *(r["path"] for r in manifest["declarative_net_request"]["rule_resources"]),
         *(f for cs in manifest["content_scripts"] for f in cs["js"]),
         *(f for w in manifest["web_accessible_resources"] for f in w["resources"]),
         "content/hipki-main.js"]
for f in named:
    check((ext / f).is_file(), f"missing file {f}")

# Icons: PNGs of the size in their name.
for size, f in manifest["icons"].items():
    data = (ext / f).read_bytes()
    check(data[:8] == b"\x89PNG\r\n\x1a\n", f"{f} is not a PNG")
    w, h = struct.unpack(">II", data[16:24])
    check((w, h) == (int(size), int(size)), f"{f} is {w}x{h}, not {size}")

# Redirect rules only for the HiPKI address.
for rule in json.loads((ext / "rules/hipki-redirect.json").read_text()):
    check(rule["condition"]["regexFilter"].startswith("^http://(localhost|127\\.0\\.0\\.1):61161/"), "a redirect rule outside localhost:61161")
    check(rule["action"]["redirect"]["extensionPath"] in
          {p for w in manifest["web_accessible_resources"] for p in ("/" + r for r in w["resources"])},
          "the redirect target must be web accessible")

# Locales: the same keys in both, and every key the code uses exists.
zh = json.loads((ext / "_locales/zh_TW/messages.json").read_text(encoding="utf-8"))
en = json.loads((ext / "_locales/en/messages.json").read_text(encoding="utf-8"))
check(set(zh) == set(en), f"locale keys differ: {sorted(set(zh) ^ set(en))}")
check(all(v["message"].strip() for v in [*zh.values(), *en.values()]), "an empty message")
check(len(en["extDescription"]["message"]) <= 132 and len(zh["extDescription"]["message"]) <= 132, "description over 132 characters")
used = set()
sources = [p for p in ext.rglob("*") if p.suffix in (".js", ".html", ".json") and "tools" not in p.parts]
for p in sources:
    text = p.read_text(encoding="utf-8")
    used |= set(re.findall(r'data-i18n="([A-Za-z_]+)"', text))
    if p.suffix == ".html":
        used |= {k for pair in re.findall(r'data-i18n-attr="([^"]+)"', text) for k in re.findall(r":\s*([A-Za-z_]+)", pair)}
    used |= set(re.findall(r"\bt\('([A-Za-z_]+)'", text))
    used |= set(re.findall(r"show\('([A-Za-z_]+)'", text))
    used |= set(re.findall(r"__MSG_([A-Za-z_]+)__", text))
    # keys chosen at run time: 'purposeSign' / 'purposeLogin' …, 'hipkiDone' / 'hipkiFailed' …
    if p.parent.name in ("ui", "hipki"):
        used |= set(re.findall(r"'((?:purpose|hipki)[A-Z][A-Za-z]+)'", text))
check(not (used - set(zh)), f"keys used but not defined: {sorted(used - set(zh))}")
errors_js = (ext / "background/errors.js").read_text()
for code in re.findall(r"'ERR_([A-Z_]+)'", errors_js):
    check(f"error_{code}" in zh, f"no message for ERR_{code}")

# No remote code: no remote script sources, no eval, no network URLs except the HiPKI address.
allowed_urls = ("http://localhost:61161", "http://127.0.0.1:61161", "http://json-schema.org/",
                "http://(localhost|127", "https://portal.example.gov.tw", "https://*.example.gov.tw")
for p in sources:
    text = p.read_text(encoding="utf-8")
    check(not re.search(r"\beval\s*\(|new Function\s*\(", text), f"{p.relative_to(ext)} uses eval")
    for url in re.findall(r"https?://[^\s'\"`)<>]+", text):
        if p.name == "manifest.json" and url.startswith("https://*/"):
            continue
        check(url.startswith(allowed_urls), f"{p.relative_to(ext)} names a remote URL: {url}")
    check(not re.search(r"<script[^>]+src=\"(https?:)?//", text), f"{p.relative_to(ext)} loads a remote script")
    check(not re.search(r"<script>(?!\s*</script>)", text) or p.parent.name == "pages", f"{p.relative_to(ext)} has an inline script (CSP forbids it)")

for f in failures:
    print("FAIL:", f)
print(f"{len(failures) == 0 and 1 or 0} passed, {len(failures) and 1 or 0} failed")
sys.exit(1 if failures else 0)
