/**
 * Agencies and their API keys. A key is `kyso_<keyId>_<secret>`: the key id is looked up, the secret is
 * compared by SHA-256 in constant time; only the hash is stored, and a revoked key is refused.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AuditLog } from '../audit';
import { AppError } from '../errors';
import { AgencyDoc, CallerRole, isDuplicateKey, Models, OPERATOR, ORGAN_ID_PATTERN, Role, ROLES } from './models';

export interface Caller {
  /** The caller's agency; '' for the service operator, who acts for no agency. */
  organId: string;
  organName: string;
  role: CallerRole;
  keyId: string;
  /** The agency's current code and the codes it had before (exchanges keep the code they were made under). */
  organIds?: string[];
  /** A person signed in through the web application (keyId is then `user:<username>`). */
  username?: string;
  fullName?: string;
}

/** The service operator acting with the key `keyId` (an API key, or a browser session opened with it). */
export const operatorCaller = (keyId: string): Caller => ({ organId: '', organName: 'Kyso operator', role: OPERATOR, keyId, organIds: [] });

/** Every code a caller's agency has had, current first. */
export function codesOf(caller: Caller): string[] {
  return caller.organIds ?? [caller.organId];
}


/** Whether the caller may manage the keys of agency `organId`: the operator any, an agency admin its own. */
function managesAgency(by: Caller | undefined, organId: string): boolean {
  return !by || by.role === OPERATOR || (by.role === 'admin' && codesOf(by).includes(organId));
}

