import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../src/index.js';

describe('headless Chromium through playwright-core', () => {
  let browser: Browser;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(
        '<h1 id="t">Wrapped</h1><button onclick="document.getElementById(\'t\').textContent=\'clicked\'">go</button>',
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('renders a local page, runs its script on a click and takes a screenshot', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    expect(await page.textContent('#t')).toBe('Wrapped');
    await page.click('button');
    expect(await page.textContent('#t')).toBe('clicked');
    const png = await page.screenshot();
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeGreaterThan(1000);
  });
});
