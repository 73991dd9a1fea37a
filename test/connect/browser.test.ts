import { describe, expect, it } from 'vitest';
import { openInBrowser } from '#lib/connect/browser.ts';

describe('openInBrowser', () => {
  it('refuses anything but a web URL, so a crafted link cannot launch a local program', async () => {
    await expect(openInBrowser('file:///etc/passwd')).rejects.toThrow(/non-web URL/);
    await expect(openInBrowser('javascript:alert(1)')).rejects.toThrow(/non-web URL/);
  });
});
