/** A self-signed serving certificate generated at start (it is its own CA, trusted via the kubeconfig). */
import selfsigned from 'selfsigned';

export interface ServingCert {
  cert: string;
  key: string;
  /** PEM the clients trust (certificate-authority-data). */
  ca: string;
}

export async function generateServingCert(hosts: string[] = ['localhost', '127.0.0.1', '::1']): Promise<ServingCert> {
  const altNames = hosts.map((h) => (/^[\d.]+$|:/.test(h) ? { type: 7 as const, ip: h } : { type: 2 as const, value: h }));
  altNames.push({ type: 2, value: 'kubernetes.default.svc' }, { type: 2, value: 'kubernetes' });
  const notBeforeDate = new Date(Date.now() - 60_000);
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'kube-sim' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + 365 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { cert: pems.cert, key: pems.private, ca: pems.cert };
}
