// Unit tests of the extension's pure logic (no browser): origin patterns and policy, argument
// validation, HiPKI request decoding and reply shapes, certificate choice, DER/WebCrypto
// self-test verification (against keys and signatures made by the openssl CLI).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import nodeCrypto from 'node:crypto';

globalThis.crypto ??= nodeCrypto.webcrypto; // Node 18 (Debian 12) has no global WebCrypto
let managed = null; // what storage.managed returns in these tests
globalThis.chrome = { storage: { managed: { get: async () => (managed === null ? {} : managed) } } };

const ext = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../extension');
const load = (rel) => import(pathToFileURL(path.join(ext, rel)).href);
const { originMatches, patternCovers, toMatchPattern, OriginPolicy } = await load('background/origin-policy.js');
const { validateSign, validateAuthenticate, senderOrigin, hashName } = await load('background/page-requests.js');
const hipki = await load('background/hipki-service.js');
const certs = await load('background/certificates.js');
const { BridgeError, ErrorCode } = await load('background/errors.js');
const { verifyRawSignature } = await load('lib/verify.js');
const { certificateSpki, ecdsaDerToRaw } = await load('lib/der.js');

test('origin patterns: exact, default port, subdomain wildcard', () => {
  assert.ok(originMatches('https://portal.example.gov.tw', 'https://portal.example.gov.tw'));
  assert.ok(originMatches('https://portal.example.gov.tw:443', 'https://portal.example.gov.tw'));
  assert.ok(!originMatches('https://portal.example.gov.tw', 'https://portal.example.gov.tw:8443'));
  assert.ok(!originMatches('https://portal.example.gov.tw', 'http://portal.example.gov.tw'));
  assert.ok(originMatches('https://*.example.gov.tw', 'https://a.b.example.gov.tw'));
  assert.ok(!originMatches('https://*.example.gov.tw', 'https://example.gov.tw'));
  assert.ok(!originMatches('https://*.example.gov.tw', 'https://evilexample.gov.tw'));
  assert.ok(!originMatches('https://example.gov.tw', 'https://example.gov.tw.evil.com'));
  assert.ok(!originMatches('https://example.gov.tw', 'https://example.gov.tw/path'), 'not an origin');
  assert.ok(!originMatches('garbage', 'https://example.gov.tw'));
});

test('pattern cover and content-script match patterns', () => {
  assert.ok(patternCovers('https://*.gov.tw', 'https://*.example.gov.tw'));
  assert.ok(patternCovers('https://*.gov.tw', 'https://a.gov.tw'));
  assert.ok(!patternCovers('https://a.gov.tw', 'https://*.gov.tw'));
  assert.ok(!patternCovers('https://*.gov.tw:8443', 'https://a.gov.tw'));
  assert.equal(toMatchPattern('https://portal.example.gov.tw'), 'https://portal.example.gov.tw/*');
  assert.equal(toMatchPattern('https://*.example.gov.tw:8443'), 'https://*.example.gov.tw:8443/*');
  assert.equal(toMatchPattern('nonsense'), null);
});

function fakeHost(statusFor) {
  const calls = [];
  return {
    calls,
    request: async (command, origin) => {
      calls.push([command, origin]);
      return statusFor(origin);
    },
  };
}

test('origin policy: the host list and the managed policy must both allow', async () => {
  managed = null;
  const host = fakeHost(() => ({ allowedOrigins: ['https://a.gov.tw', 'https://*.b.gov.tw'] }));
  const policy = new OriginPolicy(host, 'chrome-extension://x');
  assert.equal(await policy.isAllowed('https://a.gov.tw'), true);
  assert.equal(await policy.isAllowed('https://x.b.gov.tw'), true);
  assert.equal(await policy.isAllowed('https://c.gov.tw'), false);
  assert.equal(host.calls.length, 1, 'the list is cached');
  managed = { allowedOrigins: ['https://x.b.gov.tw'] };
  assert.equal(await policy.isAllowed('https://a.gov.tw'), false, 'the policy narrows the host list');
  assert.equal(await policy.isAllowed('https://x.b.gov.tw'), true);
  assert.deepEqual(await policy.effectivePatterns(), ['https://x.b.gov.tw']);
  managed = { allowedOrigins: ['https://evil.example'] };
  assert.equal(await policy.isAllowed('https://evil.example'), false, 'the policy cannot widen the host list');
  await assert.rejects(policy.check('https://evil.example'), (e) => e.code === ErrorCode.ORIGIN_NOT_ALLOWED);
  managed = null;
});

test('origin policy: a host without a list is asked per origin (status.origin.allowed)', async () => {
  managed = null;
  const host = fakeHost((origin) => ({ origin: { origin, allowed: origin === 'https://ok.gov.tw' } }));
  const policy = new OriginPolicy(host, 'chrome-extension://x');
  assert.equal(await policy.isAllowed('https://ok.gov.tw'), true);
  assert.equal(await policy.isAllowed('https://no.gov.tw'), false);
  assert.equal(await policy.isAllowed('https://ok.gov.tw'), true);
  assert.deepEqual(host.calls.map((c) => c[1]), ['chrome-extension://x', 'https://ok.gov.tw', 'https://no.gov.tw']);
  assert.deepEqual(await policy.effectivePatterns(), []);
});

