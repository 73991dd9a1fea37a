import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { fetchTrusting } from './graph-client.ts';

/**
 * MSAL's transport (`system.networkClient`) over node:https with extra certificates
 * trusted besides the public roots: the emulator's self-signed certificate in tests, or a
 * TLS-inspecting proxy. MSAL's default client is Node's global fetch, which cannot take a
 * per-client trust store, and NODE_EXTRA_CA_CERTS is read only at start-up.
 */
export function msalNetworkTrusting(ca: string | string[]): INetworkModule {
  const send = fetchTrusting(ca);
  async function request<T>(url: string, method: 'GET' | 'POST', options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    const res = await send(url, { method, headers: options?.headers ?? {}, ...(options?.body !== undefined ? { body: options.body } : {}) });
    const headers: Record<string, string> = {};
    res.headers.forEach((value, key) => (headers[key] = value));
    const text = await res.text();
    // MSAL reads error bodies too (Azure AD's JSON); a non-JSON body (a proxy's HTML) is
    // handed over empty so MSAL reports the status rather than a parse failure.
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = {};
    }
    return { headers, body: body as T, status: res.status };
  }
  return {
    sendGetRequestAsync: <T>(url: string, options?: NetworkRequestOptions) => request<T>(url, 'GET', options),
    sendPostRequestAsync: <T>(url: string, options?: NetworkRequestOptions) => request<T>(url, 'POST', options),
  };
}
