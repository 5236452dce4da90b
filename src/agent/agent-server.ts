/**
 * The signing agent on an official's PC (`kyso agent`): a small HTTP server on 127.0.0.1 that the Kyso web
 * page talks to, the role the VGCA signing plugin plays. It lists the certificate of its token key and signs
 * the data of a Kyso signing session — nothing else:
 * - only pages of the allowed origins get answers: the Origin header is checked on every request, CORS
 *   preflights (and Chromium's Private Network Access preflights) are answered for them only;
 * - a browser pairs once with a code the agent shows in its own terminal and then holds a secret;
 * - the PIN is given to the agent (terminal, file or the token's protected path), never to the page;
 * - before signing it asks the configured Kyso server whether the session exists and names this
 *   certificate and these bytes; every signature is appended to a local log.
 */
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import * as path from 'node:path';
import { parseCertificate, SignatureScheme, SigningDigestAlgorithm, toPem } from '../cms';
import { AppError, isAppError } from '../errors';
import type { Signer } from '../signers';
import { AGENT_MESSAGES } from './agent-messages';

export interface AgentOptions {
  /** The token key, or the error that kept it from opening (wrong PIN at start, token missing). */
  signer: Signer | AppError;
  tokenLabel: string;
  allowOrigins: string[];
  /** Kyso servers whose sessions may be signed (default: the allowed origins). */
  servers: string[];
  /** Pairings and the signature log live here. */
  stateDir: string;
  /** Called with each new pairing code (shown in the agent's terminal). */
  showPairingCode: (code: string) => void;
  fetchTimeoutMs?: number;
}

const MAX_BODY = 2 * 1024 * 1024;
const MAX_BATCH = 50;
const PAIRING_ATTEMPTS = 5;
const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

class AgentError extends Error {
  constructor(readonly code: keyof typeof AGENT_MESSAGES | string, detail?: string) {
    super(detail ?? code);
  }
}

function problemOf(error: unknown): { status: number; body: Record<string, unknown> } {
  const code = error instanceof AgentError || isAppError(error) ? String((error as { code: string }).code) : 'TOKEN_ERROR';
  const known = AGENT_MESSAGES[code] ?? AGENT_MESSAGES.TOKEN_ERROR;
  // A token that reports its remaining PIN attempts: the page says how many are left.
  const triesLeft = isAppError(error) ? error.details?.triesLeft : undefined;
  const left = triesLeft === 1 ? { vi: ' (chỉ còn 1 lần thử trước khi khóa)', en: ' (one attempt left before the PIN locks)' }
    : triesLeft === 'few' ? { vi: ' (còn ít lần thử trước khi khóa)', en: ' (few attempts left before the PIN locks)' } : { vi: '', en: '' };
  return {
    status: known.status,
    body: { code: AGENT_MESSAGES[code] ? code : 'TOKEN_ERROR', message: known.vi + left.vi, messageEn: known.en + left.en, detail: error instanceof Error ? error.message : String(error), ...(triesLeft !== undefined ? { triesLeft } : {}) },
  };
}

