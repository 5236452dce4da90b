/**
 * The archivist's desk: on-time statistics with a chart, the audit trail (search, chain check), evidence
 * packages, re-verification now or as of a date, and long-term copies due for renewal.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { AuditTrail } from '../components/AuditTrail';
import { formatCount, formatPercent, formatTime } from '../format';
import { t } from '../i18n';

interface Figures { withDueDate: number; doneOnTime: number; doneLate: number; openOverdue: number; openInTime: number }
interface Stats extends Figures { byMonth: Array<Figures & { month: string }>; byAgency: Array<Figures & { organId: string; organName: string }> }

function Chart({ months }: { months: Stats['byMonth'] }) {
  const max = Math.max(1, ...months.map((m) => m.withDueDate));
  const width = Math.max(320, months.length * 48);
  const h = 180;
  return (
    <svg class="chart" role="img" aria-label={t('statistics')} viewBox={`0 0 ${width} ${h + 40}`} width={width} height={h + 40} data-testid="stats-chart">
      {months.map((m, i) => {
        const x = i * 48 + 8;
        const parts: Array<[number, string]> = [[m.doneOnTime, 'ok'], [m.doneLate + m.openOverdue, 'bad'], [m.openInTime, 'neutral']];
        let y = h;
        return (
          <g key={m.month}>
            {parts.map(([n, tone]) => {
              const bar = (n / max) * (h - 10);
              y -= bar;
              return <rect key={tone} class={`bar bar-${tone}`} x={x} y={y} width={32} height={bar}><title>{`${m.month}: ${n}`}</title></rect>;
            })}
            <text x={x + 16} y={h + 16} text-anchor="middle" class="axis">{m.month.slice(5)}/{m.month.slice(2, 4)}</text>
          </g>
        );
      })}
    </svg>
  );
}

export function Archive() {
  const [stats, setStats] = useState<Stats | null>(null);
  const [exchangeId, setExchangeId] = useState('');
  const [at, setAt] = useState('');
  const [reverified, setReverified] = useState<string>('');
  const [due, setDue] = useState<Array<{ exchangeId: string; codeNumber: string; codeNotation: string; renewBy: string }>>([]);
  const [error, setError] = useState('');

  useEffect(() => {
    api.get<Stats>('/v1/statistics').then(setStats, (e: Error) => setError(e.message));
    api.get<{ items: typeof due }>('/v1/archives/due?within=365').then((r) => setDue(r.items), () => undefined);
  }, []);
  const reverify = async () => {
    try {
      const r = await api.post<{ report: { indication: string }; storedIntact: boolean }>(`/v1/exchanges/${encodeURIComponent(exchangeId)}/verifications${at ? `?at=${encodeURIComponent(`${at}T00:00:00+07:00`)}` : ''}`);
      setReverified(`${r.report.indication} · ${r.storedIntact ? t('intact') : '≠ SHA-256'}`);
    } catch (e) {
      setReverified((e as Error).message);
    }
  };
  const late = stats ? stats.doneLate + stats.openOverdue : 0;
  return (
    <main id="main">
      <h1>{t('archive')}</h1>
      {error && <p class="error" role="alert">{error}</p>}
      {stats && (
        <section class="card" aria-label={t('statistics')}>
          <h2>{t('statistics')}</h2>
          <p class="totals" data-testid="stats-totals">
            {formatCount(stats.withDueDate)} {t('dossiers')}, {formatCount(stats.doneOnTime)} {t('onTime')}, {formatCount(late)} {t('late')} = {formatPercent(late, stats.withDueDate)}
          </p>
          <Chart months={stats.byMonth} />
          <table>
            <thead><tr><th>{t('sender')}</th><th>{t('dossiers')}</th><th>{t('onTime')}</th><th>{t('late')}</th><th>{t('openOverdue')}</th><th>{t('openInTime')}</th></tr></thead>
            <tbody>{stats.byAgency.map((a) => <tr key={a.organId}><td>{a.organName}</td><td>{a.withDueDate}</td><td>{a.doneOnTime}</td><td>{a.doneLate}</td><td>{a.openOverdue}</td><td>{a.openInTime}</td></tr>)}</tbody>
          </table>
        </section>
      )}
      <section class="card" aria-label={t('evidence')}>
        <h2>{t('evidence')} · {t('reverify')}</h2>
        <div class="row">
          <span><label for="exchange-id">{t('documentId')}</label><input id="exchange-id" value={exchangeId} onInput={(e) => setExchangeId((e.target as HTMLInputElement).value.trim())} /></span>
          <span><label for="as-of">{t('asOf')}</label><input id="as-of" type="date" value={at} onInput={(e) => setAt((e.target as HTMLInputElement).value)} /></span>
        </div>
        <div class="buttons">
          <a class="button" href={exchangeId ? `/v1/exchanges/${encodeURIComponent(exchangeId)}/evidence` : undefined} download data-testid="evidence-link">{t('evidence')}</a>
          <button type="button" disabled={!exchangeId} onClick={() => void reverify()}>{t('reverify')}</button>
        </div>
        {reverified && <p role="status">{reverified}</p>}
      </section>
      <section class="card" aria-label={t('due4renewal')}>
        <h2>{t('due4renewal')}</h2>
        {due.length === 0 ? <p>—</p> : <ul>{due.map((d) => <li key={d.exchangeId}>{d.codeNumber}/{d.codeNotation} · {formatTime(d.renewBy)}</li>)}</ul>}
      </section>
      <AuditTrail />
    </main>
  );
}
