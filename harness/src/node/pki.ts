import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CertPair {
  cert: string;
  key: string;
}

/** Who is who in a test cluster: one CA, the API server's serving certificate, a client per component. */
export interface ClusterPki {
  ca: CertPair;
  apiserver: CertPair;
  /** The API server's client certificate towards the kubelet (logs, exec). */
  apiserverKubeletClient: CertPair;
  admin: CertPair;
  node: CertPair;
  controllerManager: CertPair;
  scheduler: CertPair;
  kubeProxy: CertPair;
  /** The aggregation layer: the CA extension API servers (KEDA's metrics adapter) trust for proxied requests. */
  frontProxyCa: CertPair;
  /** The API server's client certificate towards extension API servers. */
  frontProxyClient: CertPair;
  serviceAccountKey: string;
  serviceAccountPublicKey: string;
}

const openssl = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: 'pipe' });
const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/**
 * Certificates for a cluster whose API server serves on `apiserverIps` (and its `kubernetes` Service IP),
 * with the identities the built-in RBAC roles and the Node authorizer expect.
 */
export function makeClusterPki(
  dir: string,
  options: { apiserverIps: string[]; nodeName: string },
): ClusterPki {
  const makeCa = (name: string, subject: string): CertPair => {
    openssl(
      [
        'req',
        '-x509',
        ...ecKey,
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.crt`,
        '-days',
        '2',
        '-subj',
        subject,
      ],
      dir,
    );
    return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  };
  const ca = makeCa('ca', '/CN=sp-test-cluster-ca');
  // A CA of its own for the front proxy, as kubeadm does: its client certificate authenticates nothing else.
  const frontProxyCa = makeCa('front-proxy-ca', '/CN=sp-test-front-proxy-ca');
  const issue = (
    name: string,
    subject: string,
    usage: string,
    altNames?: string[],
    caName = 'ca',
  ): CertPair => {
    openssl(['req', ...ecKey, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject], dir);
    const extensions = [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      `extendedKeyUsage=${usage}`,
      ...(altNames ? [`subjectAltName=${altNames.join(',')}`] : []),
    ];
    writeFileSync(join(dir, `${name}.ext`), `${extensions.join('\n')}\n`);
    openssl(
      [
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        `${caName}.crt`,
        '-CAkey',
        `${caName}.key`,
        '-CAcreateserial',
        '-days',
        '2',
        '-extfile',
        `${name}.ext`,
        '-out',
        `${name}.crt`,
      ],
      dir,
    );
    return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  };
  const serviceNames = [
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    'kubernetes.default.svc.cluster.local',
  ];
  const pki: ClusterPki = {
    ca,
    apiserver: issue('apiserver', '/CN=kube-apiserver', 'serverAuth', [
      ...options.apiserverIps.map((ip) => `IP:${ip}`),
      ...serviceNames.map((name) => `DNS:${name}`),
    ]),
    apiserverKubeletClient: issue(
      'apiserver-kubelet-client',
      '/O=system:masters/CN=kube-apiserver-kubelet-client',
      'clientAuth',
    ),
    admin: issue('admin', '/O=system:masters/CN=test-admin', 'clientAuth'),
    node: issue('node', `/O=system:nodes/CN=system:node:${options.nodeName}`, 'clientAuth'),
    controllerManager: issue('controller-manager', '/CN=system:kube-controller-manager', 'clientAuth'),
    scheduler: issue('scheduler', '/CN=system:kube-scheduler', 'clientAuth'),
    kubeProxy: issue('kube-proxy', '/CN=system:kube-proxy', 'clientAuth'),
    frontProxyCa,
    frontProxyClient: issue(
      'front-proxy-client',
      '/CN=front-proxy-client',
      'clientAuth',
      undefined,
      'front-proxy-ca',
    ),
    serviceAccountKey: join(dir, 'sa.key'),
    serviceAccountPublicKey: join(dir, 'sa.pub'),
  };
  openssl(['genrsa', '-out', 'sa.key', '2048'], dir);
  openssl(['rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
  return pki;
}
