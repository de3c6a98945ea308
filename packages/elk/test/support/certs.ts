/**
 * Throwaway certificates for the TLS tests, made at test time with the openssl CLI (nothing is
 * committed): a test CA and a server certificate for 127.0.0.1/localhost signed by it, for the
 * Elasticsearch tests (verification on by default, CA file, CA fingerprint pinning) and the
 * Logstash tests, which also get a client certificate (for inputs with
 * `ssl_client_authentication => "required"`) and a second, unrelated CA (to show that trusting
 * the wrong CA fails).
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

export interface LogstashTestCertificates {
  readonly dir: string;
  readonly caFile: string;
  readonly caPem: string;
  /** A CA that signed nothing here. */
  readonly otherCaFile: string;
  readonly serverKey: string;
  readonly serverCert: string;
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  cleanup(): void;
}

/** True when the openssl CLI can be run (the TLS tests are skipped without it). */
export function opensslAvailable(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

const SERVER_EXTENSIONS =
  'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n';
const CLIENT_EXTENSIONS =
  'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n';

/** A temporary directory in which `<name>.key`/`<name>.crt` pairs are made with openssl. */
function certificateDir(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const path = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { stdio: 'pipe' });
  };
  const newKey = (name: string): void => {
    openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', path(`${name}.key`));
  };
  return {
    dir,
    path,
    read: (name: string): string => readFileSync(path(name), 'utf8'),
    cleanup: (): void => rmSync(dir, { recursive: true, force: true }),
    /** A self-signed CA. */
    makeCa(name: string, cn: string): void {
      newKey(name);
      openssl(
        'req',
        '-x509',
        '-new',
        '-key',
        path(`${name}.key`),
        '-out',
        path(`${name}.crt`),
        '-days',
        '2',
        '-subj',
        `/CN=${cn}`,
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      );
    },
    /** A certificate with these extensions, signed by the CA `ca.crt`/`ca.key`. */
    makeLeaf(name: string, cn: string, extensions: string): void {
      newKey(name);
      openssl(
        'req',
        '-new',
        '-key',
        path(`${name}.key`),
        '-out',
        path(`${name}.csr`),
        '-subj',
        `/CN=${cn}`,
      );
      writeFileSync(path(`${name}.ext`), extensions);
      openssl(
        'x509',
        '-req',
        '-in',
        path(`${name}.csr`),
        '-CA',
        path('ca.crt'),
        '-CAkey',
        path('ca.key'),
        '-CAcreateserial',
        '-out',
        path(`${name}.crt`),
        '-days',
        '2',
        '-extfile',
        path(`${name}.ext`),
      );
    },
  };
}

export function makeTestCertificates(): TestCertificates {
  const certs = certificateDir('lms-elk-tls-');
  certs.makeCa('ca', 'lms-logging test CA');
  certs.makeLeaf('server', '127.0.0.1', SERVER_EXTENSIONS);
  const caPem = certs.read('ca.crt');
  const der = new X509Certificate(caPem).raw;
  const hex = createHash('sha256').update(der).digest('hex').toUpperCase();
  return {
    dir: certs.dir,
    caFile: certs.path('ca.crt'),
    caPem,
    caFingerprint: (hex.match(/../g) ?? []).join(':'),
    serverKey: certs.read('server.key'),
    serverChain: certs.read('server.crt') + caPem,
    cleanup: certs.cleanup,
  };
}

export function makeLogstashTestCertificates(): LogstashTestCertificates {
  const certs = certificateDir('lms-logstash-tls-');
  certs.makeCa('ca', 'lms-logging logstash test CA');
  certs.makeCa('other-ca', 'lms-logging unrelated test CA');
  certs.makeLeaf('server', '127.0.0.1', SERVER_EXTENSIONS);
  certs.makeLeaf('client', 'lms-backend', CLIENT_EXTENSIONS);
  const caPem = certs.read('ca.crt');
  return {
    dir: certs.dir,
    caFile: certs.path('ca.crt'),
    caPem,
    otherCaFile: certs.path('other-ca.crt'),
    serverKey: certs.read('server.key'),
    serverCert: certs.read('server.crt') + caPem,
    clientCertFile: certs.path('client.crt'),
    clientKeyFile: certs.path('client.key'),
    cleanup: certs.cleanup,
  };
}
