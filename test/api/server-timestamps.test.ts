import { createPrivateKey, sign } from 'node:crypto';
import request from 'supertest';
import { toPem } from '../../src/cms';
import { Service } from '../../src/compose';
import { Pkcs12Signer } from '../../src/signers';
import { p12Passphrase, pkiFile, sample } from '../helpers/fixtures';
import { startLocalTsa } from '../helpers/local-tsa';
import { bearer, binaryBody, openTestService, seedAgencies } from '../helpers/service';


describe('a service with a time-stamping authority (KYSO_TSA_URL): PAdES B-T on the server and in two phases', () => {
  let service: Service;
  let keys: Record<string, Record<string, string>>;
  let tsa: Awaited<ReturnType<typeof startLocalTsa>>;

  beforeAll(async () => {
    tsa = await startLocalTsa();
    const signers = new Map([['T.01', Pkcs12Signer.open({ data: pkiFile('seal-rsa.p12'), passphrase: p12Passphrase() }) as never]]);
    service = await openTestService({ agencySigners: signers, tsa: tsa.authority });
    keys = await seedAgencies(service, [{ organId: 'T.01', name: 'Cơ quan có dấu thời gian' }]);
  });
  afterAll(async () => {
    await service.close();
    await tsa.close();
  });

  const verify = async (pdf: Buffer) =>
    (await request(service.app).post('/v1/verifications').set(bearer(keys['T.01'].receiver)).set('Content-Type', 'application/pdf').send(pdf)).body;

  it('when the official signs in two phases, then the completed signature carries a trusted signature time-stamp (B-T)', async () => {
    const chain = [pkiFile('official-rsa.der'), pkiFile('issuing-ca.der')];
    const opened = await request(service.app).post('/v1/signing-sessions').set(bearer(keys['T.01'].signer))
      .attach('file', sample('cong-van.pdf'), 'cong-van.pdf').field('certificateChain', chain.map(toPem).join(''));
    expect(opened.status).toBe(201);
    const value = sign('sha256', Buffer.from(opened.body.dataToSign, 'base64'), createPrivateKey(pkiFile('official-rsa.key')));
    const done = await request(service.app).put(`/v1/signing-sessions/${opened.body.sessionId}`).set(bearer(keys['T.01'].signer))
      .send({ signatureValue: value.toString('base64') }).buffer(true).parse(binaryBody);
    expect(done.status).toBe(200);
    const sig = (await verify(done.body)).signatures[0];
    expect([sig.intact, sig.level, sig.timestamp?.trusted, sig.validationTime.source]).toEqual([true, 'B-T', true, 'timestamp']);
  });

  it('when a wrong signature value is sent, then it is refused before any time-stamp is asked for', async () => {
    const chain = [pkiFile('official-rsa.der')];
    const opened = await request(service.app).post('/v1/signing-sessions').set(bearer(keys['T.01'].signer))
      .attach('file', sample('cong-van.pdf'), 'cong-van.pdf').field('certificateChain', chain.map(toPem).join(''));
    const wrong = sign('sha256', Buffer.from('something else'), createPrivateKey(pkiFile('official-rsa.key')));
    const asked = tsa.requests();
    const res = await request(service.app).put(`/v1/signing-sessions/${opened.body.sessionId}`).set(bearer(keys['T.01'].signer)).send({ signatureValue: wrong.toString('base64') });
    expect([res.status, res.body.code]).toEqual([422, 'SIGNATURE_VALUE_INVALID']);
    expect(tsa.requests()).toBe(asked);
  });

  it('when the agency seals on the server, then its signature is B-T too', async () => {
    const sealed = await request(service.app).post('/v1/signatures').set(bearer(keys['T.01'].clerk)).set('Content-Type', 'application/pdf')
      .send(sample('cong-van.pdf')).buffer(true).parse(binaryBody);
    expect(sealed.status).toBe(200);
    const sig = (await verify(sealed.body)).signatures[0];
    expect([sig.level, sig.timestamp?.trusted]).toEqual(['B-T', true]);
  });
});
