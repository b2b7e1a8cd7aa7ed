// Just enough DER reading to take the SubjectPublicKeyInfo and the validity out of an X.509
// certificate for the self-test's WebCrypto check. Extension pages can load no library from
// the network, and WebCrypto imports keys but does not parse certificates.

/** Reads one TLV at `offset`: { tag, start (of contents), end, headerStart }. */
export function readTlv(bytes, offset) {
  if (offset + 2 > bytes.length) throw new Error('DER: truncated header');
  const tag = bytes[offset];
  let len = bytes[offset + 1];
  let pos = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || pos + n > bytes.length) throw new Error('DER: bad length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + bytes[pos + i];
    pos += n;
  }
  if (pos + len > bytes.length) throw new Error('DER: truncated value');
  return { tag, start: pos, end: pos + len, headerStart: offset };
}

/** The direct children of a constructed TLV. */
export function children(bytes, tlv) {
  const out = [];
  for (let p = tlv.start; p < tlv.end; ) {
    const c = readTlv(bytes, p);
    out.push(c);
    p = c.end;
  }
  return out;
}

/** Dotted text of an OBJECT IDENTIFIER's contents. */
export function oidText(bytes, tlv) {
  const parts = [];
  let value = 0;
  for (let i = tlv.start; i < tlv.end; i++) {
    value = value * 128 + (bytes[i] & 0x7f);
    if (!(bytes[i] & 0x80)) {
      if (parts.length === 0) parts.push(Math.min(2, Math.floor(value / 40)), value - Math.min(2, Math.floor(value / 40)) * 40);
      else parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

/**
 * The SubjectPublicKeyInfo of a DER certificate: its DER bytes, the key algorithm OID and,
 * for EC keys, the curve OID.
 */
export function certificateSpki(der) {
  const bytes = der instanceof Uint8Array ? der : new Uint8Array(der);
  const cert = readTlv(bytes, 0);
  const [tbs] = children(bytes, cert);
  const fields = children(bytes, tbs);
  const i = fields[0].tag === 0xa0 ? 1 : 0; // optional [0] version
  const spki = fields[i + 5];
  const [alg] = children(bytes, spki);
  const [algOid, params] = children(bytes, alg);
  return {
    der: bytes.slice(spki.headerStart, spki.end),
    algorithm: oidText(bytes, algOid),
    curve: params && params.tag === 0x06 ? oidText(bytes, params) : null,
  };
}

/** ECDSA signatures come DER-encoded (SEQUENCE of two INTEGERs); WebCrypto wants r‖s. */
export function ecdsaDerToRaw(sig, size) {
  const bytes = sig instanceof Uint8Array ? sig : new Uint8Array(sig);
  const seq = readTlv(bytes, 0);
  const [r, s] = children(bytes, seq);
  const out = new Uint8Array(size * 2);
  const put = (tlv, at) => {
    let v = bytes.slice(tlv.start, tlv.end);
    while (v.length > size && v[0] === 0) v = v.slice(1);
    out.set(v, at + size - v.length);
  };
  put(r, 0);
  put(s, size);
  return out;
}
