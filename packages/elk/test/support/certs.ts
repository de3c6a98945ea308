/**
 * A throwaway CA and a server certificate for 127.0.0.1/localhost, made with the openssl CLI
 * for the TLS tests (verification on by default, CA file, CA fingerprint pinning).
 */
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificates {
  readonly dir: string;
  readonly caFile: string;
  readonly caPem: string;
  /** SHA-256 of the CA certificate, colon-separated upper-case hex (as Elasticsearch prints it). */
  readonly caFingerprint: string;
  readonly serverKey: string;
  /** Server certificate followed by the CA (the chain the server presents). */
  readonly serverChain: string;
  cleanup(): void;
}

export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'lms-elk-tls-'));
  const path = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { stdio: 'pipe' });
  };
  openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', path('ca.key'));
  openssl(
    'req',
    '-x509',
    '-new',
    '-key',
    path('ca.key'),
    '-out',
    path('ca.crt'),
    '-days',
    '2',
    '-subj',
    '/CN=lms-logging test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', path('server.key'));
  openssl(
    'req',
    '-new',
    '-key',
    path('server.key'),
    '-out',
    path('server.csr'),
    '-subj',
    '/CN=127.0.0.1',
  );
  writeFileSync(
    path('ext.cnf'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n',
  );
  openssl(
    'x509',
    '-req',
    '-in',
    path('server.csr'),
    '-CA',
    path('ca.crt'),
    '-CAkey',
    path('ca.key'),
    '-CAcreateserial',
    '-out',
    path('server.crt'),
    '-days',
    '2',
    '-extfile',
    path('ext.cnf'),
  );
  const caPem = readFileSync(path('ca.crt'), 'utf8');
  const der = new X509Certificate(caPem).raw;
  const hex = createHash('sha256').update(der).digest('hex').toUpperCase();
  return {
    dir,
    caFile: path('ca.crt'),
    caPem,
    caFingerprint: (hex.match(/../g) ?? []).join(':'),
    serverKey: readFileSync(path('server.key'), 'utf8'),
    serverChain: readFileSync(path('server.crt'), 'utf8') + caPem,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
