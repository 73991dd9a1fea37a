import type { ReportJson } from '#lib/report/types.ts';
import { isActiveRelationship } from '#lib/health/metrics.ts';

/** Pads cells into aligned columns. */
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

/** The short summary `sinew demo` and `sinew report` print: flags, then the top contacts. */
export function summarize(report: ReportJson, limit = 10): string {
  const lines: string[] = [];
  lines.push(`Sinew report for ${report.user} as of ${report.asOf}`);
  lines.push(
    `${report.contacts.filter(isActiveRelationship).length} active relationships · fading ${report.fading.length} · ` +
      `owed replies ${report.owedReplies.length} · awaiting reply ${report.awaitingReply.length} · ` +
      `no face-time ${report.noFaceTime.length} · single-threaded accounts ${report.accounts.filter((a) => a.singleThreaded).length}`,
  );
  const ex = report.excluded;
  lines.push(
    `excluded: automated ${ex.automated}, broadcast ${ex.broadcast}, internal ${ex.internal}, duplicates ${ex.duplicates}`,
  );
  if (report.contacts.length > 0) {
    const rows = [['contact', 'health', 'trend', 'sent', 'recv', 'meet', 'cadence', 'last']];
    for (const c of report.contacts.slice(0, limit)) {
      rows.push([
        c.address,
        String(c.health),
        c.trend,
        String(c.sent),
        String(c.received),
        String(c.meetings),
        c.cadenceDays === null ? '-' : `${c.cadenceDays}d`,
        c.lastInteraction.slice(0, 10),
      ]);
    }
    lines.push('', table(rows));
  }
  return lines.join('\n');
}
