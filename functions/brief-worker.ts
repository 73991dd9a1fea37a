import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { briefJobSchema, parseJob } from '#lib/queue/jobs.ts';
import { BriefBusyError, runBriefJob } from '#lib/brief/send.ts';
import { lambdaHandler } from '#functions/shared/handler.ts';
import { sesPacing, type PacingOptions } from '#functions/shared/paced-mail.ts';
import { logger, metrics } from '#functions/shared/observability.ts';
import { errorFields } from '#functions/shared/redact.ts';
import { getRuntime } from '#functions/shared/runtime.ts';

/**
 * The brief worker (SQS standard queue, ReportBatchItemFailures): one meeting brief email
 * per job, at most one per person and local day (see `runBriefJob`). The person's notes
 * are opened with KMS under each note's context; they are never logged. A job another
 * worker is sending or a store failure fails that record only. Sends keep to the SES
 * sending rate as the report worker's do (functions/shared/paced-mail.ts): the brief hour
 * is a wave too, and on Monday it can meet the report's.
 */

/** The brief worker's handler with its clock (tests pass a virtual one). */
export function makeBriefWorkerHandler(options: PacingOptions = {}) {
  const pacing = sesPacing('BriefThrottled', options);

  async function processRecord(record: SQSRecord, context?: Context): Promise<void> {
    const job = parseJob(briefJobSchema, record.body, `brief job ${record.messageId}`);
    const runtime = getRuntime();
    const at = { userId: job.userId, date: job.date };
    const send = await pacing.forRecord(runtime, context, record, at);
    try {
      const result = await runBriefJob(job, {
        ...send,
        vault: runtime.vault,
        // The team view (CDK context team=on): each attendee's colleagues, for a person who shares.
        ...(runtime.env.SINEW_TEAM === 'on' ? { team: true } : {}),
      });
      if (result.status === 'sent') {
        metrics.addMetric('BriefSent', MetricUnit.Count, 1);
        if (!result.recorded) logger.warn('brief sent but its receipt was not stored', at);
        logger.info('brief sent', { ...at, meetings: result.meetings, messageId: result.messageId });
      } else {
        logger.info('brief skipped', { ...at, reason: result.reason });
      }
    } catch (error) {
      if (error instanceof BriefBusyError) logger.warn('brief busy elsewhere; retry later', at);
      // SES names the recipient in its refusals: the message is logged with addresses redacted.
      else logger.error('brief failed', { ...at, ...errorFields(error) });
      throw error;
    }
  }

  async function work(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
    // A processor per invocation: it holds the batch's state, which must never be shared.
    // One record at a time: each brief holds a person's items in memory, and SES has a send rate.
    return processPartialResponse(event, processRecord, new BatchProcessor(EventType.SQS), { context, processInParallel: false });
  }
  return lambdaHandler(work);
}

export const handler = makeBriefWorkerHandler();
