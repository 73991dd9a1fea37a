/**
 * The provider side of an authorization-code flow with PKCE, as the connect flows (the
 * desktop loopback, the web callback) see it. Google implements it; Microsoft can too.
 */
export interface OAuthConsent<G extends ConnectedGrant = ConnectedGrant> {
  /** The URL that sends the user to the provider's consent screen. */
  authorizationUrl(request: AuthorizationRequest): string;
  /** Trades the code from the callback for tokens, refusing a grant Sinew may not keep. */
  exchangeCode(exchange: CodeExchange): Promise<G>;
}

export interface AuthorizationRequest {
  /** A signed state (state.ts). */
  state: string;
  /** S256 challenge of the verifier kept for `exchangeCode`. */
  codeChallenge: string;
  redirectUri: string;
  /** Pre-fills the account chooser, e.g. when reconnecting a known mailbox. */
  loginHint?: string;
}

export interface CodeExchange {
  code: string;
  codeVerifier: string;
  /** Must equal the one in the authorization request. */
  redirectUri: string;
}

/** What a successful connect yields, whatever the provider. */
export interface ConnectedGrant {
  /** Long-lived: seal it (TokenVault) before storing. */
  refreshToken: string;
  accessToken: string;
  /** Epoch milliseconds when the access token expires, when the provider says. */
  expiresAt: number | undefined;
  /** The mailbox's address, as the provider's identity token states it (and vouches for). */
  email: string;
  /**
   * The provider's immutable id of the account, where Sinew keys the account on it rather
   * than on the address: Microsoft's `tid/oid` (an address there is only an attribute).
   */
  subject?: string;
  /** The scopes actually granted (users can untick some on granular consent screens). */
  grantedScopes: string[];
}
