import { describe, expect, it } from 'vitest';
import { parseSinewConfig, scheduleIntervalMinutes, DEFAULT_GRAPH_BASE_URL, DEFAULT_MS_AUTHORITY } from '#infra/config.ts';
import { ConfigError } from '#lib/errors.ts';

const base = { senderAddress: 'reports@acme.test', allowedDomains: 'acme.test' };

describe('parseSinewConfig', () => {
  it('fills the defaults', () => {
    expect(parseSinewConfig(base)).toEqual({
      senderAddress: 'reports@acme.test',
      allowedDomains: ['acme.test'],
      syncSchedule: 'rate(30 minutes)',
      reportHour: 7,
      briefHour: 7,
      syncConcurrency: 10,
      sesSendRate: 14,
      msAuthority: DEFAULT_MS_AUTHORITY,
      graphBaseUrl: DEFAULT_GRAPH_BASE_URL,
      team: false,
      usesExampleSender: false,
    });
  });

  it('reads -c strings: comma lists, numbers, and an empty optional as unset', () => {
    const config = parseSinewConfig({
      ...base,
      allowedDomains: ' Acme.test, ,example.org ',
      reportHour: '9',
      syncConcurrency: '25',
      syncSchedule: 'cron(0/15 * * * ? *)',
      alarmEmail: '',
      domain: 'acme.test',
    });
    expect(config).toMatchObject({ allowedDomains: ['acme.test', 'example.org'], reportHour: 9, syncConcurrency: 25, syncSchedule: 'cron(0/15 * * * ? *)', domain: 'acme.test' });
    expect(config.alarmEmail).toBeUndefined();
    expect(parseSinewConfig({ ...base, allowedDomains: ['a.test', 'b.test'] }).allowedDomains).toEqual(['a.test', 'b.test']);
  });

  it('flags the example sender', () => {
    expect(parseSinewConfig({ ...base, senderAddress: 'reports@example.com' }).usesExampleSender).toBe(true);
  });

  it.each([[undefined], [''], [[]], [' , ']])('makes the admin choose who may sign up: allowedDomains %j stops synthesis saying how to set it', (allowedDomains) => {
    const raw = { senderAddress: 'reports@acme.test', ...(allowedDomains === undefined ? {} : { allowedDomains }) };
    expect(() => parseSinewConfig(raw)).toThrow(ConfigError);
    expect(() => parseSinewConfig(raw)).toThrow(/CDK context "allowedDomains".*-c allowedDomains=example\.com,\.\.\. .*-c allowedDomains=\* to admit anyone/);
  });

  it('admits anyone only when told so with "*", alone', () => {
    expect(parseSinewConfig({ ...base, allowedDomains: '*' }).allowedDomains).toEqual(['*']);
    expect(parseSinewConfig({ ...base, allowedDomains: ['*'] }).allowedDomains).toEqual(['*']);
    expect(() => parseSinewConfig({ ...base, allowedDomains: '*,acme.test' })).toThrow(/"allowedDomains": "\*" admits anyone; give either "\*" or a list of domains, not both/);
  });

  it.each([
    [{ allowedDomains: 'acme.test' }, /"senderAddress".*not set/],
    [{ ...base, senderAddress: 'reports' }, /"senderAddress": expected an email address.*got "reports"/],
    [{ ...base, domain: 'https://acme.test' }, /"domain": expected a hostname/],
    [{ ...base, allowedDomains: 'acme.test,not a domain' }, /"allowedDomains": expected a hostname/],
    [{ ...base, syncSchedule: 'every 30 minutes' }, /"syncSchedule": expected an EventBridge Scheduler expression/],
    [{ ...base, syncSchedule: 'rate(1 minutes)' }, /"syncSchedule"/],
    [{ ...base, syncSchedule: 'rate(5 minute)' }, /"syncSchedule"/],
    [{ ...base, syncSchedule: 'cron(0 * * * *)' }, /"syncSchedule"/],
    [{ ...base, reportHour: 24 }, /"reportHour".*got 24/],
    [{ ...base, reportHour: 'seven' }, /"reportHour"/],
    [{ ...base, syncConcurrency: 0 }, /"syncConcurrency"/],
    [{ ...base, syncConcurrency: '2.5' }, /"syncConcurrency"/],
    [{ ...base, sesSendRate: 0 }, /"sesSendRate".*got 0/],
    [{ ...base, sesSendRate: '14.5' }, /"sesSendRate"/],
    [{ ...base, alarmEmail: 'ops' }, /"alarmEmail": expected an email address/],
    [{ ...base, msAuthority: 'http://login.microsoftonline.com/common' }, /"msAuthority": expected an https URL/],
    [{ ...base, graphBaseUrl: 'http://graph.microsoft.us/v1.0' }, /"graphBaseUrl": expected an https URL ending with the API version/],
    [{ ...base, graphBaseUrl: 'https://graph.microsoft.us' }, /"graphBaseUrl": expected an https URL ending with the API version/],
    [{ ...base, senderAddress: 'reports@other.test', domain: 'acme.test' }, /"senderAddress": reports@other.test is not inside "domain" acme.test/],
  ])('refuses %j naming the key', (raw, message) => {
    expect(() => parseSinewConfig(raw)).toThrow(ConfigError);
    expect(() => parseSinewConfig(raw)).toThrow(message);
  });

  it('reads the SES sending rate (-c sesSendRate=100), 14 a second unless set', () => {
    expect(parseSinewConfig({ ...base, sesSendRate: '100' }).sesSendRate).toBe(100);
    expect(parseSinewConfig({ ...base, sesSendRate: 50 }).sesSendRate).toBe(50);
    expect(parseSinewConfig(base).sesSendRate).toBe(14);
  });

  it('takes a national cloud\'s Graph root', () => {
    expect(parseSinewConfig({ ...base, graphBaseUrl: 'https://graph.microsoft.us/v1.0' }).graphBaseUrl).toBe('https://graph.microsoft.us/v1.0');
  });

  it('accepts a sender in a subdomain of domain', () => {
    expect(parseSinewConfig({ ...base, senderAddress: 'r@mail.acme.test', domain: 'acme.test' }).domain).toBe('acme.test');
  });
});

describe('scheduleIntervalMinutes', () => {
  it('reads the gap of a rate schedule and keeps 30 minutes for a cron one', () => {
    expect(['rate(1 minute)', 'rate(45 minutes)', 'rate(2 hours)', 'rate(1 day)', 'cron(0/15 * * * ? *)'].map(scheduleIntervalMinutes)).toEqual([1, 45, 120, 1440, 30]);
  });
});
