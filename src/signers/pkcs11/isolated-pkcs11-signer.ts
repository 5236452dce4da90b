/**
 * A PKCS#11 signer whose module runs in a child process (pkcs11-host): if the vendor library crashes or
 * hangs, the service keeps running. A request whose host died is sent once more to a fresh host (which
 * logs in again); one that hangs past the timeout fails with PKCS11_MODULE_CRASHED and its host is killed. The PIN is handed over the IPC channel, never in the
 * command line or environment.
 */
import { ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { SignatureScheme, SigningDigestAlgorithm } from '../../cms';
import { AppError, ErrorCode } from '../../errors';
import type { Signer } from '../signer';
import type { Pkcs11KeySelector } from './pkcs11-signer';

export interface IsolatedOpenOptions extends Pkcs11KeySelector {
  modulePath: string;
  /** Extra certificates (intermediates), base64 DER (they cross the IPC channel as JSON). */
  extraCertificates?: string[];
}

export interface HostRequest {
  id: number;
  op: 'open' | 'certificateChain' | 'schemes' | 'sign' | 'close';
  /** pin null: the token's own PIN pad (protected authentication path). */
  options?: IsolatedOpenOptions & { pin: string | null };
  data?: string;
  digest?: string;
  scheme?: string;
}

export interface HostResponse {
  id: number;
  result?: unknown;
  error?: { code: string; message: string };
}

/** The compiled host next to this file, or (running from the TypeScript sources) the one in dist/. */
function hostScript(): string {
  const here = path.join(__dirname, 'pkcs11-host.js');
  return existsSync(here) ? here : path.join(__dirname, '..', '..', '..', 'dist', 'signers', 'pkcs11', 'pkcs11-host.js');
}

export class IsolatedPkcs11Signer implements Signer {
  private child?: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, { child: ChildProcess; resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private chain?: Buffer[];

  private constructor(private readonly options: IsolatedOpenOptions, private readonly pin: string | null, private readonly timeoutMs: number) {}

  /** Starts the host and opens the token in it (so a wrong PIN or a missing token fails here). */
  static async open(options: IsolatedOpenOptions & { pin: string | null; timeoutMs?: number }): Promise<IsolatedPkcs11Signer> {
    const { pin, timeoutMs, ...rest } = options;
    const signer = new IsolatedPkcs11Signer(rest, pin, timeoutMs ?? 30_000);
    await signer.host();
    return signer;
  }

  /** The host process, started (and the token opened) when there is none. */
  private async host(): Promise<ChildProcess> {
    if (this.child && this.child.exitCode === null && this.child.connected) return this.child;
    const child = fork(hostScript(), [], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'], serialization: 'json' });
    this.child = child;
    // The host never keeps this process alive on its own, and a write to a host that just died is
    // reported through the request (below), not as an unhandled 'error' event.
    child.unref();
    (child.channel as unknown as { unref?: () => void } | undefined)?.unref?.();
    child.on('error', () => undefined);
    child.on('message', (message: HostResponse) => {
      const waiting = this.pending.get(message.id);
      if (!waiting) return;
      this.pending.delete(message.id);
      clearTimeout(waiting.timer);
      if (message.error) waiting.reject(new AppError(message.error.code as ErrorCode, message.error.message));
      else waiting.resolve(message.result);
    });
    child.once('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      // Only this host's requests: a replacement may already be running.
      for (const [id, waiting] of this.pending) {
        if (waiting.child !== child) continue;
        clearTimeout(waiting.timer);
        waiting.reject(new AppError('PKCS11_MODULE_CRASHED', `the PKCS#11 module's process ended (${signal ?? `exit ${code}`})`, { details: { reason: 'exit' } }));
        this.pending.delete(id);
      }
    });
    await this.call(child, { op: 'open', options: { ...this.options, pin: this.pin } });
    return child;
  }

  private call(child: ChildProcess, request: Omit<HostRequest, 'id'>): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      // A hung module: the host is killed and the request fails; the next one starts a new host.
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new AppError('PKCS11_MODULE_CRASHED', `the PKCS#11 module did not answer within ${this.timeoutMs} ms`, { details: { reason: 'timeout' } }));
        child.kill('SIGKILL');
      }, this.timeoutMs);
      this.pending.set(id, { child, resolve, reject, timer });
      // The request never reached the host (it died just before).
      const crashed = (): void => {
        if (!this.pending.delete(id)) return;
        clearTimeout(timer);
        if (this.child === child) this.child = undefined;
        child.kill('SIGKILL');
        reject(new AppError('PKCS11_MODULE_CRASHED', "the PKCS#11 module's process is gone", { details: { reason: 'undelivered' } }));
      };
      if (!child.connected) return crashed();
      child.send({ ...request, id }, (error) => {
        if (error) crashed();
      });
    });
  }

  private async request(request: Omit<HostRequest, 'id'>): Promise<unknown> {
    try {
      return await this.call(await this.host(), request);
    } catch (error) {
      // A host that died (not one that hung) is replaced and the request sent once more: reading the
      // chain or making a signature value twice changes nothing on the token.
      const reason = (error as AppError).code === 'PKCS11_MODULE_CRASHED' ? (error as AppError).details?.reason : undefined;
      if (reason !== 'exit' && reason !== 'undelivered') throw error;
      return this.call(await this.host(), request);
    }
  }

  async certificateChain(): Promise<Buffer[]> {
    this.chain ??= ((await this.request({ op: 'certificateChain' })) as string[]).map((c) => Buffer.from(c, 'base64'));
    return this.chain;
  }

  async schemes(): Promise<SignatureScheme[]> {
    return (await this.request({ op: 'schemes' })) as SignatureScheme[];
  }

  async sign(data: Buffer, digest: SigningDigestAlgorithm, scheme: SignatureScheme): Promise<Buffer> {
    return Buffer.from((await this.request({ op: 'sign', data: data.toString('base64'), digest, scheme })) as string, 'base64');
  }

  async close(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await this.call(child, { op: 'close' }).catch(() => undefined);
    await exited;
  }

  /** The host's process id (for supervision and tests). */
  get pid(): number | undefined {
    return this.child?.pid;
  }
}
