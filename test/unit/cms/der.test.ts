import { derTime, oidString, readTlv } from '../../../src/cms/der';

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

  it('when lengths are indefinite, truncated or run past the end, then it declines instead of guessing', () => {
    expect(readTlv(Buffer.from('3080020100 0000'.replace(/ /g, ''), 'hex'), 0)).toBeUndefined();
    expect(readTlv(Buffer.from('3005020100', 'hex'), 0)).toBeUndefined();
    expect(readTlv(Buffer.from('30', 'hex'), 0)).toBeUndefined();
    expect(readTlv(Buffer.from('3003020100', 'hex'), 0)).toEqual({ tag: 0x30, start: 0, contentStart: 2, end: 5 });
  });
});
