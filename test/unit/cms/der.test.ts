import { children, content, derTime, oidString, readTlv } from '../../../src/cms/der';

describe('the DER reader', () => {
  it('when an OID is decoded, then first arcs and multi-byte arcs come out right', () => {
    expect(oidString(Buffer.from('2a864886f70d010702', 'hex'))).toBe('1.2.840.113549.1.7.2');
    expect(oidString(Buffer.from('551d0f', 'hex'))).toBe('2.5.29.15');
    expect(oidString(Buffer.from('883703', 'hex'))).toBe('2.999.3');
  });

  it('when times are read, then UTCTime pivots at 50 and GeneralizedTime keeps milliseconds', () => {
    const time = (tag: number, s: string) => {
      const buf = Buffer.concat([Buffer.from([tag, s.length]), Buffer.from(s, 'latin1')]);
      return derTime(buf, readTlv(buf, 0)!)?.toISOString();
    };
    expect(time(0x17, '491231235959Z')).toBe('2049-12-31T23:59:59.000Z');
    expect(time(0x17, '500101000000Z')).toBe('1950-01-01T00:00:00.000Z');
    expect(time(0x18, '20190423160702.13Z')).toBe('2019-04-23T16:07:02.130Z');
    expect(time(0x18, '20190423160702.1234Z')).toBe('2019-04-23T16:07:02.123Z');
    expect(time(0x18, '20190423160702+0700')).toBeUndefined();
  });

  it('when lengths are truncated or run past the end, then it declines instead of guessing', () => {
    expect(readTlv(Buffer.from('3005020100', 'hex'), 0)).toBeUndefined();
    expect(readTlv(Buffer.from('30', 'hex'), 0)).toBeUndefined();
    expect(readTlv(Buffer.from('3003020100', 'hex'), 0)).toEqual({ tag: 0x30, start: 0, contentStart: 2, contentEnd: 5, end: 5 });
  });

  it('when a constructed element has an indefinite length (BER), then its content ends before the end-of-contents octets', () => {
    // SEQUENCE { INTEGER 0, SEQUENCE(indefinite) { INTEGER 1 } } with the outer one indefinite too.
    const ber = Buffer.from('3080 020100 3080 020101 0000 0000 ff'.replace(/ /g, ''), 'hex');
    const outer = readTlv(ber, 0);
    expect(outer).toEqual({ tag: 0x30, start: 0, contentStart: 2, contentEnd: 12, end: 14 });
    const kids = children(ber, outer!);
    expect(kids?.map((k) => [k.tag, k.start, k.end])).toEqual([[0x02, 2, 5], [0x30, 5, 12]]);
    expect(children(ber, kids![1])?.map((k) => content(ber, k).toString('hex'))).toEqual(['01']);
  });

  it('when an indefinite length is primitive, unterminated or nested past the limit, then it declines', () => {
    expect(readTlv(Buffer.from('0480 0101 0000'.replace(/ /g, ''), 'hex'), 0)).toBeUndefined();
    expect(readTlv(Buffer.from('3080 020100'.replace(/ /g, ''), 'hex'), 0)).toBeUndefined();
    const deep = (n: number) => Buffer.concat([Buffer.from('3080'.repeat(n), 'hex'), Buffer.from('020100', 'hex'), Buffer.from('0000'.repeat(n), 'hex')]);
    expect(readTlv(deep(32), 0)?.end).toBe(deep(32).length);
    expect(readTlv(deep(33), 0)).toBeUndefined();
    expect(readTlv(deep(5000), 0)).toBeUndefined();
  });
});
