import { describe, expect, it } from 'vitest';
import { InputError } from '#lib/errors.ts';
import { extractInteractions } from '#lib/interactions/extract.ts';
import { InternalDomains, organizationDomains } from '#lib/interactions/internal.ts';
import { resolveMe } from '#lib/interactions/me.ts';
import { ME, mail, options } from './builders.ts';

describe('Me', () => {
  it('joins --me, account addresses and the From of SENT mail, normalized', () => {
    const me = resolveMe(
      [mail({ from: 'alias@acme.com', labels: ['SENT'] }), mail({ from: 'ann@partner.io', labels: ['INBOX'] })],
      ['Me <Me.Myself+x@GoogleMail.com>'],
      ['ME@Acme.com'],
    );
    expect([...me]).toEqual(['alias@acme.com', 'me@acme.com', 'memyself@gmail.com']);
  });

  it('refuses an own address that is not an address, naming it', () => {
    expect(() => resolveMe([], ['not-an-address'], [])).toThrow(InputError);
    expect(() => resolveMe([], ['not-an-address'], [])).toThrow(/--me: "not-an-address"/);
  });

  it('learns an alias from SENT so its mail is outbound, even when seen after the alias received mail', () => {
    const alias = 'me.alias@acme.com';
    const items = [
      mail({ from: 'ann@partner.io', to: [alias], at: '2026-11-01T00:00:00.000Z' }),
      mail({ from: alias, to: ['bob@partner.io', ME], labels: ['SENT'], at: '2026-11-02T00:00:00.000Z' }),
      mail({ from: alias, to: ['carl@partner.io'], at: '2026-11-03T00:00:00.000Z' }),
    ];
    const x = extractInteractions(items, options());
    expect(x.me.has(alias)).toBe(true);
    expect(x.interactions.map((i) => [i.contact, i.kind, i.toMe])).toEqual([
      ['ann@partner.io', 'received', true],
      ['bob@partner.io', 'sent', false],
      ['carl@partner.io', 'sent', false],
    ]);
  });

  it('without labels knows Me only from --me (archives)', () => {
    const items = [mail({ from: 'phil@enron.com', to: ['ann@partner.io'], labels: [] })];
    expect(extractInteractions(items, options({ accountAddresses: [] })).interactions[0]!.kind).toBe('received');
    const x = extractInteractions(items, options({ accountAddresses: [], me: ['phil@enron.com'] }));
    expect(x.interactions.map((i) => [i.contact, i.kind])).toEqual([['ann@partner.io', 'sent']]);
  });

  it('does not learn from SENT mail after asOf (reports as of a past date are reproducible)', () => {
    const late = mail({ from: 'late@acme.com', to: ['x@partner.io'], labels: ['SENT'], at: '2026-12-01T00:00:00.000Z' });
    expect(extractInteractions([late], options()).me.has('late@acme.com')).toBe(false);
  });
});

describe('organization domains', () => {
  it('derive from account addresses, skip public webmail, add configured ones', () => {
    expect(organizationDomains(['me@acme.com', 'me@gmail.com', 'x@Hotmail.com'], ['@Partner.io', 'acme.com'])).toEqual(['acme.com', 'partner.io']);
  });

  it('a public webmail account yields no internal domain', () => {
    expect(organizationDomains(['me.myself@gmail.com', 'me@outlook.com'], [])).toEqual([]);
    const items = [mail({ from: 'friend@gmail.com', to: ['memyself@gmail.com'] })];
    const x = extractInteractions(items, options({ accountAddresses: ['me.myself@gmail.com'] }));
    expect(x.internalDomains).toEqual([]);
    expect(x.interactions).toHaveLength(1);
  });

  it('refuses a configured domain that is not a domain', () => {
    expect(() => organizationDomains([], ['not a domain'])).toThrow(InputError);
  });

  it('treat subdomains as internal, not look-alike domains', () => {
    const d = new InternalDomains(['acme.com']);
    expect(d.isInternal('a@acme.com')).toBe(true);
    expect(d.isInternal('a@us.acme.com')).toBe(true);
    expect(d.isInternal('a@notacme.com')).toBe(false);
    expect(d.isInternal('a@acme.com.evil.io')).toBe(false);
  });
});

describe('internal contacts', () => {
  const colleague = 'bob@acme.com';

  it('are dropped and counted once per message by default', () => {
    const items = [
      mail({ from: colleague }),
      mail({ from: ME, to: [colleague, 'carol@acme.com'] }),
      mail({ from: ME, to: [colleague, 'ann@partner.io'] }),
    ];
    const x = extractInteractions(items, options());
    expect(x.internalDomains).toEqual(['acme.com']);
    expect(x.interactions.map((i) => i.contact)).toEqual(['ann@partner.io']);
    expect(x.excluded.internal).toBe(2);
  });

  it('are kept with includeInternal', () => {
    const items = [mail({ from: colleague }), mail({ from: ME, to: [colleague, 'ann@partner.io'] })];
    const x = extractInteractions(items, options({ settings: { includeInternal: true } }));
    expect(x.interactions.map((i) => i.contact).sort()).toEqual(['ann@partner.io', colleague, colleague]);
    expect(x.excluded.internal).toBe(0);
  });

  it('follow configured domains', () => {
    const x = extractInteractions([mail({ from: 'ann@partner.io' })], options({ settings: { internalDomains: ['partner.io'] } }));
    expect(x.interactions).toEqual([]);
    expect(x.internalDomains).toEqual(['acme.com', 'partner.io']);
    expect(x.excluded.internal).toBe(1);
  });
});
