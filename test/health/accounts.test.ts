import { describe, expect, it } from 'vitest';
import { accountOf } from '#lib/health/accounts.ts';
import { ago, contactOf, healthOf, meeting, received, sent } from './build.ts';

describe('accounts', () => {
  it('rolls contacts up by organization domain, health the best of its active contacts', () => {
    const r = healthOf([
      sent('ann@acme.example', ago(1)), received('ann@acme.example', ago(1)), meeting('ann@acme.example', ago(2), 60),
      sent('bo@acme.example', ago(60)),
    ]);
    const ann = contactOf(r, 'ann@acme.example')!;
    expect(r.accounts).toEqual([{ domain: 'acme.example', activeContacts: 2, health: ann.health, singleThreaded: false }]);
  });

  it('marks an account single-threaded when one active contact is left of several', () => {
    const r = healthOf([sent('ann@acme.example', ago(5)), sent('bo@acme.example', ago(200)), received('cy@acme.example', ago(300))]);
    expect(r.accounts).toEqual([expect.objectContaining({ domain: 'acme.example', activeContacts: 1, singleThreaded: true })]);
  });

  it('never marks an account that only ever had one contact', () => {
    const r = healthOf([sent('ann@solo.example', ago(5))]);
    expect(r.accounts).toEqual([expect.objectContaining({ domain: 'solo.example', activeContacts: 1, singleThreaded: false })]);
  });

  it('keeps public webmail addresses per person (the domain is the full address)', () => {
    expect(accountOf('ann@gmail.com')).toBe('ann@gmail.com');
    expect(accountOf('ann@acme.example')).toBe('acme.example');
    const r = healthOf([sent('ann@gmail.com', ago(5)), sent('bo@gmail.com', ago(5)), sent('cy@gmail.com', ago(300))]);
    expect(r.accounts.map((a) => [a.domain, a.activeContacts, a.singleThreaded])).toEqual([
      ['ann@gmail.com', 1, false],
      ['bo@gmail.com', 1, false],
    ]);
  });

  it('lists only accounts with an active contact, highest health first then by domain', () => {
    const r = healthOf([
      sent('a@weak.example', ago(80)),
      sent('a@strong.example', ago(1)), received('a@strong.example', ago(1)),
      sent('a@gone.example', ago(200)),
    ]);
    expect(r.accounts.map((a) => a.domain)).toEqual(['strong.example', 'weak.example']);
  });

  it('leaves out internal contacts and the user themself unless includeInternal', () => {
    const ints = [sent('colleague@mine.example', ago(1)), sent('me@mine.example', ago(1)), sent('ann@acme.example', ago(1))];
    expect(healthOf(ints).contacts.map((c) => c.address)).toEqual(['ann@acme.example']);
    expect(healthOf(ints, { settings: { internalDomains: ['acme.example'] } }).contacts).toEqual([]);
    const all = healthOf(ints, { settings: { includeInternal: true } });
    expect(all.contacts.map((c) => c.address).sort()).toEqual(['ann@acme.example', 'colleague@mine.example']);
  });
});
