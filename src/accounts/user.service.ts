/**
 * Accounts of people: an agency admin creates, lists, resets and disables the users of its own agency; the
 * operator those of any agency. Passwords are hashed with scrypt; a new or reset password is generated
 * unless the admin gives one, and is shown once.
 */
import type { AuditLog } from '../audit';
import { AppError } from '../errors';
import { Caller, codesOf, isDuplicateKey, Models, OPERATOR, ROLES } from '../exchange';
import type { Role } from '../exchange';
import type { AccountModels, UserDoc } from './account-models';
import { generatePassword, hashPassword } from './password';

const USERNAME = /^[a-z0-9][a-z0-9._-]{2,63}$/;
export const MIN_PASSWORD_LENGTH = 10;

export type UserView = Pick<UserDoc, 'username' | 'organId' | 'role' | 'fullName' | 'disabled' | 'createdAt'> & { locked: boolean };

export const userView = (u: UserDoc): UserView => ({
  username: u.username, organId: u.organId, role: u.role, fullName: u.fullName, disabled: u.disabled, createdAt: u.createdAt,
  locked: !!u.lockedUntil && u.lockedUntil > new Date(),
});

function checkPassword(password: unknown): string | undefined {
  if (password === undefined) return undefined;
  if (typeof password !== 'string' || password.length < MIN_PASSWORD_LENGTH || password.length > 200) {
    throw new AppError('INVALID_REQUEST', `a password has ${MIN_PASSWORD_LENGTH}–200 characters`);
  }
  return password;
}

export function createUserService(models: Models, accounts: AccountModels, audit: AuditLog) {
  const manages = (by: Caller | undefined, organId: string): boolean => !by || by.role === OPERATOR || (by.role === 'admin' && codesOf(by).includes(organId));

  /** The user, if the caller may manage it; another agency's user is answered as missing. */
  async function managed(username: string, by: Caller): Promise<UserDoc> {
    const user = await accounts.User.findOne({ username }).lean();
    if (!user || !manages(by, user.organId)) throw new AppError('NOT_FOUND', `no user ${username}`);
    return user;
  }

  async function createUser(input: { username: unknown; organId: unknown; role: unknown; fullName?: unknown; password?: unknown }, by?: Caller): Promise<{ user: UserView; password: string }> {
    if (typeof input.username !== 'string' || !USERNAME.test(input.username)) throw new AppError('INVALID_REQUEST', 'a username has 3–64 characters of a-z, 0-9, ".", "_" and "-"');
    if (typeof input.role !== 'string' || !(ROLES as readonly string[]).includes(input.role)) throw new AppError('INVALID_REQUEST', `role must be one of ${ROLES.join(', ')}`);
    if (typeof input.organId !== 'string') throw new AppError('INVALID_REQUEST', 'organId is required');
    if (input.fullName !== undefined && (typeof input.fullName !== 'string' || input.fullName.length > 200)) throw new AppError('INVALID_REQUEST', 'fullName is text of at most 200 characters');
    if (!manages(by, input.organId)) throw new AppError('FORBIDDEN', 'an agency admin creates users of its own agency only');
    if (!(await models.Agency.exists({ organId: input.organId, active: true }))) throw new AppError('AGENCY_UNKNOWN', `unknown agency ${input.organId}`);
    const password = checkPassword(input.password) ?? generatePassword();
    try {
      const created = await accounts.User.create({
        username: input.username, organId: input.organId, role: input.role as Role, fullName: (input.fullName as string | undefined)?.trim() ?? '', passwordHash: await hashPassword(password),
      });
      await audit.append({ type: 'user.created', organId: by?.organId || input.organId, keyId: by?.keyId, subject: input.username, details: { role: input.role, forOrganId: input.organId } });
      return { user: userView(created.toObject()), password };
    } catch (error) {
      if (isDuplicateKey(error)) throw new AppError('USER_EXISTS', `the username ${input.username} is taken`);
      throw error;
    }
  }

  async function listUsers(organId: string, by: Caller): Promise<UserView[]> {
    if (!manages(by, organId)) throw new AppError('FORBIDDEN', 'an agency admin lists the users of its own agency only');
    return (await accounts.User.find({ organId }).sort({ username: 1 }).lean()).map(userView);
  }

  /** A new password (given or generated); the lock is lifted and every session of the user ends. */
  async function resetPassword(username: string, password: unknown, by: Caller): Promise<{ user: UserView; password: string }> {
    const user = await managed(username, by);
    const next = checkPassword(password) ?? generatePassword();
    await accounts.User.updateOne({ username }, { $set: { passwordHash: await hashPassword(next), failedLogins: 0, lockedUntil: null, passwordChangedAt: new Date() } });
    await accounts.Session.deleteMany({ username });
    await audit.append({ type: 'user.password-reset', organId: by.organId || user.organId, keyId: by.keyId, subject: username });
    return { user: userView({ ...user, lockedUntil: null }), password: next };
  }

  async function setDisabled(username: string, disabled: boolean, by: Caller): Promise<UserView> {
    const user = await managed(username, by);
    await accounts.User.updateOne({ username }, { $set: { disabled } });
    if (disabled) await accounts.Session.deleteMany({ username });
    await audit.append({ type: disabled ? 'user.disabled' : 'user.enabled', organId: by.organId || user.organId, keyId: by.keyId, subject: username });
    return userView({ ...user, disabled });
  }

  /** The people of an agency move with it to its new code (their sessions go on). */
  async function followAgencyCode(from: string, to: string): Promise<void> {
    await accounts.User.updateMany({ organId: from }, { $set: { organId: to } });
  }

  return { createUser, listUsers, resetPassword, setDisabled, followAgencyCode };
}

export type UserService = ReturnType<typeof createUserService>;
