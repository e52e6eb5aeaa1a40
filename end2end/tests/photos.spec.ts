import { randomBytes } from 'node:crypto';
import { expect, type Locator, type Page } from '@playwright/test';
import {
  befriend,
  composer,
  makeUser,
  open,
  openProfile,
  postBy,
  signUp,
  submitTo,
  uniqueText,
  type User,
  waitForLive,
  testWithSecondPage as test,
} from './helpers';
import { encodePng } from './png';

/**
 * Photos on posts and in chat: uploading with progress, alt text, the grid
 * and the viewer, who may fetch a photo, and files that aren't photos.
 * Test images are PNGs made here, each of its own colours.
 */

// ---------------------------------------------------------------------------
// PNG files

/** A photo-like PNG: `rgb` shading diagonally to darker, with a light band. */
function colourPng(rgb: [number, number, number], width = 800, height = 600): Buffer {
  const row = width * 3 + 1;
  const raw = Buffer.alloc(row * height);
  for (let y = 0; y < height; y += 1) {
    raw[y * row] = 0;
    for (let x = 0; x < width; x += 1) {
      const shade = 1 - (0.45 * (x + y)) / (width + height);
      const band = Math.abs(y - height / 2) < height / 12 ? 60 : 0;
      for (let c = 0; c < 3; c += 1) {
        raw[y * row + 1 + x * 3 + c] = Math.min(255, Math.round((rgb[c] ?? 0) * shade) + band);
      }
    }
  }
  return encodePng(width, height, raw);
}

/** A PNG of random pixels, which doesn't compress: about width×height×3 bytes. */
function noisePng(width: number, height: number): Buffer {
  const row = width * 3 + 1;
  const raw = randomBytes(row * height);
  for (let y = 0; y < height; y += 1) raw[y * row] = 0;
  return encodePng(width, height, raw, 1);
}

interface FileSpec {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

function pngFile(name: string, buffer: Buffer): FileSpec {
  return { name, mimeType: 'image/png', buffer };
}

// ---------------------------------------------------------------------------
// Steps

/** Adds `files` with the composer's "Add photos" and waits until every upload has ended. */
async function addPhotos(page: Page, files: FileSpec[]): Promise<void> {
  const box = composer(page);
  await box.getByLabel('Add photos').setInputFiles(files);
  await expect(box.getByRole('button', { name: /^Remove photo \d+$/ })).toHaveCount(files.length);
  await expect(box.getByRole('progressbar')).toHaveCount(0, { timeout: 30_000 });
}

/** Posts the composer's text and photos; returns the new post by `author`. */
async function post(page: Page, author: User, text: string): Promise<Locator> {
  const box = composer(page);
  await box.getByLabel("What's on your mind?").fill(text);
  const button = box.getByRole('button', { name: 'Post', exact: true });
  await expect(button).toBeEnabled();
  await submitTo(page, 'create_post', () => button.click());
  const article = postBy(page, author, text);
  await expect(article).toBeVisible();
  return article;
}

/** Whether `img` has loaded and decoded a picture. */
async function expectLoaded(img: Locator): Promise<void> {
  await expect
    .poll(() => img.evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth))
    .toBeGreaterThan(0);
}

async function twoFriends(page: Page, pageB: Page): Promise<[User, User]> {
  const a = makeUser();
  const b = makeUser();
  await signUp(page, a);
  await signUp(pageB, b);
  await befriend(page, a, pageB, b);
  return [a, b];
}

// ---------------------------------------------------------------------------
// Tests

