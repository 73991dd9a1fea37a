import { Command, CommanderError, Option } from 'commander';
import { SinewError } from '#lib/errors.ts';
import { parseWhole } from './options.ts';
import { runDemo } from './demo.ts';
import { runImport } from './import.ts';
import { runReport } from './report.ts';
import { runTeamDemo } from './demo-team.ts';
import { runWhoKnows } from './who-knows.ts';
import { runBrief } from './brief.ts';
import { runConnect } from './connect.ts';
import { runSync } from './sync.ts';
import { runNote, type NoteCommand } from './note.ts';
import { DEFAULT_SERVE_PORT, runServe } from './serve.ts';
import { systemClock, type Clock } from '#lib/time/clock.ts';

/** Adds the settings flags of DESIGN section 6 to a command. */
function withSettings(cmd: Command): Command {
  return cmd
    .option('--window-days <n>', 'days in the metrics window', parseWhole('--window-days', 1, 400))
    .option('--max-recipients <n>', 'more To+Cc(+Bcc) addresses than this is a broadcast', parseWhole('--max-recipients', 1, 10_000))
    .option('--max-attendees <n>', 'meetings with more attendees do not count', parseWhole('--max-attendees', 1, 10_000))
    .option('--include-internal', 'keep contacts on your own organization domains')
    .option('--internal-domain <domain...>', 'extra organization domains treated as internal');
}

/**
 * Builds the `sinew` program. Output goes through `out` so tests can capture it; `clock`
 * paces sync (tests pass a virtual one).
 */
