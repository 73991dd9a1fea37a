import { MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod';
import { handleSesEvent, parseSesEvent, type SesEventOutcome } from '#lib/mail/ses-events.ts';
import { InputError } from '#lib/errors.ts';
import { getRuntime } from '#functions/shared/runtime.ts';
import { lambdaHandler } from '#functions/shared/handler.ts';
import { logger, metrics } from '#functions/shared/observability.ts';

/**
 * SES bounce and complaint events of the configuration set, delivered by an EventBridge
 * rule (`source: aws.ses`, detail-type `Email Bounced` / `Email Complaint Received`): a
 * permanent bounce or a complaint pauses that person's reports.
 */
const eventSchema = z.object({ 'detail-type': z.string().optional(), detail: z.unknown() }).loose();

export async function onSesEvent(event: unknown): Promise<SesEventOutcome> {
  const parsed = eventSchema.safeParse(event);
  if (!parsed.success) throw new InputError('SES event: expected an EventBridge event with a detail');
  const outcome = await handleSesEvent(getRuntime().store, parseSesEvent(parsed.data.detail));
  if (outcome.paused.length > 0) metrics.addMetric('ReportsPausedBySes', MetricUnit.Count, outcome.paused.length);
  // Ids and counts only: recipients are people's addresses.
  logger.info('SES event handled', {
    detailType: parsed.data['detail-type'],
    kind: outcome.kind,
    paused: outcome.paused,
    unknown: outcome.unknown,
  });
  return outcome;
}

export const handler = lambdaHandler(onSesEvent);