test('three photos with alt text: a friend sees the grid and steps through the viewer', async ({ page, pageB }) => {
  test.setTimeout(120_000);
  const [a] = await twoFriends(page, pageB);
  const alts = ['A red barn at dawn', 'A green field with a fence', 'A blue lake under clouds'];
  await open(page, '/');
  await addPhotos(page, [
    pngFile('barn.png', colourPng([220, 60, 50])),
    pngFile('field.png', colourPng([60, 190, 80])),
    pngFile('lake.png', colourPng([50, 90, 220])),
  ]);
  const box = composer(page);
  for (const [i, alt] of alts.entries()) {
    await box.getByLabel(`Alt text for photo ${i + 1}`).fill(alt);
  }
  const text = uniqueText('Weekend in the country');
  const mine = await post(page, a, text);
  await expect(mine.getByRole('button', { name: /^Open photo \d of 3/ })).toHaveCount(3);
  // The composer is empty again.
  await expect(box.getByRole('button', { name: /^Remove photo/ })).toHaveCount(0);

  await open(pageB, '/');
  const seen = postBy(pageB, a, text);
  await expect(seen).toBeVisible();
  const cells = seen.getByRole('button', { name: /^Open photo \d of 3/ });
  await expect(cells).toHaveCount(3);
  await expectLoaded(cells.first().getByRole('img'));

  await seen.getByRole('button', { name: `Open photo 1 of 3: ${alts[0]}` }).click();
  const viewer = pageB.getByRole('dialog');
  await expect(viewer).toBeVisible();
  await expect(viewer.getByText('Photo 1 of 3', { exact: true })).toBeVisible();
  await expect(viewer.getByText(alts[0] ?? '', { exact: true })).toBeVisible();
  await expectLoaded(viewer.getByRole('img', { name: alts[0] }));
  await expect(viewer.getByRole('button', { name: 'Close' })).toBeFocused();

  await pageB.keyboard.press('ArrowRight');
  await expect(viewer.getByText('Photo 2 of 3', { exact: true })).toBeVisible();
  await expect(viewer.getByText(alts[1] ?? '', { exact: true })).toBeVisible();
  await pageB.keyboard.press('ArrowRight');
  await expect(viewer.getByText('Photo 3 of 3', { exact: true })).toBeVisible();
  await pageB.keyboard.press('ArrowLeft');
  await expect(viewer.getByText('Photo 2 of 3', { exact: true })).toBeVisible();
  await expect(viewer.getByRole('img', { name: alts[1] })).toBeVisible();
  await viewer.getByRole('button', { name: 'Next photo' }).click();
  await expect(viewer.getByText(alts[2] ?? '', { exact: true })).toBeVisible();
  await viewer.getByRole('button', { name: 'Previous photo' }).click();
  await expect(viewer.getByText('Photo 2 of 3', { exact: true })).toBeVisible();

  await pageB.keyboard.press('Escape');
  await expect(viewer).toBeHidden();
  await expect(seen.getByRole('button', { name: /^Open photo 1 of 3/ })).toBeVisible();
});

test('someone who may not see the post gets 404 for its photo; the author can fix alt text and remove a photo', async ({
  page,
  pageB,
}) => {
  test.setTimeout(90_000);
  const a = makeUser();
  const c = makeUser();
  await signUp(page, a);
  await signUp(pageB, c);
  await open(page, '/');
  await addPhotos(page, [
    pngFile('one.png', colourPng([240, 170, 30])),
    pngFile('two.png', colourPng([150, 60, 200])),
  ]);
  await composer(page).getByLabel('Alt text for photo 1').fill('A yellow kite');
  const text = uniqueText('Only for friends');
  const article = await post(page, a, text);
  const img = article.getByRole('button', { name: /^Open photo 1 of 2/ }).getByRole('img');
  await expectLoaded(img);
  const src = (await img.getAttribute('src')) ?? '';
  expect(src).toMatch(/^\/media\/[0-9a-f]{32}\/(160|640|1280)\.jpg$/);
  const key = src.split('/')[2] ?? '';

  // A, the author, may fetch it; C, signed in but not a friend, may not.
  const mine = await page.request.get(src);
  expect(mine.status()).toBe(200);
  expect(mine.headers()['content-type']).toBe('image/jpeg');
  for (const slot of [160, 640, 1280]) {
    const theirs = await pageB.request.get(`/media/${key}/${slot}.jpg`);
    expect(theirs.status()).toBe(404);
  }

  // In "Edit post", A changes the first photo's alt text and removes the second.
  await article.getByText('Edit post', { exact: true }).click();
  const alt = article.getByRole('textbox', { name: 'Alt text for photo 1' });
  await expect(alt).toHaveValue('A yellow kite');
  await alt.fill('A yellow kite over the beach');
  await submitTo(page, 'update_photo_alt', () =>
    article.getByRole('button', { name: 'Save alt text for photo 1' }).click(),
  );
  await expect(article.getByRole('button', { name: 'Open photo 1 of 2: A yellow kite over the beach' })).toBeVisible();
  await submitTo(page, 'remove_post_photo', () =>
    article.getByRole('button', { name: 'Remove photo 2', exact: true }).click(),
  );
  await expect(article.getByRole('button', { name: /^Open photo/ })).toHaveCount(1);
  await expect(article.getByRole('button', { name: 'Open photo 1 of 1: A yellow kite over the beach' })).toBeVisible();
});