test('sender origin comes from the browser and only from tabs', () => {
  assert.equal(senderOrigin({ tab: { id: 1 }, origin: 'https://a.gov.tw' }), 'https://a.gov.tw');
  assert.equal(senderOrigin({ tab: { id: 1 }, url: 'https://a.gov.tw:8443/x?y' }), 'https://a.gov.tw:8443');
  assert.equal(senderOrigin({ url: 'https://a.gov.tw/' }), null);
  assert.equal(senderOrigin({ tab: { id: 1 }, url: 'data:text/html,x' }), null);
});

test('sign arguments: defaults, exactly one of data/hash, formats, nonce, unknown keys', () => {
  assert.deepEqual(validateSign({ data: 'aGk=' }), { data: 'aGk=', hashAlgorithm: 'sha256', format: 'cms-attached' });
  assert.equal(validateSign({ data: 'aGk=', hashAlgorithm: 'SHA-384' }).hashAlgorithm, 'sha384');
  const bad = (a) => assert.throws(() => validateSign(a), (e) => e instanceof BridgeError && e.code === ErrorCode.BAD_REQUEST);
  bad({});
  bad({ data: 'aGk=', hash: 'aGk=', format: 'raw' });
  bad({ hash: 'aGk=' }); // cms-attached of a hash
  bad({ data: 'not base64!' });
  bad({ data: 'aGk=', format: 'xml' });
  bad({ data: 'aGk=', hashAlgorithm: 'SHA-1' });
  bad({ data: 'aGk=', nonce: 'bm9uY2U=', format: 'raw' });
  bad({ data: 'aGk=', origin: 'https://evil' });
  bad({ data: 'aGk=', includeChain: 'yes' });
  assert.throws(() => validateSign({ data: 'A'.repeat(9 * 1024 * 1024) }), (e) => e.code === ErrorCode.TOO_LARGE);
  assert.equal(hashName('SHA512'), 'sha512');
});

test('authenticate arguments: base64url nonce of 32–128 characters', () => {
  assert.deepEqual(validateAuthenticate({ nonce: 'a'.repeat(32) }), { nonce: 'a'.repeat(32) });
  for (const nonce of ['a'.repeat(31), 'a'.repeat(129), `${'a'.repeat(40)}+`, 42]) {
    assert.throws(() => validateAuthenticate({ nonce }), (e) => e.code === ErrorCode.BAD_REQUEST);
  }
});

test('HiPKI: the package is URL-decoded once, form style, leniently', () => {
  assert.equal(hipki.formDecodeOnce('%7B%22a%22%3A1%7D'), '{"a":1}');
  assert.equal(hipki.formDecodeOnce('a+b%2Bc'), 'a b+c');
  assert.equal(hipki.formDecodeOnce('100%'), '100%');
  assert.equal(hipki.formDecodeOnce('%E7%8E%8B'), '王');
  assert.equal(hipki.formDecodeOnce('王%20'), '王 ');
  assert.equal(hipki.decodeLooseBase64(' /8='), '\xfb\xff', 'a + that became a space');
});

test('HiPKI: error codes portals know', () => {
  const code = (c) => hipki.hipkiError(new BridgeError(c, 'x'));
  assert.equal(code(ErrorCode.NO_CARD).ret_code, 0x76000006);
  assert.equal(code(ErrorCode.NO_READER).ret_code, 0x76100003);
  assert.equal(code(ErrorCode.USER_CANCELLED).ret_code, 0x76000999);
  assert.equal(code(ErrorCode.ORIGIN_NOT_ALLOWED).ret_code, 0x7600000f);
  assert.deepEqual([code(ErrorCode.PIN_INCORRECT).ret_code, code(ErrorCode.PIN_INCORRECT).last_error], [0x76100006, 0xa0]);
  assert.deepEqual([code(ErrorCode.PIN_BLOCKED).ret_code, code(ErrorCode.PIN_BLOCKED).last_error], [0x76100006, 0xa4]);
  assert.equal(code(ErrorCode.CERTIFICATE_EXPIRED).ret_code, 0x76500002);
  assert.equal(code(ErrorCode.INTERNAL).ret_code, 0x76000001);
  assert.equal(typeof code(ErrorCode.INTERNAL).ret_code, 'number');
});

