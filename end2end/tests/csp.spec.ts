import { expect, type Page } from '@playwright/test';
import {
  befriend,
  composer,
  createPost,
  makeUser,
  open,
  openProfile,
  permalinkOf,
  postBy,
  signUp,
  submitTo,
  uniqueText,
  waitForLive,
  testWithSecondPage as test,
} from './helpers';
import { encodePng } from './png';

/**
 * The Content-Security-Policy (a nonce per response for Leptos' inline
 * scripts, 'wasm-unsafe-eval', blob: previews and workers, the live
 * socket) breaks nothing: every page hydrates and connects live with no
 * `securitypolicyviolation` event and no CSP error in the console.
 */

/** Records CSP violations on `page` (every document it loads) into the returned list. */
async function watchCsp(page: Page): Promise<string[]> {
  const seen: string[] = [];
  await page.exposeFunction('__hearthCspViolation', (report: string) => {
    seen.push(`${page.url()}: ${report}`);
  });
  await page.addInitScript(() => {
    document.addEventListener(
      'securitypolicyviolation',
      (e) => {
        const report = `${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber} ${e.sample}`;
        const send = (window as unknown as { __hearthCspViolation?: (r: string) => void }).__hearthCspViolation;
        if (send) send(report);
      },
      true,
    );
  });
  page.on('console', (msg) => {
    if (/content[- ]security[- ]policy/i.test(msg.text())) {
      seen.push(`${page.url()}: console ${msg.type()}: ${msg.text()}`);
    }
  });
  return seen;
}

/** Opens `path`, checks the response's CSP has a nonce the page's scripts carry, that it hydrated and is live. */
async function visit(page: Page, path: string): Promise<void> {
  const response = await page.goto(path);
  expect(response, path).not.toBeNull();
  const csp = (await response?.allHeaders())?.['content-security-policy'] ?? '';
  const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
  expect(nonce, `a nonce in the CSP of ${path}: ${csp}`).toBeTruthy();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 20_000 });
  await waitForLive(page);
  // Browsers hide nonce attributes from the DOM (`nonce` reads back empty
  // from getAttribute), but the property keeps it.
  const nonces = await page.evaluate(() =>
    Array.from(document.querySelectorAll('script:not([src])')).map((s) => (s as HTMLScriptElement).nonce),
  );
  expect(nonces.length, `inline scripts on ${path}`).toBeGreaterThan(0);
  for (const n of nonces) expect(n, path).toBe(nonce);
}

function colourPng(rgb: [number, number, number], width = 320, height = 240): Buffer {
  const row = width * 3 + 1;
  const raw = Buffer.alloc(row * height);
  for (let y = 0; y < height; y += 1) {
    raw[y * row] = 0;
    for (let x = 0; x < width; x += 1) {
      const shade = 1 - (0.5 * (x + y)) / (width + height);
      for (let c = 0; c < 3; c += 1) raw[y * row + 1 + x * 3 + c] = Math.round((rgb[c] ?? 0) * shade);
    }
  }
  return encodePng(width, height, raw);
}

test('every page hydrates and goes live without a CSP violation', async ({ page, pageB }) => {
  test.setTimeout(180_000);
  const seenA = await watchCsp(page);
  const seenB = await watchCsp(pageB);
  const a = makeUser();
  const b = makeUser();
  await signUp(page, a);
  await signUp(pageB, b);
  await befriend(page, a, pageB, b);

  // A post of A's, for its permalink.
  await open(page, '/');
  const article = await createPost(page, a, uniqueText('Checking the CSP'));
  const permalink = await permalinkOf(article);

  // A conversation between A and B.
  await openProfile(page, b);
  await page.getByRole('button', { name: 'Message', exact: true }).click();
  await expect(page).toHaveURL(/\/messages\/\d+$/);
  const conversation = new URL(page.url()).pathname;

  for (const path of [
    '/',
    `/u/${b.username}`,
    permalink,
    '/friends',
    '/people',
    '/search?q=x',
    '/settings',
    '/settings/security',
    '/settings/sessions',
    '/settings/account',
    '/messages',
    conversation,
    '/rooms',
    '/notifications',
    '/forgot-password',
  ]) {
    await visit(page, path);
  }
  // Late reports (the last page's socket, workers) have time to arrive.
  await page.waitForTimeout(500);
  expect(seenA, 'CSP violations for A').toEqual([]);
  expect(seenB, 'CSP violations for B').toEqual([]);
});

test('a photo post (blob: previews, placeholders, the viewer) raises no CSP violation', async ({ page }) => {
  test.setTimeout(90_000);
  const seen = await watchCsp(page);
  const a = makeUser();
  await signUp(page, a);
  await open(page, '/');
  const box = composer(page);
  await box.getByLabel('Add photos').setInputFiles([
    { name: 'sunset.png', mimeType: 'image/png', buffer: colourPng([230, 120, 40]) },
  ]);
  // The local preview is a blob: URL.
  const preview = box.locator('img[src^="blob:"]');
  await expect(preview.first()).toBeVisible();
  await expect(box.getByRole('progressbar')).toHaveCount(0, { timeout: 30_000 });
  await box.getByLabel('Alt text for photo 1').fill('An orange sunset');
  const text = uniqueText('Sunset under CSP');
  await box.getByLabel("What's on your mind?").fill(text);
  await submitTo(page, 'create_post', () => box.getByRole('button', { name: 'Post', exact: true }).click());
  const article = postBy(page, a, text);
  await expect(article).toBeVisible();
  const permalink = await permalinkOf(article);

  await visit(page, permalink);
  const mine = postBy(page, a, text);
  await mine.getByRole('button', { name: /^Open photo 1 of 1/ }).click();
  const viewer = page.getByRole('dialog');
  await expect(viewer.getByRole('img', { name: 'An orange sunset' })).toBeVisible();
  await expect
    .poll(() =>
      viewer
        .getByRole('img', { name: 'An orange sunset' })
        .evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth),
    )
    .toBeGreaterThan(0);
  await page.keyboard.press('Escape');
  await page.waitForTimeout(500);
  expect(seen, 'CSP violations').toEqual([]);
});