test('a large upload shows its progress while it is sent, and the post waits for it', async ({ page }) => {
  test.setTimeout(120_000);
  const a = makeUser();
  await signUp(page, a);
  await open(page, '/');
  const big = noisePng(1024, 1000); // about 3 MB
  expect(big.length).toBeGreaterThan(3_000_000);

  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 20,
    downloadThroughput: -1,
    uploadThroughput: 600 * 1024, // bytes per second: about 5 s for the file
  });

  const box = composer(page);
  await box.getByLabel("What's on your mind?").fill(uniqueText('Big one'));
  await box.getByLabel('Add photos').setInputFiles([pngFile('noise.png', big)]);
  const bar = box.getByRole('progressbar', { name: 'Uploading photo 1' });
  await expect(bar).toBeVisible();
  await expect(box.getByRole('button', { name: 'Post', exact: true })).toBeDisabled();
  // Part-way: more than nothing, less than all.
  await expect
    .poll(() => bar.evaluate((el) => (el as HTMLProgressElement).value), { timeout: 15_000 })
    .toBeGreaterThan(0.05);
  const partway = await bar.evaluate((el) => (el as HTMLProgressElement).value);
  expect(partway).toBeLessThan(1);

  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: -1,
  });
  await expect(bar).toBeHidden({ timeout: 60_000 });
  const text = uniqueText('A very noisy picture');
  const article = await post(page, a, text);
  await expect(article.getByRole('button', { name: 'Open photo 1 of 1' })).toBeVisible();
});

test('a photo sent in chat arrives on the other side and opens in the viewer', async ({ page, pageB }) => {
  test.setTimeout(120_000);
  const [, b] = await twoFriends(page, pageB);
  await openProfile(page, b);
  await page.getByRole('button', { name: 'Message', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: b.displayName })).toBeVisible();
  await waitForLive(page);
  const hello = uniqueText('Look at this');
  await page.getByLabel('Message', { exact: true }).fill(hello);
  await submitTo(page, 'send_message', () => page.getByRole('button', { name: 'Send', exact: true }).click());

  await open(pageB, '/messages');
  await pageB.getByRole('list', { name: 'Conversations' }).getByRole('link').first().click();
  const listB = pageB.getByRole('list', { name: 'Messages' });
  await expect(listB.getByText(hello)).toBeVisible();
  await waitForLive(pageB);

  await page.getByLabel('Add photo', { exact: true }).setInputFiles([pngFile('sunset.png', colourPng([250, 120, 40]))]);
  await expect(page.getByRole('button', { name: 'Remove photo', exact: true })).toBeVisible();
  await expect(page.getByRole('progressbar')).toHaveCount(0, { timeout: 30_000 });
  await page.getByLabel('Alt text for photo', { exact: true }).fill('An orange sunset');
  const caption = uniqueText('Sunset from the balcony');
  await page.getByLabel('Message', { exact: true }).fill(caption);
  await submitTo(page, 'send_message', () => page.getByRole('button', { name: 'Send', exact: true }).click());
  await expect(page.getByRole('button', { name: 'Remove photo', exact: true })).toHaveCount(0);

  const message = listB.getByRole('listitem').filter({ hasText: caption });
  await expect(message).toBeVisible();
  const photoButton = message.getByRole('button', { name: 'Open photo: An orange sunset' });
  await expectLoaded(photoButton.getByRole('img', { name: 'An orange sunset' }));
  await photoButton.click();
  const viewer = pageB.getByRole('dialog');
  await expect(viewer.getByText('Photo 1 of 1', { exact: true })).toBeVisible();
  await expectLoaded(viewer.getByRole('img', { name: 'An orange sunset' }));
  await viewer.getByRole('button', { name: 'Close' }).click();
  await expect(viewer).toBeHidden();
});