/** Registering agencies and changing names and codes belongs to the operator (and to start-up bootstrap). */
function requireOperator(by: Caller | undefined): void {
  if (by && by.role !== OPERATOR) throw new AppError('FORBIDDEN', 'only the service operator registers agencies and changes their names and codes');
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** How long an authenticated key is trusted without asking the database again (revocation delay bound). */
const AUTH_CACHE_MS = 1000;

export interface AgencyServiceHooks {
  /** An agency's code changed: what is kept above this module (the accounts of its people) follows it. */
  codeChanged?: (from: string, to: string) => Promise<void>;
}

export function createAgencyService(models: Models, audit: AuditLog, hooks: AgencyServiceHooks = {}) {
  // keyId → caller and secret hash; revocation in this process clears the entry at once, in other
  // service instances it takes effect within AUTH_CACHE_MS.
  const recent = new Map<string, { caller: Caller; secretHash: string; until: number }>();

  async function registerAgency(input: { organId: unknown; name: unknown; acceptPublicCa?: unknown }, by?: Caller): Promise<AgencyDoc> {
    if (typeof input.organId !== 'string' || !ORGAN_ID_PATTERN.test(input.organId)) {
      throw new AppError('INVALID_REQUEST', 'organId must be 1–35 characters of 0-9, A-Z and "." (e.g. 000.00.00.G22)');
    }
    if (typeof input.name !== 'string' || !input.name.trim() || input.name.length > 300) throw new AppError('INVALID_REQUEST', 'the agency needs a name (at most 300 characters)');
    if (input.acceptPublicCa !== undefined && typeof input.acceptPublicCa !== 'boolean') throw new AppError('INVALID_REQUEST', 'acceptPublicCa is true or false');
    requireOperator(by);
    // A retired code stays reserved: a new agency under it would inherit the old one's mail.
    if (await models.Agency.exists({ 'history.organId': input.organId })) {
      throw new AppError('AGENCY_EXISTS', `the code ${input.organId} was used by an agency and stays reserved`);
    }
    try {
      const doc = await models.Agency.create({ organId: input.organId, name: input.name.trim(), trustPolicy: { acceptPublicCa: (input.acceptPublicCa as boolean | undefined) ?? true } });
      await audit.append({ type: 'agency.registered', organId: by?.organId, keyId: by?.keyId, subject: input.organId, details: { name: input.name } });
      return doc.toObject();
    } catch (error) {
      if (isDuplicateKey(error)) throw new AppError('AGENCY_EXISTS', `agency ${input.organId} already exists`);
      throw error;
    }
  }

  async function createKey(organId: string, role: CallerRole): Promise<{ keyId: string; apiKey: string }> {
    const keyId = randomBytes(8).toString('hex');
    const secret = randomBytes(24).toString('base64url');
    await models.ApiKey.create({ keyId, organId, role, secretHash: sha256(secret) });
    return { keyId, apiKey: `kyso_${keyId}_${secret}` };
  }

  /** A key of one of the agency roles; an agency admin issues keys for its own agency only. */
  async function issueApiKey(organId: string, role: unknown, by?: Caller): Promise<{ keyId: string; apiKey: string }> {
    if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) throw new AppError('INVALID_REQUEST', `role must be one of ${ROLES.join(', ')}`);
    if (!managesAgency(by, organId)) throw new AppError('FORBIDDEN', 'an agency admin issues keys for its own agency only');
    const agency = await models.Agency.findOne({ organId }).lean();
    if (!agency) throw new AppError('AGENCY_UNKNOWN', `unknown agency ${organId}`);
    const issued = await createKey(organId, role as Role);
    await audit.append({ type: 'api-key.issued', organId: by?.organId || organId, keyId: by?.keyId, subject: issued.keyId, details: { forOrganId: organId, role } });
    return issued;
  }

  /** A new operator key (first start, or `kyso-service operator-key`); it acts for no agency. */
  async function issueOperatorKey(): Promise<{ keyId: string; apiKey: string }> {
    const issued = await createKey('', OPERATOR);
    await audit.append({ type: 'api-key.issued', subject: issued.keyId, details: { role: OPERATOR } });
    return issued;
  }

  async function hasOperatorKey(): Promise<boolean> {
    return (await models.ApiKey.exists({ role: OPERATOR, revokedAt: null })) !== null;
  }

  /**
   * Revokes a key: the operator any, an agency admin only its own agency's. A key of another agency is
   * answered as missing, so key ids of other agencies cannot be probed.
   */
  async function revokeApiKey(keyId: string, by: Caller): Promise<void> {
    const scope: Record<string, unknown> = by.role === OPERATOR ? {} : { organId: { $in: codesOf(by) }, role: { $ne: OPERATOR } };
    const result = await models.ApiKey.updateOne({ keyId, revokedAt: null, ...scope }, { $set: { revokedAt: new Date() } });
    recent.delete(keyId);
    if (result.matchedCount === 0) throw new AppError('NOT_FOUND', `no active API key ${keyId}`);
    await audit.append({ type: 'api-key.revoked', organId: by.organId || undefined, keyId: by.keyId, subject: keyId });
  }

  /** The keys of one agency (never their secrets): the operator any agency's, an agency admin its own. */
  async function listApiKeys(organId: string, by: Caller): Promise<Array<{ keyId: string; role: string; createdAt: Date; revokedAt: Date | null }>> {
    if (!managesAgency(by, organId)) throw new AppError('FORBIDDEN', 'an agency admin lists the keys of its own agency only');
    const keys = await models.ApiKey.find({ organId }, { _id: 0, keyId: 1, role: 1, createdAt: 1, revokedAt: 1 }).sort({ createdAt: 1 }).lean();
    return keys.map((k) => ({ keyId: k.keyId, role: k.role, createdAt: k.createdAt, revokedAt: k.revokedAt ?? null }));
  }

  async function authenticate(token: string | undefined): Promise<Caller> {
    const m = /^kyso_([0-9a-f]{16})_([A-Za-z0-9_-]{20,64})$/.exec(token ?? '');
    if (!m) throw new AppError('UNAUTHENTICATED', 'an API key is required (Authorization: Bearer kyso_…)');
    const given = Buffer.from(sha256(m[2]), 'hex');
    const cached = recent.get(m[1]);
    if (cached && cached.until > Date.now() && timingSafeEqual(given, Buffer.from(cached.secretHash, 'hex'))) return cached.caller;
    const key = await models.ApiKey.findOne({ keyId: m[1] }).lean();
    if (!key || !timingSafeEqual(given, Buffer.from(key.secretHash, 'hex'))) throw new AppError('UNAUTHENTICATED', 'the API key is not valid');
    if (key.revokedAt) throw new AppError('UNAUTHENTICATED', 'the API key has been revoked');
    if (key.role === OPERATOR) {
      const operator = operatorCaller(key.keyId);
      recent.set(key.keyId, { caller: operator, secretHash: key.secretHash, until: Date.now() + AUTH_CACHE_MS });
      return operator;
    }
    const agency = await models.Agency.findOne({ organId: key.organId }).lean();
    if (!agency?.active) throw new AppError('UNAUTHENTICATED', 'the agency of this API key is not active');
    const organIds = [...new Set([agency.organId, ...agency.history.map((h) => h.organId)])];
    const caller: Caller = { organId: key.organId, organName: agency.name, role: key.role, keyId: key.keyId, organIds };
    if (recent.size > 10_000) recent.clear();
    recent.set(key.keyId, { caller, secretHash: key.secretHash, until: Date.now() + AUTH_CACHE_MS });
    return caller;
  }

  /**
   * Renames an agency (or moves it to a new name after a merger): the previous name is kept in its history
   * with the period it was valid, so documents keep showing the name they were sent under.
   */
  async function renameAgency(organId: string, name: unknown, by: Caller): Promise<AgencyDoc> {
    requireOperator(by);
    if (typeof name !== 'string' || !name.trim() || name.length > 300) throw new AppError('INVALID_REQUEST', 'the new name is required (at most 300 characters)');
    const agency = await models.Agency.findOne({ organId }).lean();
    if (!agency) throw new AppError('AGENCY_UNKNOWN', `unknown agency ${organId}`);
    const previousFrom = agency.history.length ? agency.history[agency.history.length - 1].validTo : agency.createdAt;
    const now = new Date();
    await models.Agency.updateOne(
      { organId, name: agency.name },
      { $set: { name: name.trim() }, $push: { history: { organId, name: agency.name, validFrom: previousFrom, validTo: now } } },
    );
    await audit.append({ type: 'agency.renamed', organId: by.organId || undefined, keyId: by.keyId, subject: organId, details: { from: agency.name, to: name.trim() } });
    return (await models.Agency.findOne({ organId }).lean()) as AgencyDoc;
  }

  /**
   * Moves an agency to a new OrganId (a reorganisation gives it a new code): the old code goes into its
   * history with its validity period, its API keys and its people's accounts follow it, exchanges made
   * under the old code stay as they were and remain the agency's, and documents sent to the old code reach
   * it.
   */
  async function changeAgencyCode(organId: string, newOrganId: unknown, by: Caller): Promise<AgencyDoc> {
    requireOperator(by);
    if (typeof newOrganId !== 'string' || !ORGAN_ID_PATTERN.test(newOrganId)) {
      throw new AppError('INVALID_REQUEST', 'the new organId must be 1–35 characters of 0-9, A-Z and "."');
    }
    const agency = await models.Agency.findOne({ organId }).lean();
    if (!agency) throw new AppError('AGENCY_UNKNOWN', `unknown agency ${organId}`);
    if (await models.Agency.exists({ $or: [{ organId: newOrganId }, { 'history.organId': newOrganId }] })) {
      throw new AppError('AGENCY_EXISTS', `the code ${newOrganId} is or was used by an agency`);
    }
    const previousFrom = agency.history.length ? agency.history[agency.history.length - 1].validTo : agency.createdAt;
    const now = new Date();
    try {
      // Conditional on the code read above, and the unique index on organId decides a race for the new code.
      const result = await models.Agency.updateOne(
        { organId },
        { $set: { organId: newOrganId }, $push: { history: { organId, name: agency.name, validFrom: previousFrom, validTo: now } } },
      );
      if (result.modifiedCount === 0) throw new AppError('AGENCY_UNKNOWN', `unknown agency ${organId}`);
    } catch (error) {
      if (isDuplicateKey(error)) throw new AppError('AGENCY_EXISTS', `the code ${newOrganId} is used by an agency`);
      throw error;
    }
    await models.ApiKey.updateMany({ organId }, { $set: { organId: newOrganId } });
    await hooks.codeChanged?.(organId, newOrganId);
    for (const [keyId, entry] of recent) if (entry.caller.organId === organId) recent.delete(keyId);
    await audit.append({ type: 'agency.code-changed', organId: by.organId || undefined, keyId: by.keyId, subject: newOrganId, details: { from: organId, to: newOrganId } });
    return (await models.Agency.findOne({ organId: newOrganId }).lean()) as AgencyDoc;
  }

  async function listAgencies(): Promise<Array<Pick<AgencyDoc, 'organId' | 'name' | 'active' | 'history'>>> {
    return models.Agency.find({}, { _id: 0, organId: 1, name: 1, active: 1, history: 1 }).sort({ organId: 1 }).lean();
  }

  return { registerAgency, renameAgency, changeAgencyCode, issueApiKey, issueOperatorKey, hasOperatorKey, revokeApiKey, listApiKeys, authenticate, listAgencies };
}

export type AgencyService = ReturnType<typeof createAgencyService>;
