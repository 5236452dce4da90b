/** PDF date strings (ISO 32000-1 §7.9.4), always written in UTC: D:YYYYMMDDHHmmSSZ. */
export function formatPdfDate(date: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `D:${p(date.getUTCFullYear(), 4)}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}Z`;
}

/** Parses D:YYYYMMDDHHmmSSOHH'mm' with every part after the year optional; undefined when invalid. */
export function parsePdfDate(text: string): Date | undefined {
  const m = /^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:([Z+-])(\d{2})?'?(\d{2})?'?)?/.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', s = '00', sign, oh = '00', om = '00'] = m;
  let ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s);
  if (sign === '+' || sign === '-') ms -= (sign === '+' ? 1 : -1) * (+oh * 60 + +om) * 60_000;
  return Number.isNaN(ms) ? undefined : new Date(ms);
}
