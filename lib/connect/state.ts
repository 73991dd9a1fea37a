import { randomBytes, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { InvalidStateError } from './errors.ts';
import { openSigned, signPayload } from './signed.ts';

/** What a signed state carries back from the provider to our callback. */
export interface OAuthState {
  /** Random, 128 bits: the flow's identity (bind it to the browser or the loopback run). */
  nonce: string;
  /** The provider the flow was started for ('google', 'microsoft'). */
  provider: string;
  /** Epoch milliseconds after which the state is refused. */
  expiresAt: number;
  /** Small extras, e.g. the user a second mailbox joins and where to land afterwards. */
  data: Record<string, string>;
}

export interface CreateStateInput {
  provider: string;
  /** Epoch milliseconds "now", passed in so expiry is testable. */
  now: number;
  /** Default 10 minutes: long enough to sign in, short enough that a leaked URL goes stale. */
  ttlMs?: number;
  data?: Record<string, string>;
  /** Normally random; fixed only in tests. */
  nonce?: string;
}

export const DEFAULT_STATE_TTL_MS = 10 * 60 * 1000;

// Compact on the wire: the state rides in two URLs and a redirect.
const payloadSchema = z.strictObject({
  v: z.literal(1),
  n: z.string().min(16),
  p: z.string().min(1),
  e: z.number().int().positive(),
  d: z.record(z.string(), z.string()).optional(),
});

// Domain separation: the same secret also derives PKCE verifiers (pkce.ts).
const LABEL = 'sinew.state.v1.';

/**
 * A signed, expiring OAuth `state`: base64url(JSON payload) + '.' + base64url(HMAC-SHA256).
 * The provider echoes it untouched, so the callback can trust what it carries without any
 * server-side session. Not encrypted: put nothing secret in `data`.
 */
export function createState(secret: Uint8Array, input: CreateStateInput): string {
  const ttl = input.ttlMs ?? DEFAULT_STATE_TTL_MS;
  const payload: z.infer<typeof payloadSchema> = {
    v: 1,
    n: input.nonce ?? randomBytes(16).toString('base64url'),
    p: input.provider,
    e: input.now + ttl,
    ...(input.data && Object.keys(input.data).length > 0 ? { d: input.data } : {}),
  };
  return signPayload(secret, LABEL, payloadSchema.parse(payload), 'OAuth state');
}

/**
 * Checks a state returned to a callback: the signature (constant-time, before anything in
 * it is believed), the expiry against `now`, the provider, and, when given, the nonce this
 * flow issued. Throws `InvalidStateError` naming what failed.
 */
export function verifyState(
  secret: Uint8Array,
  token: string | null | undefined,
  expect: { provider: string; now: number; nonce?: string },
): OAuthState {
  const opened = openSigned(secret, LABEL, token, 'OAuth state');
  if (!token) throw new InvalidStateError('the OAuth state is missing from the callback', 'malformed');
  if (!opened.ok && opened.reason === 'form') {
    throw new InvalidStateError('the OAuth state is not of the form payload.signature', 'malformed');
  }
  if (!opened.ok && opened.reason === 'signature') {
    throw new InvalidStateError('the OAuth state signature does not match: it was altered or signed by another key', 'signature');
  }
  const parsed = opened.ok ? payloadSchema.safeParse(opened.payload) : undefined;
  // Only reachable with a valid signature over a bad payload, i.e. a bug or a key shared
  // with another program.
  if (!parsed?.success) throw new InvalidStateError('the OAuth state payload is not one Sinew issued', 'malformed');
  const payload = parsed.data;
  if (expect.now >= payload.e) {
    const ago = Math.round((expect.now - payload.e) / 1000);
    throw new InvalidStateError(`the OAuth state expired ${ago} s ago; start connecting again`, 'expired');
  }
  if (payload.p !== expect.provider) {
    throw new InvalidStateError(`the OAuth state was issued for '${payload.p}', not '${expect.provider}'`, 'provider');
  }
  if (expect.nonce !== undefined && !sameText(payload.n, expect.nonce)) {
    throw new InvalidStateError('the OAuth state belongs to another connect attempt', 'unexpected');
  }
  return { nonce: payload.n, provider: payload.p, expiresAt: payload.e, data: payload.d ?? {} };
}

/** A fresh 256-bit state secret (for the loopback flow, which lives for one run). */
export function randomStateSecret(): Buffer {
  return randomBytes(32);
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
