import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { vi } from 'vitest';
import { main } from '#lib/cli/main.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the `sinew` CLI in-process, capturing what it prints. */
export async function runCli(args: string[], now = new Date('2026-11-23T07:00:00Z')): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await main(['node', 'sinew', ...args], () => now);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** Options of {@link spawnCli}. */
export interface SpawnCliOptions {
  /** Added to (and overriding) the test process's environment. */
  env?: Record<string, string>;
  /** Called with each chunk the child writes to stdout, as it arrives. */
  onStdout?: (chunk: string) => void;
  /** Killed (SIGKILL) after this long. @default 20_000 */
  timeoutMs?: number;
}

/**
 * Runs `bin/sinew.js` in a child Node process, as a person would. Needed where the
 * process's start-up environment matters, e.g. NODE_EXTRA_CA_CERTS, which Node reads only
 * at start-up and which an in-process {@link runCli} cannot set.
 */
export function spawnCli(args: string[], opts: SpawnCliOptions = {}): Promise<CliRun> {
  const bin = fileURLToPath(new URL('../../bin/sinew.js', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: opts.timeoutMs ?? 20_000,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      opts.onStdout?.(chunk);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
  });
}
