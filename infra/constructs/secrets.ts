import { RemovalPolicy, SecretValue, Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface SinewSecretsProps {
  /**
   * What happens to the secrets when the stack is deleted.
   * @default RemovalPolicy.RETAIN (the OAuth client secrets were typed in by hand)
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The placeholder an OAuth client secret is created with. It holds no secret: the admin
 * replaces it after deploy (README, Deploying), and until then the connect page answers
 * with functions/shared/runtime.ts's "not filled in" message.
 */
export const OAUTH_SECRET_PLACEHOLDER = JSON.stringify({ clientId: '', clientSecret: '' });

/** Length of the generated link-signing key (runtime.ts requires at least 32). */
export const LINK_SECRET_LENGTH = 64;

/**
 * The secrets of DESIGN section 1 "Connect": the Google and Microsoft OAuth clients
 * (`{"clientId","clientSecret"}`, filled in by the admin) and the key that signs OAuth
 * state and email links (generated at deploy, never seen by anyone).
 */
export class SinewSecrets extends Construct {
  readonly googleClient: Secret;
  readonly microsoftClient: Secret;
  readonly linkSigning: Secret;

  constructor(scope: Construct, id: string, props: SinewSecretsProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    const oauthClient = (name: string, provider: string): Secret => {
      const secret = new Secret(this, name, {
        description: `Sinew: ${provider} OAuth client, JSON {"clientId":"...","clientSecret":"..."}; fill in after deploy`,
        // A placeholder, not a secret (see OAUTH_SECRET_PLACEHOLDER).
        secretStringValue: SecretValue.unsafePlainText(OAUTH_SECRET_PLACEHOLDER),
        removalPolicy,
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: `The ${provider} OAuth client secret is issued by ${provider}'s console; Secrets Manager cannot rotate it. The admin replaces it there and pastes it here (cached 5 minutes by the functions, so no deploy is needed).`,
      });
      return secret;
    };
    this.googleClient = oauthClient('GoogleClient', 'Google');
    this.microsoftClient = oauthClient('MicrosoftClient', 'Microsoft');

    this.linkSigning = new Secret(this, 'LinkSigning', {
      description: 'Sinew: HMAC key of signed OAuth state and email links (generated)',
      generateSecretString: { passwordLength: LINK_SECRET_LENGTH, excludePunctuation: true },
      removalPolicy,
    });
    Validations.of(this.linkSigning).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the link-signing key would invalidate every link in emails already sent (mute, snooze, unsubscribe stay valid for weeks) and every OAuth flow in progress; links expire on their own (lib/links/token.ts LINK_TTL_MS).',
    });
  }
}
