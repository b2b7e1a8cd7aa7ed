#!/usr/bin/env python3
"""Static checks of the portal pages (verify-server/web/), so that they keep working under the
server's strict CSP (default-src 'self') and stay bilingual and keyboard-usable:

- no inline script, inline style, style attribute or on* handler; no remote script or style;
- no eval / new Function / innerHTML / document.write in the page scripts;
- every local src/href/import resolves to a file in the web root (or is an /api/ path);
- every data-i18n* key and every t('key') in the scripts exists in both languages, and the
  Chinese and English tables have the same keys;
- every form control has a label (label[for], aria-label or aria-labelledby); ids are unique;
- js/pkibridge.js is NOT in the source pages: the build adds extension/page-api/pkibridge.js
  (its one home) beside them, so a reference to /js/pkibridge.js counts as resolved.

Usage: check_portal_pages.py WEB_ROOT PAGE_API_JS [NODE]
"""
import html.parser
import json
import pathlib
import re
import subprocess
import sys

errors = []


def fail(where, message):
    errors.append(f"{where}: {message}")


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []  # (tag, attrs dict, line)
        self.script_open = None
        self.style_open = False
        self.inline_script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.elements.append((tag, a, self.getpos()[0]))
        if tag == "script":
            self.script_open = a
        if tag == "style":
            self.style_open = True

    def handle_endtag(self, tag):
        if tag == "script":
            self.script_open = None
        if tag == "style":
            self.style_open = False

    def handle_data(self, data):
        if self.script_open is not None and data.strip():
            self.inline_script = True


NODE = sys.argv[3] if len(sys.argv) > 3 else "node"


def string_keys(web):
    """The keys of both language tables, read by node (the file is an ES module)."""
    code = ("import(process.argv[1]).then(m => console.log(JSON.stringify("
            "{zh: Object.keys(m.STRINGS.zh), en: Object.keys(m.STRINGS.en)})))")
    out = subprocess.run([NODE, "-e", code, str(web / "js" / "strings.js")],
                         capture_output=True, text=True, check=True).stdout
    keys = json.loads(out)
    return set(keys["zh"]), set(keys["en"])


PAGE_API = None  # set by main(): the page API script the build adds as js/pkibridge.js


def local_target(web, ref):
    path = ref.split("#")[0].split("?")[0].lstrip("/")
    if path == "js/pkibridge.js" and PAGE_API is not None:
        return PAGE_API
    return web / path


def check_html(web, page, zh_keys):
    text = page.read_text(encoding="utf-8")
    p = Page()
    p.feed(text)
    where = page.name
    if p.inline_script:
        fail(where, "inline script content")
    ids = {}
    labelled = {a.get("for") for tag, a, _ in p.elements if tag == "label" and a.get("for")}
    for tag, a, line in p.elements:
        loc = f"{where}:{line}"
        if tag == "style":
            fail(loc, "<style> element (CSP style-src 'self')")
        for name in a:
            if name.startswith("on"):
                fail(loc, f"inline handler {name}")
            if name == "style":
                fail(loc, "style attribute (CSP style-src 'self')")
            if name.startswith("data-i18n") and a[name] not in zh_keys:
                fail(loc, f"unknown string key {a[name]!r}")
        if "id" in a:
            if a["id"] in ids:
                fail(loc, f"duplicate id {a['id']!r}")
            ids[a["id"]] = line
        if tag == "script" and not a.get("src"):
            fail(loc, "script without src")
        for attr in ("src", "href"):
            ref = a.get(attr)
            if not ref:
                continue
            if tag in ("script", "link") and re.match(r"^(https?:)?//", ref):
                fail(loc, f"remote {tag} {ref}")
            if ref.startswith("/") and not ref.startswith("/api/") and not local_target(web, ref).is_file():
                fail(loc, f"{ref} does not exist in the web root")
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "checkbox", "submit"):
            if a.get("id") not in labelled and not a.get("aria-label") and not a.get("aria-labelledby"):
                fail(loc, f"<{tag} id={a.get('id')!r}> has no label")
    if "<html lang=" not in text:
        fail(where, "no lang attribute")
    if 'name="viewport"' not in text:
        fail(where, "no viewport meta (phones)")


def check_js(web, script, zh_keys, en_keys):
    text = script.read_text(encoding="utf-8")
    where = f"js/{script.name}"
    for pattern, what in ((r"\beval\s*\(", "eval"), (r"new\s+Function\s*\(", "new Function"),
                          (r"\.innerHTML\b|\.outerHTML\b|insertAdjacentHTML", "HTML injection"),
                          (r"document\.write", "document.write")):
        if re.search(pattern, text):
            fail(where, f"uses {what}")
    for ref in re.findall(r"""from\s+['"]([^'"]+)['"]""", text):
        if re.match(r"^(https?:)?//", ref):
            fail(where, f"remote import {ref}")
        elif not (script.parent / ref).is_file() and not (
                script.parent.name == "js" and ref.lstrip("./") == "pkibridge.js"):
            fail(where, f"import {ref} does not exist")
    for key in re.findall(r"""\bt\(\s*'([^'$`]+)'""", text):
        if key not in zh_keys or key not in en_keys:
            fail(where, f"t({key!r}): no such string in both languages")


def main():
    web = pathlib.Path(sys.argv[1]).resolve()
    page_api = pathlib.Path(sys.argv[2]).resolve()
    global PAGE_API
    PAGE_API = page_api
    zh_keys, en_keys = string_keys(web)
    if zh_keys != en_keys:
        fail("js/strings.js", f"only in zh: {sorted(zh_keys - en_keys)}; only in en: {sorted(en_keys - zh_keys)}")
    pages = sorted(web.glob("*.html"))
    for needed in ("login.html", "home.html", "register.html", "admin.html", "selftest.html"):
        if not (web / needed).is_file():
            fail(needed, "missing")
    for page in pages:
        check_html(web, page, zh_keys)
    for script in sorted((web / "js").glob("*.js")):
        if script.name != "pkibridge.js":
            check_js(web, script, zh_keys, en_keys)
    # The page API has one home (the extension); the build puts it into js/ beside the pages.
    if (web / "js" / "pkibridge.js").exists():
        fail("js/pkibridge.js", f"must not be copied into the pages: the build takes {page_api}")
    if not page_api.is_file():
        fail("page API", f"{page_api} is missing")
    # Keys the scripts build at run time must exist too.
    dynamic = {f"status_{s}" for s in ("pending", "active", "locked", "disabled")}
    dynamic |= {f"role_{r}" for r in ("user", "registration-admin", "super-admin")}
    dynamic |= {f"modeHint_{m}" for m in ("initial", "one-day", "totp")}
    dynamic |= {f"state_{s}" for s in ("pass", "fail", "skip")}
    dynamic |= {f"check_{c}" for c in ("structure", "signature", "content", "signedAttributes", "path",
                                       "revocation", "validity", "keyUsage")}
    for key in sorted(dynamic - zh_keys):
        fail("js/strings.js", f"missing {key!r}")
    for e in errors:
        print(e)
    print(f"{len(pages)} pages checked, {len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
