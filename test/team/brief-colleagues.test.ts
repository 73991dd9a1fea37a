import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DynamoStore } from '#lib/store/dynamodb/store.ts';
import { buildUserReport } from '#lib/report/build.ts';
import { defaultSettings } from '#lib/settings.ts';
import { briefColleagues, MAX_BRIEF_COLLEAGUES } from '#lib/team/brief.ts';
import { stopSharing } from '#lib/team/sharing.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { FIRM_AS_OF, seedPerson, type FirmPerson } from './firm.ts';

const asOf = FIRM_AS_OF;
const person = (email: string, name: string, contacts: FirmPerson['contacts'], teamSharing?: 'stopped'): FirmPerson =>
  ({ email, name, contacts, ...(teamSharing ? { teamSharing } : {}) });
const ann = { address: 'ann@acme.example', name: 'Ann Lee', shape: 'active' as const };
const bob = { address: 'bob@acme.example', name: 'Bob Ray', shape: 'active' as const };
const fred = { address: 'friend@gmail.com', name: 'Fred Friend', shape: 'meeting' as const };

/** The brief's "colleagues who know them" from the team index (DESIGN sections 9 and 10). */
describe('briefColleagues', () => {
  let db: TestDynamo;
  let store: DynamoStore;
  let ids: Record<'sam' | 'kim' | 'lee' | 'nia', string>;

  beforeEach(async () => {
    db = await startTestDynamo();
    store = db.store();
    ids = {
      sam: await seedPerson(store, person('sam.lee@firm.example', 'Sam Lee', [ann, fred])),
      kim: await seedPerson(store, person('kim.ng@firm.example', 'Kim Ng', [{ ...ann, shape: 'fading' }, bob])),
      lee: await seedPerson(store, person('lee.po@firm.example', 'Lee Po', [bob, fred])),
      nia: await seedPerson(store, person('nia.o@firm.example', 'Nia O', [ann, bob], 'stopped')),
    };
    // Each sharer's weekly report publishes their entries (a non-sharer's publishes none).
    for (const id of Object.values(ids)) await buildUserReport(store, id, { asOf, settings: defaultSettings, team: true });
  });
  afterEach(async () => db.close());

  it('a sharer sees the colleagues who know the attendee itself, with tier and day, never themself', async () => {
    const [samOnAnn] = (await store.teamIndex.list(['acme.example'])).filter((e) => e.sharer === ids.sam && e.contact === ann.address);
    expect(samOnAnn).toBeDefined();
    const kim = await briefColleagues(store, ids.kim, ['Ann@Acme.example', bob.address, fred.address, 'new@acme.example']);
    expect(kim(ann.address, 'acme.example')).toEqual([{ name: 'Sam Lee', tier: samOnAnn!.tier, lastInteraction: '2026-11-12' }]);
    // Bob: Lee knows him (Kim herself does too, and is not listed; Nia does not share).
    expect(kim(bob.address, 'acme.example').map((c) => c.name)).toEqual(['Lee Po']);
    // Webmail: the account is the address itself.
    // (same tier and day: by address).
    expect(kim(fred.address, 'gmail.com').map((c) => c.name)).toEqual(['Lee Po', 'Sam Lee']);
    // Someone at a known organization whom no colleague knows: nobody (the contact, not the organization).
    expect(kim('new@acme.example', 'acme.example')).toEqual([]);
    const sam = await briefColleagues(store, ids.sam, [ann.address, fred.address]);
    expect(sam(ann.address, 'acme.example').map((c) => c.name)).toEqual(['Kim Ng']);
    expect(sam(fred.address, 'gmail.com').map((c) => c.name)).toEqual(['Lee Po']);
  });

  it('lists at most three, strongest then most recent', async () => {
    const entry = (n: number, tier: 'strong' | 'ok' | 'weak', lastInteraction: string) => ({
      sharer: `u-${n}`, colleague: `c${n}@firm.example`, colleagueName: `C ${n}`, contact: 'dee@delta.example', name: 'Dee', domain: 'delta.example',
      tier, lastInteraction, lastMeeting: null, active: true,
    });
    const rows = [entry(1, 'weak', '2026-11-20'), entry(2, 'strong', '2026-10-01'), entry(3, 'ok', '2026-11-01'), entry(4, 'strong', '2026-11-10')];
    for (const e of rows) await store.teamIndex.replace(e.sharer, [e]);
    const kim = await briefColleagues(store, ids.kim, ['dee@delta.example']);
    expect(MAX_BRIEF_COLLEAGUES).toBe(3);
    expect(kim('dee@delta.example', 'delta.example')).toEqual([
      { name: 'C 4', tier: 'strong', lastInteraction: '2026-11-10' },
      { name: 'C 2', tier: 'strong', lastInteraction: '2026-10-01' },
      { name: 'C 3', tier: 'ok', lastInteraction: '2026-11-01' },
    ]);
  });

  it('a non-sharer gets none, and a colleague who stopped sharing is gone', async () => {
    const nia = await briefColleagues(store, ids.nia, [ann.address, bob.address]);
    expect(nia(ann.address, 'acme.example')).toEqual([]);
    expect(nia(bob.address, 'acme.example')).toEqual([]);
    expect((await briefColleagues(store, ids.kim, [ann.address]))(ann.address, 'acme.example')).toHaveLength(1);
    await stopSharing(store, ids.sam, asOf);
    const kim = await briefColleagues(store, ids.kim, [ann.address, fred.address]);
    expect(kim(ann.address, 'acme.example')).toEqual([]);
    expect(kim(fred.address, 'gmail.com').map((c) => c.name)).toEqual(['Lee Po']);
    // And Sam, no longer sharing, sees nobody.
    expect((await briefColleagues(store, ids.sam, [ann.address]))(ann.address, 'acme.example')).toEqual([]);
  });
});