test('a file that is not a photo is refused beside it and can be removed', async ({ page }) => {
  test.setTimeout(60_000);
  const a = makeUser();
  await signUp(page, a);
  await open(page, '/');
  const svg = Buffer.from(
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>',
  );
  const html = Buffer.from('<!doctype html><title>Not a photo</title><p>Hello</p>');
  const box = composer(page);
  await box.getByLabel('Add photos').setInputFiles([
    pngFile('drawing.png', svg),
    pngFile('page.png', html),
    pngFile('real.png', colourPng([30, 160, 160], 320, 240)),
  ]);
  await expect(box.getByText("This file isn't a photo we can read", { exact: false })).toHaveCount(2);
  await expect(box.getByRole('progressbar')).toHaveCount(0, { timeout: 30_000 });
  await box.getByRole('button', { name: 'Remove photo 1', exact: true }).click();
  await box.getByRole('button', { name: 'Remove photo 1', exact: true }).click();
  await expect(box.getByText("This file isn't a photo we can read", { exact: false })).toHaveCount(0);
  // The real one is still there and posts on its own, without text.
  await expect(box.getByRole('button', { name: /^Remove photo/ })).toHaveCount(1);
  await submitTo(page, 'create_post', () => box.getByRole('button', { name: 'Post', exact: true }).click());
  const article = page.getByRole('article', { name: `Post by ${a.displayName}` }).first();
  await expect(article.getByRole('button', { name: 'Open photo 1 of 1' })).toBeVisible();
});

test('photos dropped on the composer or pasted into it are added and uploaded', async ({ page }) => {
  test.setTimeout(60_000);
  const a = makeUser();
  await signUp(page, a);
  await open(page, '/');
  const box = composer(page);
  const bytes = (rgb: [number, number, number]) => [...colourPng(rgb, 96, 64)];

  // A drop carries its files in a DataTransfer, as a drag from the desktop does.
  const dropped = await page.evaluateHandle((data) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(data)], 'dropped.png', { type: 'image/png' }));
    return dt;
  }, bytes([200, 40, 120]));
  await box.dispatchEvent('dragover', { dataTransfer: dropped });
  await box.dispatchEvent('drop', { dataTransfer: dropped });
  await expect(box.getByRole('button', { name: 'Remove photo 1', exact: true })).toBeVisible();

  // A paste of an image (e.g. a screenshot) into the text box.
  await box.getByLabel("What's on your mind?").evaluate((el, data) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(data)], 'pasted.png', { type: 'image/png' }));
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  }, bytes([40, 200, 120]));
  await expect(box.getByRole('button', { name: 'Remove photo 2', exact: true })).toBeVisible();
  await expect(box.getByRole('progressbar')).toHaveCount(0, { timeout: 30_000 });
  await expect(box.getByRole('alert').filter({ hasText: /\S/ })).toHaveCount(0);

  const text = uniqueText('Dropped and pasted');
  const article = await post(page, a, text);
  await expect(article.getByRole('button', { name: /^Open photo \d of 2/ })).toHaveCount(2);
});
