/** The verdict in large words and colour, with the reason in plain words, and each signature's facts. */
import type { Report, SignatureSummary } from '../api';
import { commonName, formatTime, organisation } from '../format';
import { say, t } from '../i18n';

export function verdictOf(indication: string): { word: string; tone: 'ok' | 'bad' | 'unknown' } {
  if (indication === 'TOTAL_PASSED') return { word: t('verdictValid'), tone: 'ok' };
  if (indication === 'TOTAL_FAILED') return { word: t('verdictInvalid'), tone: 'bad' };
  if (indication === 'NO_SIGNATURE') return { word: t('verdictNone'), tone: 'bad' };
  return { word: t('verdictIndeterminate'), tone: 'unknown' };
}

/** The first message of the first signature that is not clean, as the reason of the verdict. */
function reasonOf(report: Report): string {
  const bad = report.signatures.find((s) => s.indication !== 'TOTAL_PASSED');
  const first = bad?.messages?.[0];
  if (first) return say(first);
  if (report.messages?.[0]) return say(report.messages[0]);
  return report.subIndication ?? '';
}

export function VerdictBanner({ report }: { report: Report }) {
  const v = verdictOf(report.indication);
  return (
    <section class={`verdict verdict-${v.tone}`} aria-live="polite">
      <p class="verdict-word" data-testid="verdict">{v.word}</p>
      {reasonOf(report) && <p class="verdict-reason">{reasonOf(report)}</p>}
    </section>
  );
}

const subjectOf = (s: SignatureSummary['signer']): string => (s === null ? '' : typeof s === 'string' ? s : s.subject);
const timestampOf = (ts: SignatureSummary['timestamp']): string | null => (ts === null ? null : typeof ts === 'string' ? ts : ts.genTime);

export function SignaturesPanel({ report }: { report: Report }) {
  return (
    <section class="signatures" aria-label={t('signatures')}>
      <h2>{t('signatures')} ({report.signatures.length})</h2>
      {report.signatures.map((s, i) => {
        const v = verdictOf(s.indication);
        return (
          <article class={`signature tone-${v.tone}`} key={`${s.field}-${i}`}>
            <header>
              <span class="sig-index">#{i + 1}</span> <strong>{commonName(subjectOf(s.signer)) || s.field}</strong>
              <span class={`pill pill-${v.tone}`}>{v.word}</span>
            </header>
            <dl>
              <dt>{t('agency')}</dt><dd>{organisation(subjectOf(s.signer))}</dd>
              <dt>{t('signingTime')}</dt><dd>{formatTime(s.claimedSigningTime)}</dd>
              <dt>{t('timestamp')}</dt><dd>{timestampOf(s.timestamp) ? formatTime(timestampOf(s.timestamp)) : '—'}</dd>
              <dt>{t('intact')}</dt><dd>{s.intact ? t('yes') : t('no')}</dd>
              <dt>{t('changes')}</dt><dd>{s.modificationsAfter}</dd>
              <dt>{t('level')}</dt><dd>{s.level}</dd>
              <dt>{t('anchor')}</dt><dd>{s.trustAnchor ? commonName(s.trustAnchor) : '—'}</dd>
              {s.revocation && (<><dt>{t('revocation')}</dt><dd>{s.revocation.status}{s.revocation.source ? ` (${s.revocation.source})` : ''}</dd></>)}
              {s.certificatePath && s.certificatePath.length > 0 && (
                <><dt>{t('chain')}</dt><dd><ol class="chain">{s.certificatePath.map((c) => <li key={c.subject}>{commonName(c.subject)}</li>)}</ol></dd></>
              )}
            </dl>
            {s.messages.length > 0 && <ul class="messages">{s.messages.map((m, j) => <li key={j}>{say(m)}</li>)}</ul>}
          </article>
        );
      })}
    </section>
  );
}
