#!/usr/bin/python3
"""TEST DOUBLE of the pkibridge native host — for the extension's browser tests only.

It speaks the native messaging protocol of docs/native-messaging-protocol.md (4-byte native-endian
length + UTF-8 JSON; requests {id, command, origin, arguments}; replies {id, result} or
{id, error}; events {event, ...}) so the extension's own logic (origin policy, PIN window,
chooser, HiPKI mapping) can be tested before and independently of the real host. It is NOT the
real host: no PC/SC, no card; keys are PEM files and signatures are made with the `openssl` CLI.
The end-to-end tests (tests/e2e/real-*.test.mjs) use the real pkibridge-host instead.

Configuration: JSON file named by $PKIBRIDGE_TEST_DOUBLE_CONFIG:
  version, allowedOrigins[], pin, triesLeft, pinPad (bool), pinPadDelayMs,
  readers[]: {name, cardSerial, certificates[]: {certificateId, certPath, keyPath, gpki, caKind}},
  logPath: every request is appended there as one JSON line (a PIN only as its length).
"""
import base64
import datetime
import json
import os
import queue
import struct
import subprocess
import sys
import tempfile
import threading

CONFIG = json.load(open(os.environ["PKIBRIDGE_TEST_DOUBLE_CONFIG"], encoding="utf-8"))
CALLER = (sys.argv[1] if len(sys.argv) > 1 else "").rstrip("/")  # chrome-extension://<id>
OUT_LOCK = threading.Lock()
STATE_LOCK = threading.Lock()
WAITERS = {}  # requestId → queue of ("pin", pin) / ("cancel", None)
STATE = {"busy": False, "triesLeft": CONFIG.get("triesLeft", 3)}
KU_NAMES = {
    "Digital Signature": "digitalSignature",
    "Non Repudiation": "nonRepudiation",
    "Key Encipherment": "keyEncipherment",
    "Data Encipherment": "dataEncipherment",
    "Key Agreement": "keyAgreement",
}


class HostError(Exception):
    def __init__(self, code, message, **details):
        super().__init__(message)
        self.code, self.message, self.details = code, message, details


def send(obj):
    data = json.dumps(obj).encode("utf-8")
    with OUT_LOCK:
        sys.stdout.buffer.write(struct.pack("=I", len(data)) + data)
        sys.stdout.buffer.flush()


def log(entry):
    path = CONFIG.get("logPath")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry) + "\n")


def openssl(*args, data=b""):
    p = subprocess.run(["openssl", *args], input=data, capture_output=True, check=False)
    if p.returncode != 0:
        raise HostError("ERR_INTERNAL", "openssl failed: " + p.stderr.decode(errors="replace")[:200])
    return p.stdout


def iso(openssl_date):
    d = datetime.datetime.strptime(openssl_date.strip(), "%b %d %H:%M:%S %Y %Z")
    return d.replace(tzinfo=datetime.timezone.utc).isoformat().replace("+00:00", "Z")


def describe(reader, entry):
    pem = open(entry["certPath"], "rb").read()
    der = openssl("x509", "-outform", "DER", data=pem)
    text = openssl("x509", "-noout", "-nameopt", "RFC2253,-esc_msb", "-subject", "-issuer", "-serial",
                   "-startdate", "-enddate", "-ext", "keyUsage", data=pem).decode("utf-8")
    fields, usage = {}, []
    for line in text.splitlines():
        if "=" in line and not line.startswith(" "):
            k, v = line.split("=", 1)
            fields[k.strip()] = v.strip()
        elif line.startswith(" "):
            usage = [KU_NAMES.get(u.strip(), u.strip()) for u in line.split(",")]
    cn = next((part[3:] for part in fields["subject"].split(",") if part.startswith("CN=")), "")
    return {
        "reader": reader["name"],
        "cardType": "PIV (test double)",
        "slot": entry.get("slot", "9c"),
        "slotLabel": "Digital Signature",
        "authenticationKey": entry.get("authenticationKey", False),
        "certificateId": entry["certificateId"],
        "certificate": base64.b64encode(der).decode(),
        "subject": fields["subject"],
        "subjectCommonName": cn,
        "issuer": fields["issuer"],
        "serial": fields["serial"].upper(),
        "notBefore": iso(fields["notBefore"]),
        "notAfter": iso(fields["notAfter"]),
        "keyUsage": usage,
        "extendedKeyUsage": [],
        "gpki": entry.get("gpki", {}),
        "caKind": entry.get("caKind", "other"),
    }


def all_certificates():
    return [(r, c, describe(r, c)) for r in CONFIG.get("readers", []) for c in r.get("certificates", [])]


