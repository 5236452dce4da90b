/**
 * pkijs and asn1js, loaded on first use: together they take longer to load than Node.js itself starts,
 * and a `kyso verify` of an ordinary signature never needs them (DER is read by ./der.ts).
 */
import type * as Asn1js from 'asn1js';
import type * as Pkijs from 'pkijs';

function lazy<T extends object>(load: () => T): T {
  let loaded: T | undefined;
  return new Proxy({} as T, {
    get: (_target, key) => Reflect.get((loaded ??= load()), key),
    has: (_target, key) => Reflect.has((loaded ??= load()), key),
  });
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const pkijs: typeof Pkijs = lazy(() => require('pkijs') as typeof Pkijs);
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const asn1js: typeof Asn1js = lazy(() => require('asn1js') as typeof Asn1js);
