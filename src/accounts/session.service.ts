/**
 * Signing in and out in the browser. A session is a random 32-byte value in an HttpOnly, SameSite=Strict
 * cookie; the database keeps only its SHA-256, the user, a CSRF token the page sends back on every change,
 * and two ends: idle (IDLE_MS after the last use) and absolute (MAX_MS after sign-in). Wrong passwords slow
 * the next answer down, doubling each time (DELAY_BASE_MS … DELAY_MAX_MS), and after LOCK_AFTER in a row the
 * account is locked for LOCK_MS. An unknown username costs the same as a wrong password.
 *
 * The service operator, who has no account in any agency, signs in with the operator key instead: the key
 * is checked once, the session keeps only the key's id, and the session ends when that key is revoked.
 * Only an operator key opens such a session (an agency's machine keys do not).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AuditLog } from '../audit';
import { AppError } from '../errors';
import { OPERATOR, operatorCaller } from '../exchange';
import type { Caller, Models } from '../exchange';
import type { AccountModels, UserDoc } from './account-models';
import { decoyHash, verifyPassword } from './password';
import { userView, UserView } from './user.service';

export const IDLE_MS = 30 * 60_000;
const MAX_MS = 12 * 3600_000;
/** The database is told of a session's use at most this often. */
const TOUCH_MS = 60_000;
export const LOCK_AFTER = 5;
export const LOCK_MS = 15 * 60_000;
const DELAY_BASE_MS = 250;
const DELAY_MAX_MS = 4000;

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A session just opened: the cookie value (given once, never stored) and its CSRF token. */
export interface OpenedSession {
  sessionId: string;
  csrfToken: string;
}

export interface SignedIn extends OpenedSession {
  user: UserView;
}