const listed = [
  { reader: 'R0', certificateId: 's', subject: 'CN=王小明,C=TW', subjectCommonName: '王小明', issuer: 'CN=MOICA', serial: '0A1B', keyUsage: ['digitalSignature', 'nonRepudiation'], gpki: { idLast4: '6789' }, certificate: 'MIIB', notBefore: '2020-01-01T00:00:00Z', notAfter: '2999-01-01T00:00:00Z' },
  { reader: 'R0', certificateId: 'e', subject: 'CN=王小明,C=TW', issuer: 'CN=MOICA', serial: '0A1C', keyUsage: ['keyEncipherment', 'dataEncipherment'], certificate: 'MIIC', notBefore: '2020-01-01T00:00:00Z', notAfter: '2999-01-01T00:00:00Z' },
  { reader: 'R1', certificateId: 'old', subject: 'CN=Old', issuer: 'CN=MOICA', keyUsage: ['digitalSignature'], notBefore: '2000-01-01T00:00:00Z', notAfter: '2001-01-01T00:00:00Z' },
  { reader: 'R2', certificateId: 'auth', subject: 'CN=A', issuer: 'CN=GCA', keyUsage: ['digitalSignature'], authenticationKey: true, notBefore: '2020-01-01T00:00:00Z', notAfter: '2999-01-01T00:00:00Z' },
  { reader: 'R2', certificateId: 'sig2', subject: 'CN=A', issuer: 'CN=GCA', keyUsage: ['nonRepudiation'], notBefore: '2020-01-01T00:00:00Z', notAfter: '2999-01-01T00:00:00Z' },
];

test('HiPKI: pkcs11info groups by reader; usage and subjectID as portals read them', () => {
  const info = hipki.toPkcs11Info(listed.slice(0, 2));
  assert.equal(info.func, 'pkcs11info');
  assert.equal(info.ret_code, 0);
  assert.equal(info.slots.length, 1);
  const [sig, enc] = info.slots[0].token.certs;
  assert.deepEqual([sig.usage, sig.subjectID, sig.sn, sig.certb64], ['digitalSignature', '6789', '0A1B', 'MIIB']);
  assert.equal(enc.usage, 'keyEncipherment|dataEncipherment');
  assert.equal(hipki.toPkcs11Info(listed, { withCert: false }).slots[0].token.certs[0].certb64, undefined);
});

test('certificate choice: signing vs login candidates, expired kept apart', () => {
  const sign = certs.signingCandidates(listed);
  assert.deepEqual(sign.usable.map((c) => c.certificateId), ['s', 'sig2'], 'a PIV login key is not offered for signing next to the card\'s signature key');
  assert.deepEqual(certs.signingCandidates(listed.slice(3, 4)).usable.map((c) => c.certificateId), ['auth'], '…unless it is the only one');
  const r2 = hipki.toPkcs11Info(listed).slots.find((s) => s.slotDescription === 'R2').token.certs;
  assert.deepEqual(r2.map((c) => c.usage), ['digitalSignature|authentication', 'digitalSignature']);
  assert.deepEqual(sign.expired.map((c) => c.certificateId), ['old']);
  assert.deepEqual(certs.signingCandidates(listed, { reader: 'R0' }).usable.map((c) => c.certificateId), ['s']);
  const login = certs.loginCandidates(listed);
  assert.deepEqual(login.usable.map((c) => c.certificateId), ['s', 'auth'], 'one per card, the PIV auth key first');
  assert.equal(certs.commonName('C=TW, CN=Wang\\, Ming, O=x'), 'Wang, Ming');
  assert.equal(certs.commonName('/C=TW/CN=王小明'), '王小明');
});

test('self-test verification: RSA and ECDSA signatures from openssl verify; a changed byte fails', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pkibridge-unit-'));
  try {
    for (const [kind, args] of [['rsa', ['-newkey', 'rsa:2048']], ['ec', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']]]) {
      const key = path.join(dir, `${kind}.key`);
      const cert = path.join(dir, `${kind}.pem`);
      execFileSync('openssl', ['req', '-x509', ...args, '-nodes', '-keyout', key, '-out', cert, '-subj', '/CN=t', '-days', '1'], { stdio: 'pipe' });
      const der = execFileSync('openssl', ['x509', '-in', cert, '-outform', 'DER']);
      const data = Buffer.from('self-test data');
      const sig = execFileSync('openssl', ['dgst', '-sha256', '-sign', key], { input: data });
      const input = { certificate: der.toString('base64'), data: data.toString('base64'), signature: sig.toString('base64'), hashAlgorithm: 'sha256' };
      const ok = await verifyRawSignature(input);
      assert.equal(ok.valid, true, kind);
      const tampered = Buffer.from(data);
      tampered[0] ^= 1;
      assert.equal((await verifyRawSignature({ ...input, data: tampered.toString('base64') })).valid, false, kind);
      const spki = certificateSpki(der);
      const expected = execFileSync('openssl', ['x509', '-in', cert, '-pubkey', '-noout']);
      const spkiPem = `-----BEGIN PUBLIC KEY-----\n${Buffer.from(spki.der).toString('base64').match(/.{1,64}/g).join('\n')}\n-----END PUBLIC KEY-----\n`;
      assert.equal(spkiPem, expected.toString());
    }
    // r and s with a leading 0x00 and a short s
    const raw = ecdsaDerToRaw(Uint8Array.from([0x30, 0x08, 0x02, 0x03, 0x00, 0x80, 0x01, 0x02, 0x01, 0x05]), 4);
    assert.deepEqual([...raw], [0, 0, 0x80, 1, 0, 0, 0, 5]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
