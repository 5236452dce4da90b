/**
 * People who use Kyso in the browser (users of an agency, with a role) and their sessions, and the
 * operator's sessions (opened with its key). A session is found by the SHA-256 of its cookie value; the
 * cookie value itself is never stored.
 */
import { Connection, Schema } from 'mongoose';
import { ROLES } from '../exchange';
import type { Role } from '../exchange';

export interface UserDoc {
  username: string;
  organId: string;
  role: Role;
  fullName: string;
  passwordHash: string;
  disabled: boolean;
  /** Failed logins in a row; reset by a successful one. */
  failedLogins: number;
  lockedUntil: Date | null;
  createdAt: Date;
  passwordChangedAt: Date;
}

export interface SessionDoc {
  /** SHA-256 (hex) of the cookie value. */
  idHash: string;
  /** The person signed in; '' for the operator's session. */
  username: string;
  /** The operator's session: the id of the operator key it was opened with (it ends when the key is revoked). */
  operatorKeyId: string | null;
  csrfToken: string;
  createdAt: Date;
  /** Sliding: moved forward as the session is used; a session idle past it is over. */
  expiresAt: Date;
  /** A session ends at this time however active it is. */
  endsAt: Date;
}

export function createAccountModels(connection: Connection) {
  const user = new Schema<UserDoc>({
    username: { type: String, required: true },
    organId: { type: String, required: true },
    role: { type: String, enum: ROLES, required: true },
    fullName: { type: String, default: '' },
    passwordHash: { type: String, required: true },
    disabled: { type: Boolean, default: false },
    failedLogins: { type: Number, default: 0 },
    lockedUntil: { type: Date, default: null },
    createdAt: { type: Date, default: () => new Date() },
    passwordChangedAt: { type: Date, default: () => new Date() },
  });
  user.index({ username: 1 }, { unique: true });
  user.index({ organId: 1 });
  const session = new Schema<SessionDoc>({
    idHash: { type: String, required: true },
    username: { type: String, default: '' },
    operatorKeyId: { type: String, default: null },
    csrfToken: { type: String, required: true },
    createdAt: { type: Date, default: () => new Date() },
    expiresAt: { type: Date, required: true },
    endsAt: { type: Date, required: true },
  });
  session.index({ idHash: 1 }, { unique: true });
  session.index({ username: 1 });
  return {
    User: connection.model<UserDoc>('User', user, 'users'),
    Session: connection.model<SessionDoc>('Session', session, 'sessions'),
  };
}

export type AccountModels = ReturnType<typeof createAccountModels>;
