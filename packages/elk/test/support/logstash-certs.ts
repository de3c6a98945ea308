/**
 * Throwaway certificates for the Logstash TLS tests, made at test time with the openssl CLI:
 * a test CA, a server certificate for 127.0.0.1/localhost, a client certificate (for inputs
 * with `ssl_client_authentication => "required"`), all signed by that CA, and a second,
 * unrelated CA (to show that trusting the wrong CA fails). Nothing is committed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

export function makeLogstashTestCertificates(): LogstashTestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'lms-logstash-tls-'));
  const path = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { stdio: 'pipe' });
  };
  const makeCa = (name: string, cn: string): void => {
    openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', path(`${name}.key`));
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
  };
  const makeLeaf = (name: string, cn: string, extensions: string): void => {
    openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', path(`${name}.key`));
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
  };
  makeCa('ca', 'lms-logging logstash test CA');
  makeCa('other-ca', 'lms-logging unrelated test CA');
  makeLeaf(
    'server',
    '127.0.0.1',
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n',
  );
  makeLeaf(
    'client',
    'lms-backend',
    'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n',
  );
  const caPem = readFileSync(path('ca.crt'), 'utf8');
  return {
    dir,
    caFile: path('ca.crt'),
    caPem,
    otherCaFile: path('other-ca.crt'),
    serverKey: readFileSync(path('server.key'), 'utf8'),
    serverCert: readFileSync(path('server.crt'), 'utf8') + caPem,
    clientCertFile: path('client.crt'),
    clientKeyFile: path('client.key'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
