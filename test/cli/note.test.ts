import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userIdFor } from '#lib/connect/identity.ts';
import { SK_NOTE_PREFIX } from '#lib/store/dynamodb/schema.ts';
import { runCli } from '#test/support/cli.ts';
import { startTestDynamo } from '#test/support/dynalite.ts';
import { partition } from '#test/links/partition.ts';

const ME = 'me@example.com';
const SECRET = 'daughter starts university in September';

let dir: string;
const cli = (...args: string[]) => runCli(['--data', dir, ...args]);

/** The raw records of a person's partition in the CLI's store on disk. */
async function rawPartition(address = ME): Promise<string[]> {
  const db = await startTestDynamo({ path: dir, tableName: 'sinew' });
  try {
    return (await partition(db, userIdFor(address))).map((r) => JSON.stringify(r));
  } finally {
    await db.close();
  }
}

async function mbox(me: string): Promise<string> {
  const file = join(dir, `${me}.mbox`);
  await writeFile(file, `From a@b Mon Jan  1 00:00:00 2024\nMessage-ID: <1@x>\nDate: Mon, 1 Jan 2024 10:00:00 +0000\nFrom: ann@acme.com\nTo: ${me}\n\nhi\n`);
  return file;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sinew-cli-note-'));
  expect((await cli('import', '--mbox', await mbox('other@example.com'), '--me', 'other@example.com')).code).toBe(0);
  expect((await cli('import', '--mbox', await mbox(ME), '--me', ME)).code).toBe(0);
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('sinew note', () => {
  it('adds, lists newest first (all, or one contact), edits and deletes the current user\'s notes', async () => {
    const a = await runCli(['--data', dir, 'note', 'add', 'Ann@Acme.com', SECRET], new Date('2026-11-20T08:00:00Z'));
    expect(a.code).toBe(0);
    const id = /^added note (\S+) about ann@acme\.com \(39 characters\)$/.exec(a.stdout.trim())?.[1];
    expect(id).toBeDefined();
    expect((await runCli(['--data', dir, 'note', 'add', 'bob@beta.io', 'likes', 'sailing'], new Date('2026-11-21T08:00:00Z'))).code).toBe(0);

    const all = await cli('note', 'list');
    expect(all.stdout.split('\n').filter((l) => !l.startsWith(' ') && l !== '').map((l) => l.split('  ')[1])).toStrictEqual(['bob@beta.io', 'ann@acme.com']);
    expect(all.stdout).toContain('    likes sailing\n');
    const ann = await cli('note', 'list', 'ann@acme.com');
    expect(ann.stdout).toBe(`${id}  ann@acme.com  2026-11-20 08:00 UTC\n    ${SECRET}\n`);

    expect((await cli('note', 'edit', id!, 'prefers calls before 10')).stdout).toBe(`edited note ${id} about ann@acme.com (23 characters)\n`);
    expect((await cli('note', 'list')).stdout.split('\n')[0]).toContain(id);
    expect((await cli('note', 'delete', id!)).stdout).toBe(`deleted note ${id}\n`);
    expect((await cli('note', 'list', 'ann@acme.com')).stdout).toBe('no notes about ann@acme.com\n');
    const again = await cli('note', 'delete', id!);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^sinew: there is no note \S+ here: it was deleted, or it is about someone else\n$/);
  });

  it('stores the text sealed: no plaintext in the raw records, nor in the files on disk', async () => {
    expect((await cli('note', 'add', 'carol@gamma.org', 'Carol', 'mentioned', 'her', 'marathon', 'in', 'Lisbon')).code).toBe(0);
    const raw = await rawPartition();
    const notes = raw.filter((r) => r.includes(`"${SK_NOTE_PREFIX}`));
    expect(notes.length).toBeGreaterThan(0);
    for (const r of raw) expect(r).not.toMatch(/marathon|Lisbon|sailing/);
    let plainContact = false;
    for (const file of await readdir(dir, { recursive: true })) {
      const bytes = await readFile(join(dir, file)).catch(() => Buffer.alloc(0));
      expect(bytes.includes('marathon'), file).toBe(false);
      plainContact ||= bytes.includes('carol@gamma.org');
    }
    // The search reads what the store wrote: the contact, kept plain as the lookup key, is found.
    expect(plainContact).toBe(true);
  });

  it('over 2,000 characters: one line on stderr naming the limit and the length, exit 1, nothing stored', async () => {
    const before = (await rawPartition()).filter((r) => r.includes(`"${SK_NOTE_PREFIX}`)).length;
    const r = await cli('note', 'add', 'ann@acme.com', 'z'.repeat(2001));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('sinew: a note is at most 2,000 characters; this one has 2,001\n');
    expect((await rawPartition()).filter((x) => x.includes(`"${SK_NOTE_PREFIX}`))).toHaveLength(before);
  });

  it('--user picks the person; notes are theirs alone', async () => {
    expect((await cli('note', 'add', '--user', 'other@example.com', 'dan@delta.net', 'only for other')).code).toBe(0);
    expect((await cli('note', 'list', '--user', 'other@example.com')).stdout).toContain('only for other');
    expect((await cli('note', 'list')).stdout).not.toContain('only for other');
    const unknown = await cli('note', 'list', '--user', 'stranger@example.com');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('sinew: --user stranger@example.com is not in this store: run `sinew import` or `sinew connect` first\n');
  });

  it('refuses an empty note and a contact that is not an address', async () => {
    expect((await cli('note', 'add', 'ann@acme.com', '   ')).stderr).toMatch(/^sinew: a note cannot be empty/);
    expect((await cli('note', 'add', 'Ann', 'hello')).stderr).toMatch(/^sinew: a note is about a contact's email address/);
  });
});
