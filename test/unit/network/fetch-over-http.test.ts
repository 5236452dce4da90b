import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { fetchOverHttp } from '../../../src/network/fetch-over-http';
import { OUTPUT } from '../../helpers/fixtures';

/**
 * Revocation data fetched over HTTPS from a server whose certificate a private authority issued: trusted
 * only when that authority is Node.js's extra one, given as NODE_EXTRA_CA_CERTS or, when bin/kyso moved it
 * aside for `kyso verify`, as KYSO_EXTRA_CA_CERTS.
 */
describe('fetchOverHttp over HTTPS', () => {
  let dir: string;
  let server: Server;
  let url: string;
  const before = process.env.KYSO_EXTRA_CA_CERTS;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(OUTPUT, 'https-'));
    const at = (name: string): string => path.join(dir, name);
    const openssl = (...args: string[]): void => void execFileSync('openssl', args, { stdio: 'pipe' });
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at('ca.key'), '-out', at('ca.pem'), '-subj', '/CN=Kyso test private CA', '-days', '2', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign');
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at('server.key'), '-out', at('server.pem'), '-subj', '/CN=127.0.0.1', '-days', '2', '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-addext', 'subjectAltName=IP:127.0.0.1', '-addext', 'basicConstraints=CA:FALSE');
    server = createServer({ key: readFileSync(at('server.key')), cert: readFileSync(at('server.pem')) }, (_request, response) => response.end('crl bytes'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/ca.crl`;
  });

  afterAll(async () => {
    if (before === undefined) delete process.env.KYSO_EXTRA_CA_CERTS;
    else process.env.KYSO_EXTRA_CA_CERTS = before;
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('when the private authority is not trusted, then nothing is fetched', async () => {
    delete process.env.KYSO_EXTRA_CA_CERTS;
    expect(await fetchOverHttp(url, 5000)).toBeUndefined();
  });

  it('when KYSO_EXTRA_CA_CERTS names the authority, then the data is fetched', async () => {
    process.env.KYSO_EXTRA_CA_CERTS = path.join(dir, 'ca.pem');
    expect((await fetchOverHttp(url, 5000))?.toString()).toBe('crl bytes');
  });

  it('when KYSO_EXTRA_CA_CERTS names a file that cannot be read, then nothing is fetched', async () => {
    process.env.KYSO_EXTRA_CA_CERTS = path.join(dir, 'missing.pem');
    expect(await fetchOverHttp(url, 5000)).toBeUndefined();
  });

  it("when the file holds another certificate (the server's own, not its issuer), then the server is not trusted", async () => {
    process.env.KYSO_EXTRA_CA_CERTS = path.join(dir, 'server.pem');
    expect(await fetchOverHttp(url, 5000)).toBeUndefined();
  });
});