export function buildProgram(out: (line: string) => void, now: () => Date, clock: Clock = systemClock): Command {
  const program = new Command('sinew')
    .description('Relationship health from mail and meeting metadata.')
    .option('--data <dir>', 'local store directory', '.sinew')
    .option('--memory', 'keep the local store in memory (nothing persists)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('demo')
    .description('import the bundled sample mailbox and write a report, and the next working day\'s meeting brief, to out/')
    .option('--out <dir>', 'where to write report.html, report.txt and report.json', 'out')
    .option('--as-of <iso>', 'report date (default: the sample mailbox date, 2026-11-23T07:00:00Z)')
    .option('--team', 'a small firm instead: four colleagues in one store, each report with the team view, in out/team/<person>/')
    .action(async (opts, cmd: Command) => (opts.team ? runTeamDemo : runDemo)({ ...cmd.optsWithGlobals(), ...opts }, out));

  program
    .command('import')
    .description('load Google Takeout-style mbox and ics files into the local store')
    .option('--mbox <file...>', 'mbox files (.mbox or .mbox.gz)')
    .option('--ics <file...>', 'iCalendar files (.ics or .ics.gz)')
    .option('--me <address...>', 'your own addresses (the first is where reports go)')
    .option('--internal-domain <domain...>', 'organization domains to treat as internal')
    .addOption(new Option('--time-zone <iana>', 'your time zone for dates in the report').default('UTC'))
    .option('--as-of <iso>', 'recurring meetings are expanded from 400 days before this date to 90 days after (default: now)')
    .action(async (opts, cmd: Command) => runImport({ ...cmd.optsWithGlobals(), ...opts }, out, now));

  program
    .command('connect')
    .description('connect a mailbox once (OAuth in your browser, loopback redirect on 127.0.0.1)')
    .argument('<provider>', 'gmail or microsoft')
    .option('--no-browser', 'print the address to open instead of opening a browser')
    .option('--time-zone <iana>', 'your time zone for report dates (default: this machine\'s)')
    .option('--timeout-seconds <n>', 'how long to wait for the sign-in', parseWhole('--timeout-seconds', 10, 3600))
    .action(async (provider: string, opts, cmd: Command) => runConnect(provider, { ...cmd.optsWithGlobals(), ...opts }, out, now));

  program
    .command('sync')
    .description('fetch new mail and meeting metadata of connected mailboxes (a full backfill the first time)')
    .option('--budget-minutes <n>', 'stop after this long (resumable)', parseWhole('--budget-minutes', 1, 7 * 24 * 60))
    .action(async (opts, cmd: Command) => runSync({ ...cmd.optsWithGlobals(), ...opts }, out, clock));

  program
    .command('serve')
    .description('answer the links of sent reports (and offer the connect page when OAuth clients are set) on this machine, until Ctrl+C')
    .option('--port <n>', `port to listen on, 0 for any free one (default: ${DEFAULT_SERVE_PORT}, as in SINEW_BASE_URL's default)`, parseWhole('--port', 0, 65_535))
    .option('--host <address>', 'address to listen on; only 127.0.0.1 (loopback) is supported', '127.0.0.1')
    .action(async (opts, cmd: Command) => runServe({ ...cmd.optsWithGlobals(), ...opts }, out, now));

  withSettings(
    program
      .command('report')
      .description('compute relationship health and write the weekly report')
      .option('--as-of <iso>', 'report date (default: now)')
      .option('--html <file>', 'write the HTML email here')
      .option('--text <file>', 'write the plain-text part here')
      .option('--json <file>', 'write the JSON export here')
      .option('--user <address>', 'whose report (default: the last imported user)')
      .option('--team', 'the team view over the people in this store: publish this person\'s entries, show their colleagues')
      .option('--send', 'email the report to the user over SMTP (SINEW_SMTP_URL, from SINEW_REPORT_FROM)'),
  ).action(async (opts, cmd: Command) => runReport({ ...cmd.optsWithGlobals(), ...opts }, out, now));

  withSettings(
    program
      .command('brief')
      .description('write the meeting brief of one day: who you meet, and where each relationship stands')
      .option('--date <day>', 'the local day, YYYY-MM-DD (default: today in your time zone)')
      .option('--as-of <iso>', 'compute the figures as of this moment (default: 07:00 local on the day)')
      .option('--html <file>', 'write the HTML email here')
      .option('--text <file>', 'write the plain-text part here')
      .option('--json <file>', 'write the brief JSON here')
      .option('--user <address>', 'whose brief (default: the last imported user)')
      .option('--send', 'email the brief to the user over SMTP (SINEW_SMTP_URL, from SINEW_REPORT_FROM)')
      .option('--team', 'the team view over the people in this store: colleagues who know each attendee'),
  ).action(async (opts, cmd: Command) => runBrief({ ...cmd.optsWithGlobals(), ...opts }, out, now));

  addNoteCommands(program, out, now);

  program
    .command('who-knows')
    .description('which colleagues in this store (who share) are active with a contact or an organization')
    .argument('<address-or-domain>', 'a contact address, or an organization domain')
    .option('--team', 'the team view over the people in this store (required: it is off otherwise)')
    .option('--user <address>', 'who asks (default: the last imported user)')
    .option('--json <file>', 'write the answer as JSON here')
    .action(async (query: string, opts, cmd: Command) => runWhoKnows(query, { ...cmd.optsWithGlobals(), ...opts }, out));

  for (const c of program.commands) c.exitOverride().showHelpAfterError('(run with --help for usage)');
  return program;
}

/** `sinew note add|edit|list|delete`: the person's notes on their contacts (DESIGN section 9). */
function addNoteCommands(program: Command, out: (line: string) => void, now: () => Date): void {
  const note = program.command('note').description('your private notes on a contact: plain text, at most 2,000 characters, encrypted at rest');
  const run = (command: NoteCommand, cmd: Command): Promise<void> => runNote(command, cmd.optsWithGlobals(), out, now);
  const user = (c: Command): Command => c.option('--user <address>', 'whose notes (default: the last imported or connected user)');
  user(note.command('add').description('add a note about a contact').argument('<address>', 'the contact').argument('<text...>', 'the note'))
    .action((contact: string, text: string[], _o, cmd: Command) => run({ kind: 'add', contact, text: text.join(' ') }, cmd));
  user(note.command('edit').description('replace the text of a note').argument('<id>', 'the note id (see note list)').argument('<text...>', 'the new text'))
    .action((id: string, text: string[], _o, cmd: Command) => run({ kind: 'edit', id, text: text.join(' ') }, cmd));
  user(note.command('list').description('your notes, newest first, all or about one contact').argument('[address]', 'only notes about this contact'))
    .action((contact: string | undefined, _o, cmd: Command) => run({ kind: 'list', ...(contact ? { contact } : {}) }, cmd));
  user(note.command('delete').description('delete a note').argument('<id>', 'the note id (see note list)'))
    .action((id: string, _o, cmd: Command) => run({ kind: 'delete', id }, cmd));
  for (const c of [note, ...note.commands]) c.exitOverride().showHelpAfterError('(run with --help for usage)');
}

/**
 * Runs the CLI and returns the exit code. Failures print one line saying why and exit
 * non-zero; stack traces only with SINEW_DEBUG=1.
 */
export async function main(
  argv: string[],
  now: () => Date = () => new Date(),
  clock: Clock = systemClock,
): Promise<number> {
  const program = buildProgram((line) => process.stdout.write(`${line}\n`), now, clock);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander already printed its message (or the help) to stderr.
      return err.exitCode === 0 ? 0 : 2;
    }
    const message = err instanceof SinewError ? err.message : `unexpected error: ${(err as Error)?.message ?? String(err)}`;
    process.stderr.write(`sinew: ${message}\n`);
    if (process.env.SINEW_DEBUG === '1') process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
    return 1;
  }
}
