/** Times as people in Vietnam read them: dd/MM/yyyy HH:mm:ss +07:00, whatever the browser's zone. */
const parts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});

export function formatTime(value: string | Date | null | undefined): string {
  if (!value) return '—';
  const d = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(d.getTime())) return '—';
  const p = Object.fromEntries(parts.formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}:${p.second} +07:00`;
}

export function formatDate(value: string | Date | null | undefined): string {
  return formatTime(value).slice(0, 10);
}

/** Vietnamese number grouping (13.611) and a percentage with a decimal comma (0,6%). */
export const formatCount = (n: number): string => new Intl.NumberFormat('vi-VN').format(n);
export const formatPercent = (part: number, whole: number): string => (whole === 0 ? '0%' : `${new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1 }).format((part / whole) * 100)}%`);

export const formatBytes = (n: number): string => (n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1048576).toFixed(1)} MB`);

/** The common name (CN) of an X.500 name as the validator prints it. */
export function commonName(subject: string | null | undefined): string {
  if (!subject) return '—';
  const m = /CN=([^,]+)/.exec(subject);
  return m ? m[1] : subject;
}
export function organisation(subject: string | null | undefined): string {
  const m = /O=([^,]+)/.exec(subject ?? '');
  return m ? m[1] : '—';
}
