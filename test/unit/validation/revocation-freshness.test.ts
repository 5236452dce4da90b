import { isFresh } from '../../../src/validation/check-revocation';
import { createValidationPolicy } from '../../../src/validation/policy';

const policy = createValidationPolicy().revocation;

const signing = new Date('2026-03-10T08:00:00Z');
const hours = (h: number) => new Date(signing.getTime() + h * 3600_000);

describe('whether a revocation answer speaks for the signing time', () => {
  it('when the answer was issued after the signing time, then it is fresh', () => {
    expect(isFresh({ status: 'good', source: 'ocsp', thisUpdate: hours(2) }, signing, policy)).toBe(true);
  });

  it('when a good answer was issued days before signing without nextUpdate, then it is stale', () => {
    expect(isFresh({ status: 'good', source: 'ocsp', thisUpdate: hours(-72) }, signing, policy)).toBe(false);
  });

  it('when an older CRL is still current at the signing time (nextUpdate after it), then it is fresh', () => {
    expect(isFresh({ status: 'good', source: 'crl', thisUpdate: hours(-72), nextUpdate: hours(24) }, signing, policy)).toBe(true);
    expect(isFresh({ status: 'good', source: 'crl', thisUpdate: hours(-72), nextUpdate: hours(-1) }, signing, policy)).toBe(false);
  });

  it('when the answer says revoked, then it counts whatever its age (revocation is permanent)', () => {
    expect(isFresh({ status: 'revoked', source: 'crl', thisUpdate: hours(-1000), revokedAt: hours(-1200) }, signing, policy)).toBe(true);
  });

  it('when the answer has no issue time, then it is not fresh', () => {
    expect(isFresh({ status: 'good', source: 'ocsp' }, signing, policy)).toBe(false);
  });
});
