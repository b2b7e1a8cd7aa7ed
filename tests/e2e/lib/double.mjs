// Sets up the TEST DOUBLE native host (double-host/pkibridge_test_double_host.py) for the
// extension-logic tests: test PKI, configuration file and request log.
import fs from 'node:fs';
import path from 'node:path';
import { here, makeTestPki, tempDir } from './harness.mjs';

export const doubleHostPath = path.join(here, '..', 'double-host', 'pkibridge_test_double_host.py');

/**
 * @param {{allowedOrigins: string[], secondCard?: boolean, pinPad?: boolean, allowCaller?: boolean}} opts
 *   allowCaller: accept the extension's own origin for sign (what the self-test needs)
 * @returns {{dir, pki, configPath, logPath, env, hostPath, certificateIds}}
 */
export function setupDouble({ allowedOrigins, secondCard = true, pinPad = false, allowCaller = false }) {
  const dir = tempDir('double');
  const pki = makeTestPki(dir, [
    { name: 'sign', cn: '王小明', keyUsage: 'digitalSignature,nonRepudiation' },
    { name: 'enc', cn: '王小明', keyUsage: 'keyEncipherment,dataEncipherment' },
    { name: 'sign2', cn: '陳大華', keyUsage: 'digitalSignature,nonRepudiation', ec: true },
  ]);
  const readers = [
    {
      name: 'Test Reader 00',
      cardSerial: 'TC00000001',
      certificates: [
        { certificateId: 'card0-sign', certPath: pki.users.sign.cert, keyPath: pki.users.sign.key, gpki: { idLast4: '6789' }, caKind: 'MOICA' },
        { certificateId: 'card0-enc', certPath: pki.users.enc.cert, keyPath: pki.users.enc.key, gpki: { idLast4: '6789' }, caKind: 'MOICA' },
      ],
    },
  ];
  if (secondCard) {
    readers.push({
      name: 'Test Reader 01',
      cardSerial: 'TC00000002',
      certificates: [{ certificateId: 'card1-sign', certPath: pki.users.sign2.cert, keyPath: pki.users.sign2.key, gpki: { idLast4: '4321' }, caKind: 'MOICA' }],
    });
  }
  const logPath = path.join(dir, 'requests.jsonl');
  const configPath = path.join(dir, 'double.json');
  fs.writeFileSync(
    configPath,
    JSON.stringify({ version: '0.0.0-test-double', allowedOrigins, allowCaller, pin: '123456', triesLeft: 3, pinPad, pinPadDelayMs: 600, readers, logPath }, null, 2),
  );
  return {
    dir,
    pki,
    configPath,
    logPath,
    hostPath: doubleHostPath,
    env: { PKIBRIDGE_TEST_DOUBLE_CONFIG: configPath },
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
