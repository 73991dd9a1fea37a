import { Stack, Token, Validations } from 'aws-cdk-lib';
import { EventBus, type EventPattern } from 'aws-cdk-lib/aws-events';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  ConfigurationSet,
  ConfigurationSetTlsPolicy,
  EasyDkimSigningKeyLength,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  DkimIdentity,
  Identity,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import type { SinewFunction } from './function.ts';

export interface SesSendingProps {
  /** The From address of every email. */
  readonly senderAddress: string;
  /**
   * Verify this domain (Easy DKIM, 2048-bit) instead of the single address; the sender
   * must be inside it.
   * @default - the sender address itself is the identity
   */
  readonly domain?: string;
}

/** SES's EventBridge detail types for the events the configuration set forwards. */
export const SES_EVENT_DETAIL_TYPES = ['Email Bounced', 'Email Complaint Received'] as const;

/**
 * SES v2 sending (DESIGN section 1 "Report"): a configuration set with reputation
 * metrics, the account-level suppression list for bounces and complaints and TLS required
 * (the reports name a person's contacts), the sending identity, and an event destination
 * that forwards bounces and complaints to the default EventBridge bus.
 */
export class SesSending extends Construct {
  readonly configurationSet: ConfigurationSet;
  readonly identity: EmailIdentity;
  readonly senderAddress: string;
  /** The SES identity name: the domain, or the sender address. */
  readonly identityName: string;

  constructor(scope: Construct, id: string, props: SesSendingProps) {
    super(scope, id);
    this.senderAddress = props.senderAddress;
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      tlsPolicy: ConfigurationSetTlsPolicy.REQUIRE,
    });
    this.configurationSet.addEventDestination('ToEventBridge', {
      destination: EventDestination.eventBus(EventBus.fromEventBusName(this, 'DefaultBus', 'default')),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    });
    this.identityName = props.domain ?? props.senderAddress;
    this.identity = new EmailIdentity(this, 'Identity', {
      identity: props.domain ? Identity.domain(props.domain) : Identity.email(props.senderAddress),
      configurationSet: this.configurationSet,
      ...(props.domain ? { dkimIdentity: DkimIdentity.easyDkim(EasyDkimSigningKeyLength.RSA_2048_BIT) } : {}),
    });
  }

  /** The EventBridge pattern of this configuration set's bounces and complaints. */
  bounceAndComplaintPattern(): EventPattern {
    return {
      source: ['aws.ses'],
      detailType: [...SES_EVENT_DETAIL_TYPES],
      detail: { mail: { tags: { 'ses:configuration-set': [this.configurationSet.configurationSetName] } } },
    };
  }

  /**
   * Lets `grantee` send with SES v2 from the sender address, through this configuration
   * set only. The identity resource is `identity/*` because SES also authorizes each
   * recipient's identity while the account is in the sandbox; the From address is pinned
   * by condition.
   */
  grantSend(sender: SinewFunction): void {
    const stack = Stack.of(this);
    sender.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['ses:SendEmail'],
        resources: [
          stack.formatArn({ service: 'ses', resource: 'identity', resourceName: '*' }),
          stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: this.configurationSet.configurationSetName }),
        ],
        conditions: { StringEquals: { 'ses:FromAddress': this.senderAddress } },
      }),
    );
    Validations.of(sender.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${identityWildcard(stack)}]`,
      reason:
        'SES authorizes SendEmail against the sender identity and, while the account is in the SES sandbox, against each recipient identity too; the ses:FromAddress condition pins the From address to the configured sender.',
    });
  }
}

/** The identity wildcard ARN as cdk-nag prints it: pseudo parameters as `<AWS::...>`, known values literally. */
function identityWildcard(stack: Stack): string {
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  return `arn:<AWS::Partition>:ses:${region}:${account}:identity/*`;
}
