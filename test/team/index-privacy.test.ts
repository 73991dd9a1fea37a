import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { makeDynamoClient } from '#lib/store/dynamodb/client.ts';
import { DynamoStore } from '#lib/store/dynamodb/store.ts';
import { TEAM_ENTRY_ATTRIBUTES } from '#lib/store/dynamodb/team-index.ts';
import { buildUserReport } from '#lib/report/build.ts';
import { defaultSettings } from '#lib/settings.ts';
import { keepPrivate, stopSharing } from '#lib/team/sharing.ts';
import { NotSharingError, whoKnows } from '#lib/team/who-knows.ts';
import { disconnectUser } from '#lib/links/disconnect.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { FIRM_AS_OF, seedPerson, type FirmPerson } from './firm.ts';

const asOf = FIRM_AS_OF;
const sam: FirmPerson = {
  email: 'sam.lee@firm.example', name: 'Sam Lee',
  contacts: [
    { address: 'ann@acme.example', name: 'Ann Lee', shape: 'active' },
    { address: 'bob@acme.example', name: 'Bob Ray', shape: 'active' },
    { address: 'muted@acme.example', name: 'Mo Ted', shape: 'active' },
    { address: 'quiet@acme.example', name: 'Pri Vate', shape: 'active' },
    { address: 'pitch@beta.example', name: 'Pat Itch', shape: 'sentOnly' },
    { address: 'kim.ng@firm.example', name: 'Kim Ng', shape: 'active' },
    { address: 'friend@gmail.com', name: 'Fred Friend', shape: 'meeting' },
  ],
};
const kim: FirmPerson = {
  email: 'kim.ng@firm.example', name: 'Kim Ng',
  contacts: [
    { address: 'ann@acme.example', name: 'Ann Lee', shape: 'fading' },
    { address: 'cy@gamma.example', name: 'Cy Gee', shape: 'active' },
  ],
};
const nia: FirmPerson = {
  email: 'nia.o@firm.example', name: 'Nia O', teamSharing: 'stopped',
  contacts: [
    { address: 'secret@hidden.example', name: 'Sec Ret', shape: 'active' },
    { address: 'ann@acme.example', name: 'Ann Lee', shape: 'active' },
  ],
};

type Raw = Record<string, unknown>;