def check_origin(origin):
    if CONFIG.get("allowCaller", False) and origin == CALLER:  # see docs/extension.md, self-test
        return
    if origin not in CONFIG.get("allowedOrigins", []):
        raise HostError("ERR_ORIGIN_NOT_ALLOWED", f"{origin} is not allowed", origin=origin)


def status(req):
    origin = req.get("origin")
    result = {
        "hostVersion": CONFIG.get("version", "0.0.0-test-double"),
        "protocolVersion": 1,
        "testDouble": True,
        "origin": {"origin": origin if origin and origin.startswith("https://") else None,
                   "allowed": origin in CONFIG.get("allowedOrigins", [])},
        "readers": [{"name": r["name"], "cardPresent": True, "atr": "3B00", "cardType": "PIV (test double)",
                     "pinPad": CONFIG.get("pinPad", False), "inUse": False}
                    for r in CONFIG.get("readers", [])],
        "pcsc": {"available": True},
        "busy": STATE["busy"],
    }
    if CONFIG.get("reportAllowedOrigins", True):  # the real host reports them; older ones did not
        result["allowedOrigins"] = CONFIG.get("allowedOrigins", [])
    return result


def list_certificates(_req):
    # Like the real host: listing is not origin-checked (the extension checks it for pages).
    return {"certificates": [d for _, _, d in all_certificates()], "skippedReaders": []}


def wait_for_pin(req, reader, desc):
    """Asks the extension for the PIN until it is right, cancelled, blocked or timed out."""
    rid = req["id"]
    q = queue.Queue()
    WAITERS[rid] = q
    last_error = None
    try:
        while True:
            event = {"event": "pin-required", "requestId": rid, "reader": reader["name"],
                     "certificate": {k: desc[k] for k in ("certificateId", "slot", "subject", "subjectCommonName",
                                                          "issuer", "serial", "notAfter", "caKind")},
                     "origin": req["origin"], "triesLeft": STATE["triesLeft"],
                     "pinPad": CONFIG.get("pinPad", False),
                     "pinFormat": {"minLength": 6, "maxLength": 8, "digitsOnly": True}}
            if last_error:
                event["lastError"] = last_error
            send(event)
            if CONFIG.get("pinPad", False):
                try:
                    kind, _ = q.get(timeout=CONFIG.get("pinPadDelayMs", 500) / 1000)
                except queue.Empty:
                    return  # the "reader" verified the PIN
                if kind == "cancel":
                    raise HostError("ERR_USER_CANCELLED", "cancelled on the PIN pad")
                return
            try:
                kind, pin = q.get(timeout=CONFIG.get("pinTimeoutSeconds", 120))
            except queue.Empty:
                raise HostError("ERR_TIMEOUT", "no PIN within the time limit")
            if kind == "cancel":
                raise HostError("ERR_USER_CANCELLED", "cancelled by the user")
            if pin == CONFIG.get("pin", "123456"):
                STATE["triesLeft"] = CONFIG.get("triesLeft", 3)
                return
            STATE["triesLeft"] -= 1
            if STATE["triesLeft"] <= 0:
                raise HostError("ERR_PIN_BLOCKED", "the PIN is blocked")
            last_error = "ERR_PIN_INCORRECT"
    finally:
        WAITERS.pop(rid, None)


def find(cert_id):
    for reader, entry, desc in all_certificates():
        if desc["certificateId"] == cert_id:
            return reader, entry, desc
    raise HostError("ERR_CERTIFICATE_NOT_FOUND", f"no certificate {cert_id}")


def login_key():
    """The real host's preference: authentication key, else a certificate that signs."""
    ranked = sorted(all_certificates(), key=lambda t: (not t[2]["authenticationKey"],
                                                       "digitalSignature" not in t[2]["keyUsage"]))
    for reader, entry, desc in ranked:
        if desc["authenticationKey"] or "digitalSignature" in desc["keyUsage"]:
            return reader, entry, desc
    raise HostError("ERR_CERTIFICATE_NOT_FOUND", "no certificate usable for login")


def cms(entry, data, attached, md):
    with tempfile.NamedTemporaryFile() as f:
        f.write(data)
        f.flush()
        args = ["cms", "-sign", "-binary", "-outform", "DER", "-md", md, "-signer", entry["certPath"],
                "-inkey", entry["keyPath"], "-in", f.name]
        if attached:
            args.append("-nodetach")
        return openssl(*args)


def card_operation(req, body):
    with STATE_LOCK:
        if STATE["busy"]:
            raise HostError("ERR_BUSY", "another card operation is running")
        STATE["busy"] = True
    try:
        check_origin(req["origin"])
        args = req.get("arguments") or {}
        if args.get("certificateId") is None and req["command"] == "authenticate":
            reader, entry, desc = login_key()
        else:
            reader, entry, desc = find(args.get("certificateId"))
        if STATE["triesLeft"] <= 0:
            raise HostError("ERR_PIN_BLOCKED", "the PIN is blocked")
        wait_for_pin(req, reader, desc)
        return body(args, reader, entry, desc)
    finally:
        STATE["busy"] = False


