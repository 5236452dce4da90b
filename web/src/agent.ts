/**
 * The page's side of the signing agent on the official's PC (`kyso agent`, 127.0.0.1): pairing with the
 * code the agent shows, the token's certificate, and signing Kyso signing sessions. The PIN never passes
 * through the page: the agent asks for it.
 */
import { lang } from './i18n';

const ADDRESS_KEY = 'kyso.agent.address';
const SECRET_KEY = 'kyso.agent.secret';
export const agentAddress = (): string => localStorage.getItem(ADDRESS_KEY) || 'http://127.0.0.1:27400';
export const setAgentAddress = (a: string): void => localStorage.setItem(ADDRESS_KEY, a.replace(/\/+$/, ''));

export class AgentError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

const NOT_RUNNING = {
  vi: 'Chương trình ký số trên máy không chạy (hoặc sai địa chỉ): hãy mở chương trình "kyso agent"',
  en: 'the signing agent is not running on this PC (or the address is wrong): start "kyso agent"',
};

async function call<T>(method: string, pathname: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${agentAddress()}${pathname}`, {
      method,
      headers: { 'Content-Type': 'application/json', 'X-Kyso-Agent-Secret': localStorage.getItem(SECRET_KEY) ?? '' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new AgentError('AGENT_NOT_RUNNING', lang.get() === 'vi' ? NOT_RUNNING.vi : NOT_RUNNING.en);
  }
  const json = await res.json().catch(() => ({})) as { code?: string; message?: string; messageEn?: string } & T;
  if (!res.ok) throw new AgentError(json.code ?? 'AGENT_ERROR', (lang.get() === 'vi' ? json.message : json.messageEn) ?? res.statusText);
  return json;
}

export interface AgentStatus { paired: boolean; token: { ok: boolean; label: string; subject?: string; notAfter?: string; code?: string; message?: string; messageEn?: string } }
export interface SignItem { server: string; sessionId: string; agentToken: string; dataToSign: string; digestAlgorithm: string; scheme: string }

export const agent = {
  status: () => call<AgentStatus>('GET', '/v1/status'),
  pair: async (code: string) => {
    const { secret } = await call<{ secret: string }>('POST', '/v1/pair', { code });
    localStorage.setItem(SECRET_KEY, secret);
  },
  certificates: () => call<{ items: Array<{ subject: string; notAfter: string; sha256: string; chainPem: string }> }>('GET', '/v1/certificates'),
  signBatch: (items: SignItem[]) => call<{ results: Array<{ ok: boolean; sessionId: string; signatureValue?: string; code?: string; message?: string; messageEn?: string }> }>('POST', '/v1/sign-batch', { items }),
};