export function createAgentServer(options: AgentOptions): Server {
  mkdirSync(options.stateDir, { recursive: true, mode: 0o700 });
  const pairingsFile = path.join(options.stateDir, 'pairings.json');
  const logFile = path.join(options.stateDir, 'signatures.log');
  const paired = new Set<string>(existsSync(pairingsFile) ? (JSON.parse(readFileSync(pairingsFile, 'utf8')) as string[]) : []);
  let pairingCode = '';
  let pairingAttempts = 0;
  const newPairingCode = (): void => {
    pairingCode = String(randomInt(0, 1_000_000)).padStart(6, '0');
    pairingAttempts = 0;
    options.showPairingCode(pairingCode);
  };
  newPairingCode();
  const servers = options.servers.map((s) => s.replace(/\/+$/, ''));

  const certificate = async () => {
    if (options.signer instanceof AppError) throw options.signer;
    const chain = await options.signer.certificateChain();
    const info = parseCertificate(chain[0]);
    return { chain, info, sha256: sha256(chain[0]) };
  };

  const isPaired = (req: IncomingMessage): boolean => {
    const secret = req.headers['x-kyso-agent-secret'];
    if (typeof secret !== 'string' || secret.length < 20) return false;
    const hash = Buffer.from(sha256(secret), 'hex');
    return [...paired].some((p) => timingSafeEqual(hash, Buffer.from(p, 'hex')));
  };

  async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY) throw new AgentError('INVALID_REQUEST', 'the request is too large');
      chunks.push(chunk as Buffer);
    }
    try {
      const value = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as unknown;
      if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
      return value as Record<string, unknown>;
    } catch {
      throw new AgentError('INVALID_REQUEST', 'the body must be a JSON object');
    }
  }

  /** Asks the Kyso server about the session, checks it names this certificate and these bytes, signs. */
  async function signOne(item: Record<string, unknown>): Promise<{ sessionId: string; signatureValue: string }> {
    const server = typeof item.server === 'string' ? item.server.replace(/\/+$/, '') : '';
    const sessionId = typeof item.sessionId === 'string' ? item.sessionId : '';
    if (!servers.includes(server)) throw new AgentError('SERVER_NOT_ALLOWED', `server ${server} is not configured`);
    if (!/^[0-9a-f-]{36}$/.test(sessionId) || typeof item.agentToken !== 'string' || typeof item.dataToSign !== 'string') throw new AgentError('INVALID_REQUEST', 'server, sessionId, agentToken and dataToSign are required');
    const digest = (item.digestAlgorithm ?? 'sha256') as SigningDigestAlgorithm;
    const scheme = (item.scheme ?? 'rsa-pkcs1') as SignatureScheme;
    if (!['sha256', 'sha384', 'sha512'].includes(digest) || !['rsa-pkcs1', 'rsa-pss', 'ecdsa'].includes(scheme)) throw new AgentError('INVALID_REQUEST', 'unknown digest or scheme');
    const data = Buffer.from(item.dataToSign, 'base64');
    const cert = await certificate();
    const now = new Date();
    if (cert.info.notAfter < now) throw new AgentError('CERT_EXPIRED', `the certificate expired on ${cert.info.notAfter.toISOString()}`);
    if (cert.info.notBefore > now) throw new AgentError('CERT_NOT_YET_VALID');
    const answer = await fetch(`${server}/v1/signing-sessions/${sessionId}/agent-check`, {
      headers: { 'X-Agent-Token': item.agentToken }, signal: AbortSignal.timeout(options.fetchTimeoutMs ?? 10_000),
    }).catch((error: unknown) => {
      throw new AgentError('SESSION_NOT_FOUND', `the server did not answer: ${(error as Error).message}`);
    });
    if (!answer.ok) throw new AgentError('SESSION_NOT_FOUND', `the server answered ${answer.status}`);
    const session = await answer.json() as { certificateSha256?: string; dataToSignSha256?: string; documentDigest?: string };
    if (session.certificateSha256 !== cert.sha256 || session.dataToSignSha256 !== sha256(data)) throw new AgentError('SESSION_MISMATCH');
    const value = await (options.signer as Signer).sign(data, digest, scheme);
    appendFileSync(logFile, `${JSON.stringify({
      time: new Date().toISOString(), server, sessionId, documentDigest: session.documentDigest ?? null, signedAttributesSha256: sha256(data),
      certificateSha256: cert.sha256, certificate: cert.info.subject,
    })}\n`, { mode: 0o600 });
    return { sessionId, signatureValue: value.toString('base64') };
  }

  async function route(req: IncomingMessage, res: ServerResponse, origin: string): Promise<unknown> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/v1/status') {
      let token: Record<string, unknown>;
      try {
        const cert = await certificate();
        token = { ok: true, label: options.tokenLabel, subject: cert.info.subject, notAfter: cert.info.notAfter.toISOString() };
      } catch (error) {
        token = { ok: false, label: options.tokenLabel, ...problemOf(error).body };
      }
      return { agent: 'kyso-agent', paired: isPaired(req), origin, token };
    }
    if (req.method === 'POST' && url.pathname === '/v1/pair') {
      const body = await readJson(req);
      const given = typeof body.code === 'string' ? body.code.trim() : '';
      if (given.length !== 6 || !timingSafeEqual(Buffer.from(given), Buffer.from(pairingCode))) {
        if (++pairingAttempts >= PAIRING_ATTEMPTS) newPairingCode();
        throw new AgentError('PAIRING_CODE_WRONG');
      }
      const secret = randomBytes(32).toString('base64url');
      paired.add(sha256(secret));
      writeFileSync(pairingsFile, JSON.stringify([...paired]), { mode: 0o600 });
      newPairingCode();
      return { secret };
    }
    if (!isPaired(req)) throw new AgentError('AGENT_NOT_PAIRED');
    if (req.method === 'GET' && url.pathname === '/v1/certificates') {
      const cert = await certificate();
      return { items: [{ subject: cert.info.subject, issuer: cert.info.issuer, notAfter: cert.info.notAfter.toISOString(), sha256: cert.sha256, chainPem: cert.chain.map(toPem).join('') }] };
    }
    if (req.method === 'POST' && url.pathname === '/v1/sign') return signOne(await readJson(req));
    if (req.method === 'POST' && url.pathname === '/v1/sign-batch') {
      const items = (await readJson(req)).items;
      if (!Array.isArray(items) || items.length === 0 || items.length > MAX_BATCH) throw new AgentError('INVALID_REQUEST', `items: 1–${MAX_BATCH} sessions`);
      // One confirmation, one PIN entry: each session is signed on its own, and one failure stops no other.
      const results = [];
      for (const item of items as Record<string, unknown>[]) {
        try {
          results.push({ ok: true, ...(await signOne(item)) });
        } catch (error) {
          results.push({ ok: false, sessionId: item?.sessionId ?? null, ...problemOf(error).body });
        }
      }
      return { results };
    }
    throw new AgentError('NOT_FOUND');
  }

  return createServer((req, res) => {
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : '';
    const allowed = options.allowOrigins.includes(origin);
    const send = (status: number, body?: unknown): void => {
      if (allowed) {
        res.setHeader('Access-Control-Allow-Origin', origin);
        res.setHeader('Vary', 'Origin');
      }
      res.setHeader('Cache-Control', 'no-store');
      if (body === undefined) res.writeHead(status).end();
      else res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
    };
    // The Origin is checked on every request, not only on the preflight: no answer, no CORS headers.
    if (!allowed) {
      req.resume();
      return send(403, problemOf(new AgentError('ORIGIN_NOT_ALLOWED', `origin ${origin || '(none)'} is not allowed`)).body);
    }
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Kyso-Agent-Secret');
      res.setHeader('Access-Control-Max-Age', '600');
      // Chromium's Private Network Access: a public page asking for a loopback address needs this yes.
      if (req.headers['access-control-request-private-network'] === 'true') res.setHeader('Access-Control-Allow-Private-Network', 'true');
      return send(204);
    }
    route(req, res, origin).then((body) => send(200, body), (error: unknown) => {
      const p = problemOf(error);
      send(p.status, p.body);
    });
  });
}
