import { beforeAll, describe, expect, it } from 'vitest';
import { tokenContext } from '#lib/connect/accounts.ts';
import { noteContext } from '#lib/notes/notes.ts';
import type { SinewStack } from '#infra/sinew-stack.ts';
import type { Template } from 'aws-cdk-lib/assertions';
import { allows, logicalId, statementsOfRole, synthSinew, type Statement } from './synth.ts';

/**
 * The KMS grants of the notes page, checked against the encryption contexts the code
 * really sends: the policy conditions are evaluated (as IAM does for the operators used
 * here) for lib/notes' `noteContext` and lib/connect's `tokenContext`. A grant whose
 * condition the code's context does not meet would fail only in AWS; one that a token's
 * context also meets would let the notes page open refresh tokens.
 */

let stack: SinewStack;
let template: Template;

beforeAll(() => {
  ({ stack, template } = synthSinew());
}, 60_000);

/** IAM's verdict for the condition operators Sinew's KMS grants use; any other fails the test. */
function conditionHolds(condition: Record<string, unknown> | undefined, context: Record<string, string>): boolean {
  for (const [operator, clauses] of Object.entries(condition ?? {})) {
    for (const [key, expected] of Object.entries(clauses as Record<string, unknown>)) {
      const values = (Array.isArray(expected) ? expected : [expected]).map(String);
      if (operator === 'ForAllValues:StringEquals' && key === 'kms:EncryptionContextKeys') {
        if (!Object.keys(context).every((k) => values.includes(k))) return false;
      } else if (operator === 'StringEquals' && key.startsWith('kms:EncryptionContext:')) {
        if (!values.includes(context[key.slice('kms:EncryptionContext:'.length)] ?? '\u0000absent')) return false;
      } else if (operator === 'Null' && key.startsWith('kms:EncryptionContext:')) {
        const absent = context[key.slice('kms:EncryptionContext:'.length)] === undefined;
        if (String(absent) !== values[0]) return false;
      } else {
        throw new Error(`condition ${operator} ${key} is not evaluated by this test: extend conditionHolds`);
      }
    }
  }
  return true;
}

/** Whether the role may call `action` on the token key with `context`. */
function mayUse(statements: Statement[], action: string, context: Record<string, string>): boolean {
  return allows(statements, action, logicalId(stack.data.tokenKey, stack)).some((st) => conditionHolds(st.Condition, context));
}

describe('KMS grants against the contexts the code sends', () => {
  const note = noteContext('u123', 'AbCdEfGhIjKlMnOp');
  const token = tokenContext({ userId: 'u123', accountId: 'google-0123456789abcdef' });

  it('the notes page (links) may seal and open a note under lib/notes\' context, and open but never seal a token', () => {
    const links = statementsOfRole(template, logicalId(stack.connect.links.role, stack));
    expect(mayUse(links, 'kms:GenerateDataKey', note)).toBe(true);
    expect(mayUse(links, 'kms:Decrypt', note)).toBe(true);
    expect(mayUse(links, 'kms:GenerateDataKey', token)).toBe(false);
    // Disconnect opens tokens to revoke their grants (lib/links/disconnect.ts).
    expect(mayUse(links, 'kms:Decrypt', token)).toBe(true);
  });

  it('a note grant opens no token, and a token grant no note', () => {
    const sync = statementsOfRole(template, logicalId(stack.sync.worker.role, stack));
    expect(mayUse(sync, 'kms:Decrypt', token)).toBe(true);
    expect(mayUse(sync, 'kms:Decrypt', note)).toBe(false);
    expect(mayUse(sync, 'kms:GenerateDataKey', note)).toBe(false);
    const brief = statementsOfRole(template, logicalId(stack.brief.worker.role, stack));
    expect(mayUse(brief, 'kms:Decrypt', note)).toBe(true);
    expect(mayUse(brief, 'kms:Decrypt', token)).toBe(false);
    // A context that claims to be a note but also names an account is refused too.
    expect(mayUse(brief, 'kms:Decrypt', { ...note, accountId: 'google-0123456789abcdef' })).toBe(false);
    expect(mayUse(brief, 'kms:Decrypt', { ...note, purpose: 'token' })).toBe(false);
  });

  it('the connect function may not touch notes at all', () => {
    const connect = statementsOfRole(template, logicalId(stack.connect.connect.role, stack));
    expect(mayUse(connect, 'kms:GenerateDataKey', note)).toBe(false);
    expect(mayUse(connect, 'kms:Decrypt', note)).toBe(false);
  });
});