describe('team index privacy and concurrency (DESIGN section 10)', () => {
  let db: TestDynamo;
  let store: DynamoStore;
  let ids: { sam: string; kim: string; nia: string };

  beforeEach(async () => {
    db = await startTestDynamo();
    store = db.store();
    ids = { sam: await seedPerson(store, sam), kim: await seedPerson(store, kim), nia: await seedPerson(store, nia) };
    await store.putFeedback(ids.sam, { contact: 'muted@acme.example', action: 'mute', at: '2026-11-01T00:00:00.000Z' });
    await store.putFeedback(ids.sam, { contact: 'quiet@acme.example', action: 'private', at: '2026-11-01T00:00:00.000Z' });
  });
  afterEach(async () => db.close());

  const report = (s: DynamoStore, userId: string) => buildUserReport(s, userId, { asOf, settings: defaultSettings, team: true });
  /** Every item of the table, by a raw Scan (no Sinew code between). */
  const snapshot = async (): Promise<Raw[]> => {
    const items: Raw[] = [];
    let start: Record<string, never> | undefined;
    do {
      const out = await db.client.send(new ScanCommand({ TableName: db.tableName, ExclusiveStartKey: start }));
      items.push(...(out.Items ?? []).map((i) => unmarshall(i)));
      start = out.LastEvaluatedKey as typeof start;
    } while (start);
    return items;
  };
  const teamItems = async (): Promise<Raw[]> =>
    (await snapshot()).filter((i) => String(i.pk).startsWith('TEAM')).sort((a, b) => `${a.pk} ${a.sk}`.localeCompare(`${b.pk} ${b.sk}`));
  const mentions = (items: Raw[], needle: string) => items.filter((i) => JSON.stringify(i).includes(needle));

  it('a non-sharer\'s contacts appear nowhere in the index, and their report has no team view', async () => {
    for (const id of [ids.sam, ids.kim, ids.nia]) await report(store, id);
    const team = await teamItems();
    expect(team.length).toBeGreaterThan(0);
    expect(mentions(team, 'secret@hidden.example')).toEqual([]);
    expect(mentions(team, 'hidden.example')).toEqual([]);
    expect(mentions(team, ids.nia)).toEqual([]);
    expect(mentions(team, 'nia.o@firm.example')).toEqual([]);
    const { json } = await report(store, ids.nia);
    expect(json.team).toEqual({ sharing: false, accounts: [], paths: [] });
  });

  it('muted, private and internal contacts are never written; one-way contacts are written inactive', async () => {
    await report(store, ids.sam);
    const team = await teamItems();
    for (const gone of ['muted@acme.example', 'quiet@acme.example', 'kim.ng@firm.example']) expect(mentions(team, gone)).toEqual([]);
    const entries = team.filter((i) => String(i.pk).startsWith('TEAM#') && i.sk !== 'S');
    expect(entries.map((e) => [e.contact, e.domain, e.active])).toEqual([
      ['ann@acme.example', 'acme.example', true],
      ['bob@acme.example', 'acme.example', true],
      ['pitch@beta.example', 'beta.example', false],
      ['friend@gmail.com', 'friend@gmail.com', true],
    ]);
  });

  it('index items hold exactly section 10\'s fields: no counts, times of day, flags or notes', async () => {
    for (const id of [ids.sam, ids.kim]) await report(store, id);
    const team = await teamItems();
    for (const item of team) {
      if (item.sk === 'S') {
        // An account's summary: per sharer active there, their standing (coverage's fields).
        expect(Object.keys(item).sort()).toEqual(['pk', 'sharers', 'sk']);
        for (const v of Object.values(item.sharers as Record<string, Raw>)) {
          expect(Object.keys(v).sort()).toEqual(['activeContacts', 'colleague', 'colleagueName', 'lastInteraction', 'tier']);
          expect(v.lastInteraction).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        }
      } else if (String(item.pk).startsWith('TEAM#')) {
        expect(Object.keys(item).sort()).toEqual([...TEAM_ENTRY_ATTRIBUTES].sort());
        expect(item.lastInteraction).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(item.lastMeeting === null || /^\d{4}-\d{2}-\d{2}$/.test(String(item.lastMeeting))).toBe(true);
        expect(['strong', 'ok', 'weak']).toContain(item.tier);
      } else {
        expect(String(item.pk)).toMatch(/^TEAMBY#/);
        expect(Object.keys(item).sort()).toEqual(String(item.sk).startsWith('@') ? ['domain', 'h', 'pk', 'sk'] : ['domain', 'entry', 'h', 'pk', 'sk']);
      }
    }
  });

  it('a person\'s report reads their own partition and the index only, never another person\'s partition', async () => {
    for (const id of [ids.sam, ids.kim]) await report(store, id);
    const client = makeDynamoClient({ endpoint: db.dynamo.endpoint });
    const seen: Array<{ command: string; keys: string[] }> = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const keys = [...JSON.stringify(args.input).matchAll(/(USER|TEAMBY|TEAM)#[^"\\]+/g)].map((m) => m[0]);
        seen.push({ command: context.commandName ?? '?', keys });
        return next(args);
      },
      { step: 'initialize', name: 'recordKeys' },
    );
    const recorded = new DynamoStore({ client, tableName: db.tableName });
    const { json } = await report(recorded, ids.kim);
    client.destroy();
    expect(json.team?.accounts.find((a) => a.domain === 'acme.example')?.colleagues.map((c) => c.address)).toEqual(['sam.lee@firm.example']);
    const reads = seen.filter((s) => /^(Query|GetItem|BatchGetItem|Scan)/.test(s.command));
    expect(reads.some((s) => s.command.startsWith('Scan'))).toBe(false);
    const keys = reads.flatMap((s) => s.keys);
    expect(keys.filter((k) => k.startsWith('TEAM#')).length).toBeGreaterThan(0);
    for (const k of keys) {
      if (k.startsWith('USER#')) expect(k).toBe(`USER#${ids.kim}`);
      else if (k.startsWith('TEAMBY#')) expect(k).toBe(`TEAMBY#${ids.kim}`);
      else expect(k).toMatch(/^TEAM#(acme\.example|gamma\.example)$/);
    }
  });

  it('stop sharing removes every entry of that person in the same request; the others stay', async () => {
    await report(store, ids.sam);
    const kimBefore = (await report(store, ids.kim)).json.team;
    expect(kimBefore?.paths).toEqual([
      { for: 'ann@acme.example', reason: 'fading', colleagues: [{ address: 'sam.lee@firm.example', name: 'Sam Lee', via: 'ann@acme.example', tier: expect.any(String), lastInteraction: '2026-11-12' }] },
    ]);
    const before = await teamItems();
    expect(mentions(before, ids.sam).length).toBeGreaterThan(0);
    const outcome = await stopSharing(store, ids.sam, asOf);
    expect(outcome).toEqual({ changed: true, removed: 4 });
    const after = await teamItems();
    expect(mentions(after, ids.sam)).toEqual([]);
    expect(mentions(after, 'sam.lee@firm.example')).toEqual([]);
    const entriesOf = (items: Raw[]) => items.filter((i) => i.sk !== 'S');
    expect(entriesOf(after)).toEqual(entriesOf(before).filter((i) => !JSON.stringify(i).includes(ids.sam)));
    // Kim's next report no longer names Sam; Sam's own says he does not share.
    expect((await report(store, ids.kim)).json.team?.paths).toEqual([]);
    expect((await report(store, ids.sam)).json.team?.sharing).toBe(false);
    expect(mentions(await teamItems(), ids.sam)).toEqual([]);
  });

  it('who-knows answers a sharer from the index, never naming the asker, and refuses a non-sharer', async () => {
    for (const id of [ids.sam, ids.kim]) await report(store, id);
    expect((await whoKnows(store, ids.kim, 'Ann@Acme.example')).colleagues.map((c) => c.address)).toEqual(['sam.lee@firm.example']);
    const byDomain = await whoKnows(store, ids.sam, 'acme.example');
    expect(byDomain).toMatchObject({ match: 'organization', account: 'acme.example' });
    expect(byDomain.colleagues.map((c) => c.address)).toEqual(['kim.ng@firm.example']);
    expect((await whoKnows(store, ids.kim, 'nobody@nowhere.example')).match).toBe('none');
    await expect(whoKnows(store, ids.nia, 'acme.example')).rejects.toThrow(NotSharingError);
  });

  it('disconnect removes every entry of that person in the same request', async () => {
    for (const id of [ids.sam, ids.kim]) await report(store, id);
    await disconnectUser(ids.sam, { store });
    const after = await teamItems();
    expect(mentions(after, ids.sam)).toEqual([]);
    expect(mentions(after, 'sam.lee@firm.example')).toEqual([]);
    expect(mentions(after, ids.kim).length).toBeGreaterThan(0);
  });

  it('keep private removes that contact\'s entry at once', async () => {
    await report(store, ids.sam);
    expect((await keepPrivate(store, ids.sam, 'ann@acme.example', asOf)).removed).toBe(1);
    expect(mentions(await teamItems(), 'ann@acme.example')).toEqual([]);
    await report(store, ids.sam);
    expect(mentions(await teamItems(), 'ann@acme.example')).toEqual([]);
  });

  it('two people\'s report jobs at once, and the same job twice at once, leave the index equal to a clean rebuild', async () => {
    await Promise.all([report(store, ids.sam), report(store, ids.kim), report(store, ids.sam), report(store, ids.kim), report(store, ids.nia)]);
    await Promise.all([report(store, ids.kim), report(store, ids.kim)]);
    const raced = await teamItems();

    const clean = await startTestDynamo();
    try {
      const fresh = clean.store();
      for (const p of [sam, kim, nia]) await seedPerson(fresh, p);
      await fresh.putFeedback(ids.sam, { contact: 'muted@acme.example', action: 'mute', at: '2026-11-01T00:00:00.000Z' });
      await fresh.putFeedback(ids.sam, { contact: 'quiet@acme.example', action: 'private', at: '2026-11-01T00:00:00.000Z' });
      for (const id of [ids.sam, ids.kim, ids.nia]) await buildUserReport(fresh, id, { asOf, settings: defaultSettings, team: true });
      const items: Raw[] = [];
      const out = await clean.client.send(new ScanCommand({ TableName: clean.tableName }));
      for (const i of out.Items ?? []) if (String(unmarshall(i).pk).startsWith('TEAM')) items.push(unmarshall(i));
      items.sort((a, b) => `${a.pk} ${a.sk}`.localeCompare(`${b.pk} ${b.sk}`));
      expect(raced).toEqual(items);
    } finally {
      await clean.close();
    }
  });

  it('a report job that races a stop-sharing leaves no entry behind', async () => {
    await report(store, ids.sam);
    // The stop lands between the job's write and its check of the profile.
    const racing = Object.assign(Object.create(store) as DynamoStore, {
      teamIndex: {
        replace: async (userId: string, entries: never[]) => {
          const out = await store.teamIndex.replace(userId, entries);
          await stopSharing(store, ids.sam, asOf);
          return out;
        },
        remove: (userId: string, contacts?: readonly string[]) => store.teamIndex.remove(userId, contacts),
        list: (domains: readonly string[]) => store.teamIndex.list(domains),
        summaries: (domains: readonly string[]) => store.teamIndex.summaries(domains),
      },
    });
    const { json } = await report(racing, ids.sam);
    expect(json.team?.sharing).toBe(false);
    expect(mentions(await teamItems(), ids.sam)).toEqual([]);
  });
});
