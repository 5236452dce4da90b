export { createAccountModels } from './account-models';
export type { AccountModels, UserDoc, SessionDoc } from './account-models';
export { createUserService, MIN_PASSWORD_LENGTH } from './user.service';
export type { UserService, UserView } from './user.service';
export { createSessionService, IDLE_MS, LOCK_AFTER, LOCK_MS } from './session.service';
export type { SessionService, SignedIn } from './session.service';
export { hashPassword, verifyPassword, generatePassword } from './password';
