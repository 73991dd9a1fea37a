import { describe, expect, it } from 'vitest';
import type { ContactHealth } from '#lib/health/types.ts';
import type { TeamEntry, TeamTier } from '#lib/store/types.ts';
import { colleaguesAt, isTeamSingleThreaded, teamAccounts } from '#lib/team/coverage.ts';
import { isActiveRelationship, sharerNameOf, teamEntriesOf, tierOf } from '#lib/team/entries.ts';
import { warmPaths } from '#lib/team/paths.ts';
import { AS_OF, ago, healthOf, meeting, received, sent } from '#test/health/build.ts';
import { accountOf } from '#lib/health/accounts.ts';
import { summarize } from '#lib/store/team-summary.ts';

/** An index entry as a colleague publishes it. */
export function entry(sharer: string, contact: string, o: { tier?: TeamTier; day?: string; active?: boolean } = {}): TeamEntry {
  return {
    sharer, colleague: `${sharer}@firm.example`, colleagueName: sharer.toUpperCase(), contact, name: null,
    domain: accountOf(contact), tier: o.tier ?? 'ok', lastInteraction: o.day ?? '2026-11-01', lastMeeting: null, active: o.active ?? true,
  };
}

const entriesFrom = (contacts: ContactHealth[], interactions = [] as ReturnType<typeof sent>[]) =>
  teamEntriesOf({
    sharer: { userId: 'me', address: 'me@mine.example', name: 'Me' },
    contacts, interactions, asOf: AS_OF, withheld: new Set(), isInternal: (a) => a.endsWith('@mine.example'),
  });

