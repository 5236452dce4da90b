/**
 * The agency's registers (Decree 30/2020 Art. 16, 22, 26): sổ văn bản đi (issued numbers), sổ văn bản đến
 * (arrival numbers) and sổ sao (copy numbers), a year at a time, each entry linked to its exchange.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { formatTime } from '../format';
import { t } from '../i18n';
import { navigate } from '../router';

interface Entry { number: number; year: number; at: string; by: string; what: string; exchangeId?: string | null }
const BOOKS = ['outgoing', 'incoming', 'copies'] as const;
type Book = typeof BOOKS[number];
const TITLES: Record<Book, Parameters<typeof t>[0]> = { outgoing: 'bookOutgoing', incoming: 'bookIncoming', copies: 'bookCopies' };
const thisYear = () => new Date(Date.now() + 7 * 3600_000).getUTCFullYear();

export function Registers() {
  const [book, setBook] = useState<Book>('outgoing');
  const [year, setYear] = useState(thisYear());
  const [items, setItems] = useState<Entry[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    setItems(null);
    api.get<{ items: Entry[] }>(`/v1/registers/${book}?year=${year}`).then((r) => { setItems(r.items); setError(''); }, (e: Error) => setError(e.message));
  }, [book, year]);
  return (
    <main id="main">
      <h1>{t('registers')}</h1>
      <div class="card filters" role="group" aria-label={t('registers')}>
        {BOOKS.map((b) => (
          <button type="button" key={b} class={b === book ? '' : 'secondary'} aria-pressed={b === book} data-testid={`book-${b}`} onClick={() => setBook(b)}>{t(TITLES[b])}</button>
        ))}
        <label>{t('year')}
          <select value={year} onChange={(e) => setYear(Number((e.target as HTMLSelectElement).value))}>
            {[0, 1, 2, 3, 4].map((back) => <option key={back} value={thisYear() - back}>{thisYear() - back}</option>)}
          </select>
        </label>
      </div>
      {error && <p role="alert">{error}</p>}
      {items && items.length === 0 && <p class="hint" data-testid="register-empty">{t('registerEmpty')}</p>}
      {items && items.length > 0 && (
        <table data-testid="register">
          <caption>{t(TITLES[book])} — {year}</caption>
          <thead><tr><th scope="col">{t('registerNumber')}</th><th scope="col">{t('registerAt')}</th><th scope="col">{t('registerWhat')}</th><th scope="col">{t('registerExchange')}</th></tr></thead>
          <tbody>
            {items.map((e) => (
              <tr key={e.number}>
                <td class="num">{e.number}</td>
                <td>{formatTime(e.at)}</td>
                <td>{e.what}</td>
                <td>{e.exchangeId ? <a href={`/exchanges/${e.exchangeId}`} onClick={(ev) => { ev.preventDefault(); navigate(`/exchanges/${e.exchangeId}`); }}>{t('openExchange')}</a> : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
