import { spawn } from 'node:child_process';

/**
 * Opens a URL in the user's browser with the platform's own opener. Resolves once the opener
 * started (not when the page loaded); rejects when there is none (a server, a container), so
 * the caller can fall back to printing the URL.
 */
export function openInBrowser(url: string, platform: NodeJS.Platform = process.platform): Promise<void> {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return Promise.reject(new Error(`refusing to open a non-web URL (${parsed.protocol})`));
  }
  // Arguments, never a shell line: a URL full of '&' must reach the opener whole. On Windows,
  // rundll32 avoids `cmd /c start`, which would split the URL at each '&'.
  const [command, args] =
    platform === 'darwin'
      ? ['open', [url]]
      : platform === 'win32'
        ? ['rundll32', ['url.dll,FileProtocolHandler', url]]
        : ['xdg-open', [url]];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.once('error', (err) => reject(new Error(`could not start ${command} to open the browser: ${err.message}`)));
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}
