/**
 * The document rendered page by page with pdf.js (loaded only where a page is shown, its worker bundled),
 * each visible signature's rectangle outlined, and optionally a rectangle drawn by the user (the seal).
 */
import { useEffect, useRef, useState } from 'preact/hooks';

export interface Box { page: number; rect: number[]; label: string; tone: string }
export interface Drawn { page: number; x1: number; y1: number; x2: number; y2: number }

/** Largest zoom; a page is shrunk to the width of its column. */
const MAX_SCALE = 1.5;
const MAX_PAGES = 30;

export function PdfView({ data, boxes = [], onDraw }: { data: ArrayBuffer; boxes?: Box[]; onDraw?: (d: Drawn) => void }) {
  const host = useRef<HTMLDivElement>(null);
  const [error, setError] = useState('');
  const [drawn, setDrawn] = useState<Drawn | null>(null);
  const [sizes, setSizes] = useState<Array<{ width: number; height: number }>>([]);
  const [zoom, setZoom] = useState(1);

  useEffect(() => {
    let cancelled = false;
    (async () => {
      const pdfjs = await import('pdfjs-dist');
      const worker = await import('pdfjs-dist/build/pdf.worker.min.mjs?url');
      pdfjs.GlobalWorkerOptions.workerSrc = worker.default;
      const doc = await pdfjs.getDocument({ data: new Uint8Array(data.slice(0)), isEvalSupported: false }).promise;
      const out: Array<{ width: number; height: number }> = [];
      const canvases = host.current?.querySelectorAll('canvas') ?? [];
      const available = Math.max(300, (host.current?.clientWidth ?? 800) - 8);
      const firstWidth = (await doc.getPage(1)).getViewport({ scale: 1 }).width;
      const scale = Math.min(MAX_SCALE, available / firstWidth);
      setZoom(scale);
      for (let i = 1; i <= Math.min(doc.numPages, MAX_PAGES) && !cancelled; i++) {
        const page = await doc.getPage(i);
        const viewport = page.getViewport({ scale });
        out.push({ width: viewport.width, height: viewport.height });
        setSizes([...out]);
        await new Promise((r) => requestAnimationFrame(r));
        const canvas = (host.current?.querySelectorAll('canvas') ?? canvases)[i - 1] as HTMLCanvasElement | undefined;
        if (!canvas) continue;
        canvas.width = viewport.width;
        canvas.height = viewport.height;
        await page.render({ canvas, canvasContext: canvas.getContext('2d') as CanvasRenderingContext2D, viewport }).promise;
      }
    })().catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
    return () => {
      cancelled = true;
    };
  }, [data]);

  const startDraw = (page: number, height: number) => (e: PointerEvent) => {
    if (!onDraw) return;
    const target = e.currentTarget as HTMLElement;
    const box = target.getBoundingClientRect();
    const x0 = e.clientX - box.left;
    const y0 = e.clientY - box.top;
    const move = (m: PointerEvent) => {
      const x1 = m.clientX - box.left;
      const y1 = m.clientY - box.top;
      // Screen pixels to PDF user space (origin bottom-left).
      setDrawn({ page, x1: Math.min(x0, x1) / zoom, x2: Math.max(x0, x1) / zoom, y1: (height - Math.max(y0, y1)) / zoom, y2: (height - Math.min(y0, y1)) / zoom });
    };
    const up = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      setDrawn((d) => {
        if (d && d.x2 - d.x1 > 10 && d.y2 - d.y1 > 10) onDraw(d);
        return d;
      });
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  };

  return (
    <div class="pdf-view" ref={host} tabIndex={0} role="region" aria-label="PDF">
      {error && <p class="error" role="alert">{error}</p>}
      {sizes.map((size, i) => (
        <div class="pdf-page" key={i} style={{ width: `${size.width}px`, height: `${size.height}px` }} onPointerDown={startDraw(i, size.height) as never}>
          <canvas aria-label={`page ${i + 1}`} />
          {boxes.filter((b) => b.page === i).map((b) => (
            <div class={`sig-box tone-${b.tone}`} title={b.label} key={b.label}
              style={{ left: `${b.rect[0] * zoom}px`, top: `${size.height - b.rect[3] * zoom}px`, width: `${(b.rect[2] - b.rect[0]) * zoom}px`, height: `${(b.rect[3] - b.rect[1]) * zoom}px` }}>
              <span>{b.label}</span>
            </div>
          ))}
          {drawn && drawn.page === i && (
            <div class="draw-box" style={{ left: `${drawn.x1 * zoom}px`, top: `${size.height - drawn.y2 * zoom}px`, width: `${(drawn.x2 - drawn.x1) * zoom}px`, height: `${(drawn.y2 - drawn.y1) * zoom}px` }} />
          )}
        </div>
      ))}
    </div>
  );
}

/** The outlined rectangles of a report's visible signatures. */
export function boxesOf(report: { signatures: Array<{ appearance?: { page: number | null; rect: number[] } | null; indication: string }> }): Box[] {
  return report.signatures.flatMap((s, i) => {
    if (!s.appearance || s.appearance.page === null) return [];
    const [x1, y1, x2, y2] = s.appearance.rect;
    if (x2 - x1 < 1 || y2 - y1 < 1) return [];
    return [{ page: s.appearance.page, rect: [Math.min(x1, x2), Math.min(y1, y2), Math.max(x1, x2), Math.max(y1, y2)], label: `#${i + 1}`, tone: s.indication === 'TOTAL_PASSED' ? 'ok' : s.indication === 'TOTAL_FAILED' ? 'bad' : 'unknown' }];
  });
}
