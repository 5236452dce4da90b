/**
 * The token side of two-phase signing (`kyso sign --remote`): the PDF goes to the service, which returns
 * the bytes to sign; the local token signs them; the service embeds the signature. The key never leaves
 * the token and the service never sees it.
 */
import { AppError, ErrorCode } from '../errors';
import type { SignatureScheme, SigningDigestAlgorithm } from '../cms';
import { toPem } from '../cms';
import type { Signer } from '../signers';

export interface RemoteSignOptions {
  baseUrl: string;
  apiKey: string;
  pdf: Buffer;
  fileName: string;
  signer: Signer;
  scheme: SignatureScheme;
  digestAlgorithm: SigningDigestAlgorithm;
  fieldName?: string;
  reason?: string;
  location?: string;
}

/** The service's problem answer as an error (its code, else `fallback`). */
export async function serviceProblem(response: Response, fallback: ErrorCode = 'TOKEN_ERROR'): Promise<never> {
  let body: { code?: string; detail?: string } = {};
  try {
    body = (await response.json()) as typeof body;
  } catch {
    // not problem+json
  }
  const code = (body.code ?? fallback) as ErrorCode;
  throw new AppError(code, `the service answered ${response.status}: ${body.detail ?? response.statusText}`);
}

/** A request to the service; one it cannot reach is INPUT_NOT_FOUND naming it. */
export async function callService(base: string, url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(`${base}${url}`, init);
  } catch (error) {
    throw new AppError('INPUT_NOT_FOUND', `cannot reach the service at ${base}`, { cause: error });
  }
}

export async function signRemotely(options: RemoteSignOptions): Promise<Buffer> {
  const base = options.baseUrl.replace(/\/+$/, '');
  const headers = { Authorization: `Bearer ${options.apiKey}` };
  const chain = await options.signer.certificateChain();
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(options.pdf)], { type: 'application/pdf' }), options.fileName);
  form.append('certificateChain', chain.map(toPem).join(''));
  form.append('scheme', options.scheme);
  form.append('digestAlgorithm', options.digestAlgorithm);
  if (options.fieldName) form.append('fieldName', options.fieldName);
  if (options.reason) form.append('reason', options.reason);
  if (options.location) form.append('location', options.location);
  const opened = await callService(base, '/v1/signing-sessions', { method: 'POST', headers, body: form });
  if (opened.status !== 201) await serviceProblem(opened);
  const session = (await opened.json()) as { sessionId: string; dataToSign: string };
  const value = await options.signer.sign(Buffer.from(session.dataToSign, 'base64'), options.digestAlgorithm, options.scheme);
  const completed = await fetch(`${base}/v1/signing-sessions/${encodeURIComponent(session.sessionId)}`, {
    method: 'PUT',
    headers: { ...headers, 'Content-Type': 'application/json' },
    body: JSON.stringify({ signatureValue: value.toString('base64') }),
  });
  if (completed.status !== 200) await serviceProblem(completed);
  return Buffer.from(await completed.arrayBuffer());
}
