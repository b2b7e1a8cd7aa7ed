// Which of the card's certificates can do what, and short display forms for them.

const norm = (s) => String(s).replace(/[\s_-]/g, '').toLowerCase();

function hasUsage(cert, ...names) {
  const ku = Array.isArray(cert?.keyUsage) ? cert.keyUsage.map(norm) : [];
  return names.some((n) => ku.includes(norm(n)));
}

/** A certificate that can make signatures: its key usage says so, or it has none (RFC 5280). */
export function canSign(cert) {
  if (Array.isArray(cert?.keyUsage) && cert.keyUsage.length === 0) return true;
  return hasUsage(cert, 'digitalSignature', 'nonRepudiation', 'contentCommitment');
}

export function isCurrent(cert, now = Date.now()) {
  const from = Date.parse(cert?.notBefore);
  const to = Date.parse(cert?.notAfter);
  if (Number.isNaN(from) || Number.isNaN(to)) return true; // let the host/server decide
  return from <= now && now <= to;
}

/**
 * The certificates to sign with: those that can sign, except a card's PIV authentication key
 * when the same card has another signing certificate (a PIV card's 9A is for logging in; its
 * 9C is the signature key).
 */
export function signingCertificates(certs) {
  const signing = (certs ?? []).filter(canSign);
  const readersWithSigner = new Set(signing.filter((c) => c.authenticationKey !== true).map((c) => c.reader));
  return signing.filter((c) => c.authenticationKey !== true || !readersWithSigner.has(c.reader));
}

/**
 * Splits the card's signing certificates into current and expired ones.
 * @returns {{usable: object[], expired: object[]}}
 */
export function signingCandidates(certs, { reader } = {}) {
  const signing = signingCertificates(certs).filter((c) => !reader || c.reader === reader);
  return {
    usable: signing.filter((c) => isCurrent(c)),
    expired: signing.filter((c) => !isCurrent(c)),
  };
}

/**
 * The certificate each card would log in with, in the host's order of preference: the PIV
 * authentication key, then a clientAuth certificate that signs, then any that signs.
 */
function loginRank(cert) {
  if (cert.authenticationKey === true) return 0;
  const eku = Array.isArray(cert.extendedKeyUsage) ? cert.extendedKeyUsage : [];
  const ku = Array.isArray(cert.keyUsage) ? cert.keyUsage : [];
  const signs = ku.length === 0 || hasUsage(cert, 'digitalSignature');
  if (signs && eku.includes('clientAuth')) return 1;
  return signs ? 2 : null;
}

/** One login certificate per card (reader), split into usable and expired. */
export function loginCandidates(certs) {
  const best = new Map();
  for (const c of certs ?? []) {
    const rank = loginRank(c);
    if (rank === null) continue;
    const current = best.get(c.reader);
    if (!current || rank < current.rank) best.set(c.reader, { rank, cert: c });
  }
  const all = [...best.values()].map((b) => b.cert);
  return { usable: all.filter((c) => isCurrent(c)), expired: all.filter((c) => !isCurrent(c)) };
}

/** The CN of a distinguished name in either "CN=x, O=y" or "/CN=x/O=y" form, else the DN. */
export function commonName(dn) {
  if (typeof dn !== 'string') return '';
  const m = /(?:^|[,/]\s*)CN\s*=\s*((?:\\.|[^,/])+)/i.exec(dn);
  return m ? m[1].replace(/\\(.)/g, '$1').trim() : dn;
}

/** What a prompt window shows about a certificate (no key material, no full DER). */
export function certificateSummary(cert) {
  if (!cert || typeof cert !== 'object') return null;
  return {
    certificateId: cert.certificateId,
    holder: cert.subjectCommonName || commonName(cert.subject),
    subject: cert.subject,
    issuer: commonName(cert.issuer),
    serial: cert.serial,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    reader: cert.reader,
    caKind: cert.caKind,
    keyUsage: cert.keyUsage,
  };
}