export function createSessionService(models: Models, accounts: AccountModels, audit: AuditLog, authenticateKey: (apiKey: string) => Promise<Caller>) {
  /**
   * A person's active agency, under its current code or an earlier one (an account still under an old code
   * is never locked out by the agency's move; the code change moves accounts as well).
   */
  const agencyOf = (organId: string) => models.Agency.findOne({ active: true, $or: [{ organId }, { 'history.organId': organId }] }).lean();

  /** A new session for a person or the operator: its cookie value and CSRF token (only a hash of the value is kept). */
  async function openSession(who: { username: string } | { operatorKeyId: string }): Promise<OpenedSession> {
    const sessionId = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const now = Date.now();
    await accounts.Session.create({ idHash: sha256(sessionId), ...who, csrfToken, expiresAt: new Date(now + IDLE_MS), endsAt: new Date(now + MAX_MS) });
    return { sessionId, csrfToken };
  }

  /** The answer to a failed sign-in comes later each time (per account), and locks it after LOCK_AFTER. */
  async function failed(user: UserDoc | null, username: string): Promise<never> {
    let failures = 1;
    if (user) {
      const updated = await accounts.User.findOneAndUpdate({ username }, { $inc: { failedLogins: 1 } }, { returnDocument: 'after' }).lean();
      failures = updated?.failedLogins ?? 1;
      if (failures >= LOCK_AFTER) {
        await accounts.User.updateOne({ username }, { $set: { lockedUntil: new Date(Date.now() + LOCK_MS), failedLogins: 0 } });
        await audit.append({ type: 'user.locked', organId: user.organId, subject: username, details: { minutes: LOCK_MS / 60_000 } });
      }
    }
    await audit.append({ type: 'user.login-failed', organId: user?.organId ?? null, subject: username.slice(0, 64) });
    await sleep(Math.min(DELAY_MAX_MS, DELAY_BASE_MS * 2 ** (failures - 1)));
    if (user && failures >= LOCK_AFTER) throw lockedError(new Date(Date.now() + LOCK_MS));
    throw new AppError('LOGIN_FAILED', 'wrong username or password');
  }

  const lockedError = (until: Date) => new AppError('ACCOUNT_LOCKED', 'too many wrong passwords: the account is locked for a while', {
    details: { lockedUntil: until.toISOString(), retryAfterSeconds: Math.ceil((until.getTime() - Date.now()) / 1000) },
  });

  async function login(username: unknown, password: unknown): Promise<SignedIn> {
    if (typeof username !== 'string' || typeof password !== 'string' || username.length > 64 || password.length > 200) {
      throw new AppError('INVALID_REQUEST', 'username and password are required');
    }
    const user = await accounts.User.findOne({ username: username.trim().toLowerCase() }).lean();
    if (user?.lockedUntil && user.lockedUntil > new Date()) throw lockedError(user.lockedUntil);
    const ok = await verifyPassword(password, user?.passwordHash ?? await decoyHash());
    if (!user || !ok || user.disabled) return failed(user && ok ? null : user, username);
    const agency = await agencyOf(user.organId);
    if (!agency) return failed(null, username);
    await accounts.User.updateOne({ username: user.username }, { $set: { failedLogins: 0, lockedUntil: null } });
    const { sessionId, csrfToken } = await openSession({ username: user.username });
    await audit.append({ type: 'user.logged-in', organId: user.organId, keyId: `user:${user.username}`, subject: user.username });
    return { sessionId, csrfToken, user: userView(user) };
  }

  /** The operator's sign-in with its key; any other key, or a wrong one, is a failed sign-in. */
  async function loginOperator(apiKey: unknown): Promise<OpenedSession> {
    if (typeof apiKey !== 'string' || apiKey.length > 200) throw new AppError('INVALID_REQUEST', 'the operator key is required');
    const caller = await authenticateKey(apiKey.trim()).catch((error: unknown) => {
      if ((error as { code?: string }).code === 'UNAUTHENTICATED') return undefined;
      throw error;
    });
    if (!caller || caller.role !== OPERATOR) {
      await audit.append({ type: 'operator.login-failed', subject: caller ? caller.keyId : 'operator key' });
      await sleep(DELAY_BASE_MS * 4);
      throw new AppError('LOGIN_FAILED', 'this is not a valid operator key');
    }
    const opened = await openSession({ operatorKeyId: caller.keyId });
    await audit.append({ type: 'operator.logged-in', keyId: caller.keyId, subject: caller.keyId });
    return opened;
  }

  /** The operator a session of the operator's stands for, while its key is not revoked. */
  async function operatorOf(keyId: string): Promise<Caller> {
    const key = await models.ApiKey.exists({ keyId, role: OPERATOR, revokedAt: null });
    if (!key) throw new AppError('SESSION_ENDED', 'the operator key of this session has been revoked; sign in again');
    return operatorCaller(keyId);
  }

  /**
   * The caller a session cookie stands for, with the session's CSRF token (and the person, unless it is the
   * operator's session); the session slides forward.
   */
  async function resolve(sessionId: string): Promise<{ caller: Caller; csrfToken: string; user?: UserView }> {
    const now = new Date();
    const session = await accounts.Session.findOne({ idHash: sha256(sessionId) }).lean();
    if (!session || session.expiresAt <= now || session.endsAt <= now) throw new AppError('SESSION_ENDED', 'the session has ended; sign in again');
    const slide = async () => {
      if (session.expiresAt.getTime() - now.getTime() < IDLE_MS - TOUCH_MS) {
        await accounts.Session.updateOne({ idHash: session.idHash }, { $set: { expiresAt: new Date(Math.min(now.getTime() + IDLE_MS, session.endsAt.getTime())) } });
      }
    };
    if (session.operatorKeyId) {
      const caller = await operatorOf(session.operatorKeyId);
      await slide();
      return { caller, csrfToken: session.csrfToken };
    }
    const user = await accounts.User.findOne({ username: session.username }).lean();
    const agency = user && !user.disabled ? await agencyOf(user.organId) : null;
    if (!user || !agency) throw new AppError('SESSION_ENDED', 'the account is disabled; sign in again');
    await slide();
    const organIds = [...new Set([agency.organId, ...agency.history.map((h) => h.organId)])];
    return {
      caller: { organId: agency.organId, organName: agency.name, role: user.role, keyId: `user:${user.username}`, organIds, username: user.username, fullName: user.fullName },
      csrfToken: session.csrfToken,
      user: userView(user),
    };
  }

  async function logout(sessionId: string, caller: Caller): Promise<void> {
    await accounts.Session.deleteOne({ idHash: sha256(sessionId) });
    const operator = caller.role === OPERATOR;
    await audit.append({ type: operator ? 'operator.logged-out' : 'user.logged-out', organId: caller.organId || undefined, keyId: caller.keyId, subject: operator ? caller.keyId : caller.username ?? null });
  }

  return { login, loginOperator, resolve, logout };
}

export type SessionService = ReturnType<typeof createSessionService>;
