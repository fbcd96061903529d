import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';

const openssl = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: 'pipe' });

export interface KafkaCertificates {
  /** The CA that signed the broker's certificate: what clients trust (Strimzi's cluster CA, `ca.crt`). */
  clusterCaCert: string;
  /** The broker's certificate (for `host` and 127.0.0.1) and key. */
  brokerCert: string;
  brokerKey: string;
  /** The CA whose client certificates the broker accepts (Strimzi's clients CA). */
  clientsCaCert: string;
  /** A certificate for `CN=<name>` signed by the clients CA, and its key (PKCS#8): a `tls` KafkaUser's Secret. */
  issueUserCertificate(name: string): { cert: string; key: string };
}

/** A CA: its key and self-signed certificate in `dir` as `<name>.key`, `<name>.crt`. */
function makeCa(dir: string, name: string): void {
  openssl(
    [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2'],
      ...['-keyout', `${name}.key`, '-out', `${name}.crt`, '-subj', `/CN=spotify-pipeline-test-${name}`],
    ],
    dir,
  );
}

/** A key and a certificate for `subject` signed by the CA `ca` of `dir`; returns both as PEM. */
function issue(dir: string, ca: string, subject: string, san?: string): { cert: string; key: string } {
  const work = mkdtempSync(join(dir, 'issue-'));
  openssl(
    [
      ...['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'tls.key', '-out', 'tls.csr', '-subj', subject],
      ...(san ? ['-addext', `subjectAltName=${san}`] : []),
    ],
    work,
  );
  openssl(
    [
      ...['x509', '-req', '-in', 'tls.csr', '-CA', join(dir, `${ca}.crt`), '-CAkey', join(dir, `${ca}.key`)],
      ...['-CAcreateserial', '-out', 'tls.crt', '-days', '2', '-copy_extensions', 'copy'],
    ],
    work,
  );
  return {
    cert: readFileSync(join(work, 'tls.crt'), 'utf8'),
    key: readFileSync(join(work, 'tls.key'), 'utf8'),
  };
}

/**
 * Certificates for a broker's mutual-TLS listener on `host`, made with openssl in `dir`: two CAs as Strimzi keeps
 * them (the cluster CA signs the brokers' certificates, the clients CA the users'). Another call makes CAs no
 * broker of the first trusts, for a certificate that must be refused.
 */
export function makeKafkaCertificates(dir: string, host: string): KafkaCertificates {
  mkdirSync(dir, { recursive: true });
  makeCa(dir, 'cluster-ca');
  makeCa(dir, 'clients-ca');
  const sans = [...new Set([host, '127.0.0.1'])].map((h) => (isIP(h) ? `IP:${h}` : `DNS:${h}`));
  const broker = issue(dir, 'cluster-ca', '/CN=kafka-broker', sans.join(','));
  return {
    clusterCaCert: readFileSync(join(dir, 'cluster-ca.crt'), 'utf8'),
    brokerCert: broker.cert,
    brokerKey: broker.key,
    clientsCaCert: readFileSync(join(dir, 'clients-ca.crt'), 'utf8'),
    issueUserCertificate: (name) => {
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(name))
        throw new Error(`issueUserCertificate: ${JSON.stringify(name)} is not a Kubernetes-style name`);
      return issue(dir, 'clients-ca', `/CN=${name}`);
    },
  };
}