describe('team rules (DESIGN section 10)', () => {
  it('tiers: strong from 70, ok from 40 to 69, weak under 40', () => {
    expect([39, 39.9, 40, 69, 69.9, 70, 100, 0].map(tierOf)).toEqual(['weak', 'weak', 'ok', 'ok', 'ok', 'strong', 'strong', 'weak']);
  });

  it('active means a sent and a received message, or a meeting, in the window; sent only or received only is not', () => {
    const both = 'both@a.example';
    const sentOnly = 'sent@a.example';
    const receivedOnly = 'recv@a.example';
    const met = 'met@a.example';
    const ints = [sent(both, ago(5)), received(both, ago(4)), sent(sentOnly, ago(5)), sent(sentOnly, ago(3)), received(receivedOnly, ago(2)), meeting(met, ago(6))];
    const health = healthOf(ints);
    const active = Object.fromEntries(entriesFrom(health.contacts, ints).map((e) => [e.contact, e.active]));
    expect(active).toEqual({ [both]: true, [sentOnly]: false, [receivedOnly]: false, [met]: true });
    expect(isActiveRelationship({ sent: 3, received: 0, meetings: 0 })).toBe(false);
  });

  it('an entry holds the tier, the UTC days of the last interaction and last meeting, and leaves internal contacts out', () => {
    const ann = 'ann@acme.example';
    const ints = [meeting(ann, Date.parse('2026-10-01T23:30:00Z')), sent(ann, Date.parse('2026-11-20T23:59:00Z')), received(ann, ago(10)), sent('boss@mine.example', ago(1)), received('boss@mine.example', ago(1))];
    const health = healthOf(ints, { settings: { includeInternal: true } });
    const entries = entriesFrom(health.contacts, ints);
    expect(entries).toHaveLength(1);
    const e = entries[0]!;
    expect(e).toMatchObject({ contact: ann, domain: 'acme.example', lastInteraction: '2026-11-20', lastMeeting: '2026-10-01', tier: tierOf(health.contacts[0]!.health) });
  });

  it('one colleague with one active contact is team-single-threaded; two colleagues, or two contacts, is not', () => {
    expect(isTeamSingleThreaded([entry('sam', 'a@acme.example')])).toBe(true);
    expect(isTeamSingleThreaded([entry('sam', 'a@acme.example'), entry('kim', 'a@acme.example')])).toBe(false);
    expect(isTeamSingleThreaded([entry('sam', 'a@acme.example'), entry('sam', 'b@acme.example')])).toBe(false);
    // Inactive entries do not count, and nobody active is not single-threaded.
    expect(isTeamSingleThreaded([entry('sam', 'a@acme.example'), entry('kim', 'b@acme.example', { active: false })])).toBe(true);
    expect(isTeamSingleThreaded([entry('sam', 'a@acme.example', { active: false })])).toBe(false);
    // The person themself counts like everyone else.
    const accounts = teamAccounts('me', ['acme.example'], summarize([entry('me', 'a@acme.example')]));
    expect(accounts).toEqual([{ domain: 'acme.example', teamSingleThreaded: true, colleagues: [] }]);
    expect(teamAccounts('me', ['acme.example'], summarize([entry('me', 'a@acme.example'), entry('sam', 'b@acme.example')]))[0]!.teamSingleThreaded).toBe(false);
  });

  it('public webmail domains are per person: each address its own account', () => {
    const a = entry('sam', 'ann.x@gmail.com');
    const b = entry('kim', 'bob.y@gmail.com');
    expect([a.domain, b.domain]).toEqual(['ann.x@gmail.com', 'bob.y@gmail.com']);
    const accounts = teamAccounts('me', ['ann.x@gmail.com', 'acme.example'], summarize([a, b]));
    expect(accounts.map((x) => x.domain)).toEqual(['acme.example', 'ann.x@gmail.com']);
    expect(accounts[1]!.colleagues.map((c) => c.address)).toEqual(['sam@firm.example']);
    expect(accounts[1]!.teamSingleThreaded).toBe(true);
  });

  it('colleagues rank by tier, then most recent, then address; each with strongest tier, active contacts and last interaction', () => {
    const at = [
      entry('weakrecent', 'a@acme.example', { tier: 'weak', day: '2026-11-20' }),
      entry('okold', 'a@acme.example', { tier: 'ok', day: '2026-09-01' }),
      entry('oknew', 'b@acme.example', { tier: 'ok', day: '2026-11-01' }),
      entry('strong', 'c@acme.example', { tier: 'weak', day: '2026-11-21' }),
      entry('strong', 'd@acme.example', { tier: 'strong', day: '2026-08-01' }),
      entry('strong', 'e@acme.example', { tier: 'strong', day: '2026-08-01', active: false }),
    ];
    const ranked = colleaguesAt(at, 'nobody');
    expect(ranked.map((c) => c.address)).toEqual(['strong@firm.example', 'oknew@firm.example', 'okold@firm.example', 'weakrecent@firm.example']);
    expect(ranked[0]).toEqual({ address: 'strong@firm.example', name: 'STRONG', tier: 'strong', lastInteraction: '2026-11-21', activeContacts: 2 });
  });

  it('the asker is never listed: not in coverage, not in warm paths', () => {
    const at = [entry('me', 'a@acme.example', { tier: 'strong' }), entry('sam', 'a@acme.example', { tier: 'weak' })];
    expect(colleaguesAt(at, 'me').map((c) => c.address)).toEqual(['sam@firm.example']);
    const paths = warmPaths('me', { fading: [{ address: 'a@acme.example', lastInteraction: '', cadenceDays: 7, silenceDays: 40, lastMeeting: null }], noFaceTime: [], accounts: [] }, at);
    expect(paths).toEqual([{ for: 'a@acme.example', reason: 'fading', colleagues: [{ address: 'sam@firm.example', name: 'SAM', via: 'a@acme.example', tier: 'weak', lastInteraction: '2026-11-01' }] }]);
  });

  it('warm paths: up to two colleagues active with the contact, or failing that its organization; none, no path', () => {
    const flag = (address: string) => ({ address, lastInteraction: '', cadenceDays: 7, silenceDays: 40, lastMeeting: null });
    const at = [
      entry('sam', 'ann@acme.example', { tier: 'ok' }),
      entry('kim', 'ann@acme.example', { tier: 'strong' }),
      entry('lee', 'ann@acme.example', { tier: 'weak' }),
      entry('joe', 'bob@acme.example', { tier: 'strong' }),
      entry('joe', 'cy@acme.example', { tier: 'weak' }),
      entry('ina', 'cy@beta.example', { active: false }),
    ];
    const paths = warmPaths('me', {
      fading: [flag('ann@acme.example')],
      noFaceTime: [{ address: 'zed@acme.example', lastMeeting: null }, { address: 'cy@beta.example', lastMeeting: null }],
      accounts: [{ domain: 'acme.example', activeContacts: 1, health: 50, singleThreaded: true }],
    }, at);
    expect(paths.map((p) => [p.reason, p.for, p.colleagues.map((c) => `${c.address.split('@')[0]} via ${c.via}`)])).toEqual([
      ['fading', 'ann@acme.example', ['kim via ann@acme.example', 'sam via ann@acme.example']],
      ['noFaceTime', 'zed@acme.example', ['joe via bob@acme.example', 'kim via ann@acme.example']],
      ['singleThreaded', 'acme.example', ['joe via bob@acme.example', 'kim via ann@acme.example']],
    ]);
  });

  it('the sharer name is the one most used on their own sent mail', () => {
    const mail = (from: string, name: string) => ({ kind: 'mail', from, names: { [from]: name } }) as never;
    expect(sharerNameOf([mail('me@x.example', 'Sam Lee'), mail('me@x.example', 'Sam Lee'), mail('me@x.example', 'S. Lee'), mail('other@y.example', 'Other')], new Set(['me@x.example']))).toBe('Sam Lee');
    expect(sharerNameOf([], new Set(['me@x.example']))).toBeNull();
  });
});
