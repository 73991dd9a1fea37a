import type { FleetResult } from './fleet.ts';
import type { WaveResult } from './reports.ts';
import { DYNAMODB, FIXED_MONTHLY_USD, KMS, LAMBDA, REPORT, SES, SQS } from './limits.ts';

/**
 * A mailbox's month once its backfill is done, from the simulated day of ordinary syncing
 * (× 30) and Monday's wave (× 30/7 weeks), priced at us-east-1 list prices (limits.ts):
 * Lambda arm64 $0.0000133334 per GB-s and $0.20 per million requests, DynamoDB on-demand
 * $0.625 per million writes, $0.125 per million reads and $0.25 per GB-month, SQS FIFO
 * $0.50 and standard $0.40 per million requests, KMS $0.03 per 10,000, SES $0.10 per
 * 1,000, and the deployment's fixed $12 a month shared by everyone. X-Ray, CloudWatch
 * Logs and data transfer are left out (the README's cost table has them).
 */
export interface MonthlyFigures {
  lambdaGbS: number;
  lambdaRequests: number;
  wru: number;
  rru: number;
  sesSends: number;
  sqsRequests: number;
  kmsRequests: number;
  storageGb: number;
  costPerPerson: number;
}

const DAYS = 30;
const WEEKS = 30 / 7;

export function monthlyFigures(r: FleetResult, wave: WaveResult): MonthlyFigures {
  const sample = r.mailboxes.length;
  const size = r.options.size;
  const days = r.steady.ms / 86_400_000;
  const perDay = (x: number) => (x / sample / days) * DAYS;
  const fleetPerDay = (x: number) => (x / size / days) * DAYS;
  const sends = (wave.sent / size) * WEEKS;
  const lambdaGbS = perDay(r.steady.lambdaGbS) + fleetPerDay(r.steady.dispatcherGbS) + (wave.gbSeconds / size) * WEEKS;
  // The report dispatcher runs hourly for the fleet: 720 invocations of about 1 s at 0.5 GB.
  const reportDispatcher = { requests: 720 / size, gbS: (720 * 0.5) / size };
  const lambdaRequests = perDay(r.steady.lambdaRequests) + fleetPerDay(r.steady.dispatcherRequests) + (wave.invocations / size) * WEEKS + reportDispatcher.requests;
  const wru = perDay(r.steady.wru) + REPORT.wruPerReport * sends;
  const rru = perDay(r.steady.rru) + sends * averageItems(r) / 2;
  const sqsRequests = perDay(r.steady.sqsRequests) + (wave.sqsRequests / size) * WEEKS;
  const kmsRequests = perDay(r.steady.kmsRequests);
  const storageGb = (averageItems(r) * DYNAMODB.bytesPerItem) / 1e9;
  const costPerPerson =
    (lambdaGbS + reportDispatcher.gbS) * LAMBDA.pricePerGbS +
    lambdaRequests * LAMBDA.pricePerRequest +
    wru * DYNAMODB.pricePerWru +
    rru * DYNAMODB.pricePerRru +
    storageGb * DYNAMODB.pricePerGbMonth +
    perDay(r.steady.sqsRequests) * SQS.priceFifoPerRequest +
    (wave.sqsRequests / size) * WEEKS * SQS.priceStandardPerRequest +
    kmsRequests * KMS.pricePerRequest +
    sends * SES.pricePerEmail +
    FIXED_MONTHLY_USD / size;
  return { lambdaGbS, lambdaRequests, wru, rru, sesSends: sends, sqsRequests, kmsRequests, storageGb, costPerPerson };
}

/** Items a mailbox holds: its window of mail and meetings. */
function averageItems(r: FleetResult): number {
  return r.mailboxes.reduce((n, m) => n + m.messages + m.meetings, 0) / r.mailboxes.length;
}
