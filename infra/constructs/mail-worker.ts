import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { SinewConfig } from '#infra/config.ts';
import { reportWorkerConcurrency } from '#lib/mail/pace.ts';
import type { SinewData } from './data.ts';
import type { SinewFunction } from './function.ts';
import type { JobQueue } from './job-queue.ts';
import type { SesSending } from './mail.ts';
import type { SinewSecrets } from './secrets.ts';

/**
 * What the two services that mail people from a queue in waves (the weekly report, DESIGN
 * section 1, and the meeting brief, section 9) share: their props, their worker's
 * environment, and the worker's grants and capped consumption of its queue.
 */

export interface MailServiceProps {
  readonly config: SinewConfig;
  readonly data: SinewData;
  readonly secrets: SinewSecrets;
  readonly mail: SesSending;
  /** Public base URL for the signed links in the email (notes, answers, unsubscribe). */
  readonly baseUrl: string;
  /** Where schedule (and rule) invocations that failed every retry go. */
  readonly eventDeadLetterQueue: IQueue;
}

/** The environment of a mailing worker: the table, links, sender, SES rate, the note key and the team view. */
export function mailWorkerEnvironment({ config, data, secrets, mail, baseUrl }: MailServiceProps): Record<string, string> {
  return {
    SINEW_TABLE_NAME: data.table.tableName,
    SINEW_LINK_SECRET_ARN: secrets.linkSigning.secretArn,
    SINEW_BASE_URL: baseUrl,
    SINEW_SENDER: mail.senderAddress,
    SINEW_SES_CONFIGURATION_SET: mail.configurationSet.configurationSetName,
    // Each worker spaces its sends so the capped workers together keep to the account's rate.
    SINEW_SES_SEND_RATE: String(config.sesSendRate),
    // Opens notes (DESIGN section 9): the key notes are sealed with, under their own context.
    SINEW_TOKEN_KEY_ARN: data.tokenKey.keyArn,
    // CDK context team=on (DESIGN section 10).
    ...(config.team ? { SINEW_TEAM: 'on' } : {}),
  };
}

/**
 * A mailing worker's grants beyond the table (each service grants its own): it opens notes,
 * never a token, and seals nothing; reads the link key; sends as the sender. It consumes
 * its queue five at a time, at most `reportWorkerConcurrency(sesSendRate)` at once, each
 * pacing its sends (lib/mail/pace.ts), so a wave keeps to SES's sending rate (README,
 * Fleet simulation).
 */
export function wireMailWorker({ config, data, secrets, mail }: MailServiceProps, queue: JobQueue, worker: SinewFunction): void {
  data.grantNoteKey(worker, 'open');
  secrets.linkSigning.grantRead(worker);
  mail.grantSend(worker);
  queue.consumeWith(worker, { batchSize: 5, maxConcurrency: reportWorkerConcurrency(config.sesSendRate) });
}
