import type { Person } from './model.ts';

/**
 * The people of the demo mailbox: Alex Morgan, a consultant at Northwind, their
 * colleagues, clients at eight organizations, two freelancers on gmail.com, and the
 * machines that send bulk mail. Each external person carries one story (scenario.ts).
 */

const LONDON = 'Europe/London';
const NEW_YORK = 'America/New_York';
const BERLIN = 'Europe/Berlin';
const CHICAGO = 'America/Chicago';

const p = (name: string, address: string, tz: string): Person => ({ name, address, tz });

export const ME = p('Alex Morgan', 'alex.morgan@northwind-consulting.com', LONDON);
/** The alias the user also sends from (Gmail send-as). */
export const ME_ALIAS = p('Alex Morgan', 'alex@northwind-consulting.com', LONDON);

export const COLLEAGUES = {
  sarah: p('Sarah Jenkins', 'sarah.jenkins@northwind-consulting.com', LONDON),
  mark: p('Mark Ellis', 'mark.ellis@northwind-consulting.com', LONDON),
} as const;

export const PEOPLE = {
  // Acme Logistics: the healthy client with the weekly status call.
  priya: p('Shah, Priya', 'priya.shah@acme-logistics.com', NEW_YORK),
  tom: p('Tom Becker', 'tom.becker@acme-logistics.com', NEW_YORK),
  // Halcyon Health: one contact left of three (single-threaded).
  maria: p('Maria Lopez', 'maria.lopez@halcyonhealth.org', LONDON),
  daniel: p('Daniel Kim', 'daniel.kim@halcyonhealth.org', LONDON),
  grace: p('Grace Liu', 'grace.liu@halcyonhealth.org', LONDON),
  // Brightwater Capital: Oliver went quiet (fading).
  oliver: p('Oliver Grant', 'Oliver.Grant@brightwatercap.com', LONDON),
  chloe: p('Chloe Martin', 'chloe.martin@brightwatercap.com', LONDON),
  // Kestrel Manufacturing: Sofia went quiet but a meeting is booked for next week.
  sofia: p('Sofia Rossi', 'sofia.rossi@kestrel-mfg.de', BERLIN),
  lukas: p('Lukas Weiß', 'lukas.weiss@kestrel-mfg.de', BERLIN),
  jonas: p('Jonas Braun', 'jonas.braun@kestrel-mfg.de', BERLIN),
  // Lumen Retail and Ridgeline Partners: the user chases, they do not answer.
  hannah: p('Hannah Cole', 'hannah.cole@lumenretail.com', LONDON),
  ethan: p('Ethan Brooks', 'ethan.brooks@ridgelinepartners.com', CHICAGO),
  ava: p('Ava Nguyen', 'ava.nguyen@ridgelinepartners.com', CHICAGO),
  // Orbital Analytics: new and warming.
  nadia: p('Nadia Petrova', 'nadia.petrova@orbital-analytics.io', LONDON),
  ben: p('Ben Carter', 'ben.carter@orbital-analytics.io', LONDON),
  // Vantage Legal: wrote last week, still waiting for the user.
  james: p('James Whitfield', 'james.whitfield@vantagelegal.co.uk', LONDON),
  // Sterling & Pike: lots of mail, no meeting for months.
  rebecca: p('Rebecca Stone', 'rebecca.stone@sterlingpike.com', NEW_YORK),
  // Freelancers on webmail; John writes from three spellings of one mailbox.
  emma: p('Emma Clarke', 'emma.clarke@gmail.com', LONDON),
  johnGooglemail: p('John Doe', 'jdoe@googlemail.com', LONDON),
  johnDotted: p('John Doe', 'j.doe@gmail.com', LONDON),
  johnTagged: p('John Doe', 'j.doe+work@gmail.com', LONDON),
} as const;

/** People who only ever appear among the 14 recipients of one broadcast. */
export const BROADCAST_ONLY: Person[] = [
  p('Kenji Yamamoto', 'k.yamamoto@fujiworks.jp', 'Asia/Tokyo'),
  p('Laura Fischer', 'laura.fischer@alpinebank.ch', BERLIN),
  p('Omar Haddad', 'omar@haddad-trading.ae', 'Asia/Dubai'),
  p('Claire Dubois', 'c.dubois@lumiere-conseil.fr', 'Europe/Paris'),
  p('Peter Novak', 'peter.novak@vltava-group.cz', BERLIN),
  p('Isabel Santos', 'isabel.santos@portoverde.pt', LONDON),
  p('Noah Williams', 'noah.williams@greenfield.edu', NEW_YORK),
  p('Mia Andersen', 'mia.andersen@nordlys.no', BERLIN),
  p('Lucas Silva', 'lucas.silva@ipanema-tech.com.br', 'America/Sao_Paulo'),
  p('Zoe Taylor', 'zoe.taylor@harbourview.co.nz', 'Pacific/Auckland'),
];

export const SENDERS = {
  newsletter: p('The Logistics Brief', 'news@logisticsbrief.com', NEW_YORK),
  digest: p('Consulting Weekly', 'digest@consultingweekly.com', LONDON),
  projectHub: p('ProjectHub', 'noreply@projecthub.io', 'UTC'),
  invoices: p('Invoicely', 'notifications@invoicely.app', 'UTC'),
  billing: p('CloudHost Billing', 'billing@cloudhost.net', 'UTC'),
  daemon: p('Mail Delivery Subsystem', 'mailer-daemon@googlemail.com', 'UTC'),
} as const;

/**
 * People the user meets for the first time on the demo's brief day (brief-day.ts): Sinew
 * has never seen them, one at a known organization, one at a new one.
 */
export const NEWCOMERS = {
  priyanka: p('Priyanka Desai', 'priyanka.desai@halcyonhealth.org', LONDON),
  elena: p('Elena Marsh', 'elena.marsh@fernhill-robotics.com', LONDON),
} as const;
