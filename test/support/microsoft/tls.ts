import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A PEM key and self-signed certificate for 127.0.0.1 and localhost. */
export interface TestCertificate {
  key: string;
  cert: string;
}

let cached: Promise<TestCertificate> | undefined;

/**
 * A self-signed certificate for the https emulators, valid for IP 127.0.0.1 and DNS
 * localhost. Node has no API to mint X.509 certificates, so this shells out to
 * `openssl` once per process and caches the result (key generation costs ~100 ms).
 * The certificate is its own CA: pass `cert` as `ca` to an https.Agent or undici
 * dispatcher to trust it.
 */
export function makeTestCertificate(): Promise<TestCertificate> {
  cached ??= mint().catch((err: unknown) => {
    cached = undefined;
    throw err;
  });
  return cached;
}

async function mint(): Promise<TestCertificate> {
  const dir = await mkdtemp(join(tmpdir(), 'sinew-tls-'));
  try {
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    await run('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
      '-keyout', keyPath, '-out', certPath,
      '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-addext', 'basicConstraints=critical,CA:TRUE',
    ]);
    const [key, cert] = await Promise.all([readFile(keyPath, 'utf8'), readFile(certPath, 'utf8')]);
    return { key, cert };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
