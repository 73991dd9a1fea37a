import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseJob, reportJobSchema } from '#lib/queue/jobs.ts';
import { ReportBusyError, runReportJob } from '#lib/report/job.ts';
import { lambdaHandler } from '#functions/shared/handler.ts';
import { sesPacing, type PacingOptions } from '#functions/shared/paced-mail.ts';
import { logger, metrics } from '#functions/shared/observability.ts';
import { errorFields } from '#functions/shared/redact.ts';
import { getRuntime } from '#functions/shared/runtime.ts';

/**
 * The report worker (SQS standard queue, ReportBatchItemFailures): one weekly report
 * email per job, exactly once per user and week (see `runReportJob`). A job another
 * worker is sending or a store failure fails that record only, and SQS retries it after
 * the visibility timeout. Sends keep to the SES sending rate (functions/shared/paced-mail.ts).
 */

/** The report worker's handler with its clock (tests pass a virtual one). */
export function makeReportWorkerHandler(options: PacingOptions = {}) {
  const pacing = sesPacing('ReportThrottled', options);

  async function processRecord(record: SQSRecord, context?: Context): Promise<void> {
    const job = parseJob(reportJobSchema, record.body, `report job ${record.messageId}`);
    const runtime = getRuntime();
    const send = await pacing.forRecord(runtime, context, record, { userId: job.userId, week: job.week });
    try {
      const result = await runReportJob(job, {
        ...send,
        // Notes beside the actions need the token key (KMS); a deployment without it sends reports without notes.
        ...(runtime.env.SINEW_TOKEN_KEY_ARN ? { vault: runtime.vault } : {}),
        // CDK context team=on (DESIGN section 10): sharers publish to the team index and are told what is shared.
        ...(runtime.env.SINEW_TEAM === 'on' ? { team: true } : {}),
      });
      if (result.status === 'sent') {
        metrics.addMetric('ReportSent', MetricUnit.Count, 1);
        // The report went out without its notes: said, never the notes themselves.
        if (result.notes.state === 'failed') logger.warn('report sent without notes: they could not be opened', { userId: job.userId, week: job.week, ...errorFields(result.notes.error) });
        if (!result.recorded) logger.warn('report sent but its receipt was not stored', { userId: job.userId, week: job.week });
        logger.info('report sent', { userId: job.userId, week: job.week, messageId: result.messageId });
      } else {
        logger.info('report skipped', { userId: job.userId, week: job.week, reason: result.status === 'skipped' ? result.reason : '' });
      }
    } catch (error) {
      if (error instanceof ReportBusyError) logger.warn('report busy elsewhere; retry later', { userId: job.userId, week: job.week });
      // SES names the recipient in its refusals: the message is logged with addresses redacted.
      else logger.error('report failed', { userId: job.userId, week: job.week, ...errorFields(error) });
      throw error;
    }
  }

  async function work(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
    // A processor per invocation: it holds the batch's state, which must never be shared.
    // One record at a time: each report holds a user's items in memory, and SES has a send rate.
    return processPartialResponse(event, processRecord, new BatchProcessor(EventType.SQS), { context, processInParallel: false });
  }
  return lambdaHandler(work);
}

export const handler = makeReportWorkerHandler();
