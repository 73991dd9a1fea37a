import { InputError } from '#lib/errors.ts';
import { PUBLIC_WEBMAIL_DOMAINS, domainOf, normalizeAddress } from '#lib/items/normalize.ts';

/**
 * The user's organization domains (DESIGN section 3, "Internal"): the domain of each
 * connected address unless it is a public webmail domain (a gmail.com user has no
 * organization, and every other gmail.com user is outside it), plus the configured
 * ones. Sorted and distinct, as the JSON report echoes them.
 *
 * Addresses given only with `--me` do not make a domain internal: an alias may be a
 * personal or a former employer's address, and the organization is the connected one.
 *
 * @param accountAddresses connected addresses and their aliases
 * @param configured `internalDomains` from the settings (`acme.com` or `@acme.com`)
 * @throws InputError when a configured domain is not a domain name
 */
export function organizationDomains(accountAddresses: Iterable<string>, configured: Iterable<string>): string[] {
  const domains = new Set<string>();
  for (const raw of accountAddresses) {
    const address = normalizeAddress(raw);
    if (!address) continue;
    const domain = domainOf(address);
    if (!PUBLIC_WEBMAIL_DOMAINS.has(domain)) domains.add(domain);
  }
  for (const raw of configured) {
    const domain = raw.trim().toLowerCase().replace(/^@/, '').replace(/\.$/, '');
    if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(domain)) {
      throw new InputError(`internal domain "${raw}" is not a domain name (expected e.g. acme.com)`);
    }
    domains.add(domain);
  }
  return [...domains].sort();
}

/**
 * Answers "is this contact internal?" for many addresses, caching per domain. A
 * subdomain of an organization domain (`us.acme.com` under `acme.com`) is internal:
 * it is the same organization's mail system.
 */
export class InternalDomains {
  private readonly domains: ReadonlySet<string>;
  private readonly cache = new Map<string, boolean>();

  constructor(domains: Iterable<string>) {
    this.domains = new Set(domains);
  }

  /** True when the normalized address is on an organization domain or a subdomain of one. */
  isInternal(address: string): boolean {
    const domain = domainOf(address);
    let internal = this.cache.get(domain);
    if (internal === undefined) {
      internal = false;
      for (let d = domain; d.length > 0; ) {
        if (this.domains.has(d)) {
          internal = true;
          break;
        }
        const dot = d.indexOf('.');
        if (dot < 0) break;
        d = d.slice(dot + 1);
      }
      this.cache.set(domain, internal);
    }
    return internal;
  }
}
