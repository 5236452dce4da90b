/**
 * Public verification (no sign-in): a PDF dropped or picked is verified by the service and not stored; the
 * verdict, each signature, the pages with the signatures outlined, the JSON report and a printable report.
 */
import { useState } from 'preact/hooks';
import { api, Report } from '../api';
import { PdfView, boxesOf } from '../components/PdfView';
import { SignaturesPanel, VerdictBanner } from '../components/Verdict';
import { formatTime } from '../format';
import { t } from '../i18n';

export function Verify() {
  const [report, setReport] = useState<Report | null>(null);
  const [data, setData] = useState<ArrayBuffer | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [dragging, setDragging] = useState(false);

  const check = async (file: File) => {
    setBusy(true);
    setError('');
    setReport(null);
    try {
      const bytes = await file.arrayBuffer();
      setData(bytes);
      setReport(await api.post<Report>('/v1/verify', new Blob([bytes], { type: 'application/pdf' }), { 'Content-Type': 'application/pdf' }));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const download = () => {
    const url = URL.createObjectURL(new Blob([JSON.stringify(report, null, 2)], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'bao-cao-kiem-tra.json';
    a.click();
    URL.revokeObjectURL(url);
  };
  return (
    <main id="main" class="verify">
      <h1>{t('verifyPublic')}</h1>
      <p>{t('verifyIntro')}</p>
      <label class={`dropzone${dragging ? ' dragging' : ''}`}
        onDragOver={(e) => { e.preventDefault(); setDragging(true); }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => { e.preventDefault(); setDragging(false); const f = e.dataTransfer?.files[0]; if (f) void check(f); }}>
        <span>{t('pickFile')}</span>
        <input type="file" accept="application/pdf,.pdf" data-testid="verify-file" onChange={(e) => { const f = (e.target as HTMLInputElement).files?.[0]; if (f) void check(f); }} />
      </label>
      {busy && <p aria-live="polite">{t('checking')}</p>}
      {error && <p class="error" role="alert">{error}</p>}
      {report && (
        <>
          <VerdictBanner report={report} />
          <p class="muted">{formatTime(report.validatedAt)} · SHA-256 {report.sha256}</p>
          <p class="no-print">
            <button type="button" onClick={download}>{t('downloadJson')}</button>{' '}
            <button type="button" onClick={() => window.print()}>{t('print')}</button>
          </p>
          <div class="two-columns">
            <SignaturesPanel report={report} />
            {data && <PdfView data={data} boxes={boxesOf(report)} />}
          </div>
        </>
      )}
    </main>
  );
}