def sign(req):
    args = req.get("arguments") or {}
    if not isinstance(args.get("certificateId"), str):
        raise HostError("ERR_BAD_REQUEST", 'argument "certificateId" is required')
    if args.get("hashAlgorithm", "sha256") not in ("sha256", "sha384", "sha512"):
        raise HostError("ERR_BAD_REQUEST", 'argument "hashAlgorithm" must be sha256, sha384 or sha512')
    if "nonce" in args:
        nonce = base64.b64decode(args["nonce"])
        if not 1 <= len(nonce) <= 64 or args.get("format") == "raw":
            raise HostError("ERR_BAD_REQUEST", 'argument "nonce" must be 1 to 64 bytes, CMS formats only')

    def body(args, reader, entry, desc):
        md = args.get("hashAlgorithm", "sha256")
        fmt = args.get("format", "cms-attached")
        result = {"format": fmt, "certificateId": desc["certificateId"], "certificate": desc["certificate"],
                  "hashAlgorithm": md}
        if "hash" in args:
            digest = base64.b64decode(args["hash"])
            if fmt != "raw":
                raise HostError("ERR_BAD_REQUEST", "the double signs hashes only as raw")
            sig = openssl("pkeyutl", "-sign", "-inkey", entry["keyPath"], "-pkeyopt", f"digest:{md}", data=digest)
            result["signature"] = base64.b64encode(sig).decode()
        else:
            data = base64.b64decode(args.get("data", ""))
            if fmt == "raw":
                result["signature"] = base64.b64encode(openssl("dgst", f"-{md}", "-sign", entry["keyPath"], data=data)).decode()
            else:
                result["pkcs7"] = base64.b64encode(cms(entry, data, fmt == "cms-attached", md)).decode()
        if args.get("includeCardSerial"):
            result["cardSerial"] = reader.get("cardSerial", "")
        return result
    return card_operation(req, body)


def authenticate(req):
    def body(args, _reader, entry, desc):
        issued = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        token = json.dumps({"format": "pkibridge-auth:1", "origin": req["origin"], "nonce": args.get("nonce"),
                            "issuedAt": issued}, separators=(",", ":")).encode()
        return {"format": "pkibridge-auth:1", "certificate": desc["certificate"],
                "pkcs7": base64.b64encode(cms(entry, token, True, "sha256")).decode()}
    return card_operation(req, body)


def deliver(req, kind):
    args = req.get("arguments") or {}
    rid = args.get("requestId")
    if kind == "cancel":
        targets = [rid] if rid is not None else list(WAITERS)
        hit = [t for t in targets if t in WAITERS]
        for t in hit:
            WAITERS[t].put(("cancel", None))
        return {"cancelled": bool(hit), "requestId": hit[0]} if hit else {"cancelled": False}
    q = WAITERS.get(rid)
    if q is None:
        raise HostError("ERR_BAD_REQUEST", f"no request {json.dumps(rid)} is waiting for a PIN")
    pin = args.get("pin")
    if not isinstance(pin, str) or not pin.isdigit() or not 6 <= len(pin) <= 8:
        raise HostError("ERR_PIN_FORMAT", "the PIN must be 6 to 8 digits")
    q.put(("pin", pin))
    return {"accepted": True}


def run(req, handler):
    try:
        send({"id": req["id"], "result": handler(req)})
    except HostError as e:
        send({"id": req["id"], "error": {"code": e.code, "message": e.message, **e.details}})
    except Exception as e:  # the double must never hang a test
        send({"id": req["id"], "error": {"code": "ERR_INTERNAL", "message": str(e)}})


def main():
    handlers = {"status": status, "list-certificates": list_certificates}
    workers = {"sign": sign, "authenticate": authenticate}
    while True:
        head = sys.stdin.buffer.read(4)
        if len(head) < 4:
            return
        (length,) = struct.unpack("=I", head)
        req = json.loads(sys.stdin.buffer.read(length).decode("utf-8"))
        args = req.get("arguments") or {}
        entry = {"command": req.get("command"), "origin": req.get("origin"), "keys": sorted(args)}
        if req.get("command") == "pin":
            entry["pinLength"] = len(args.get("pin", ""))
        log(entry)
        command = req.get("command")
        if command in handlers:
            run(req, handlers[command])
        elif command in workers:
            threading.Thread(target=run, args=(req, workers[command]), daemon=True).start()
        elif command in ("pin", "cancel"):
            run(req, lambda r, k=command: deliver(r, k))
        else:
            send({"id": req.get("id"), "error": {"code": "ERR_UNKNOWN_COMMAND", "message": str(command)}})


if __name__ == "__main__":
    main()
