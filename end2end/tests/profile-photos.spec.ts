import { expect, test as base, type Locator, type Page } from '@playwright/test';
import {
  befriend,
  createPost,
  logIn,
  makeUser,
  newNoJsContext,
  open,
  openProfile,
  postBy,
  profileLink,
  signUp,
  uniqueText,
  type User,
} from './helpers';
import { encodePng } from './png';

/**
 * Profile pictures and covers: the owner chooses a file, sees it previewed
 * in place, saves it (upload with progress, then `set_profile_photo`) or
 * removes it; the new avatar shows in the top bar and on their posts for
 * friends. Images are made here (PNG), so every run uploads fresh bytes.
 */

/** Image processing and the extra server round trips of a debug build. */
const PHOTO_TIMEOUT = 20_000;

// ---------------------------------------------------------------------------
// Test images

/**
 * A `width`×`height` PNG in colour `rgb`, lightening towards the right and
 * with a white diagonal band (so crops and variants are easy to tell apart).
 */
function png(width: number, height: number, rgb: [number, number, number]): Buffer {
  const row = width * 3 + 1;
  const raw = Buffer.alloc(row * height);
  for (let y = 0; y < height; y += 1) {
    raw[y * row] = 0; // filter: none
    for (let x = 0; x < width; x += 1) {
      const band = Math.abs(x - y * (width / height)) < width / 12;
      const light = (x / width) * 0.45;
      for (let i = 0; i < 3; i += 1) {
        const c = rgb[i] ?? 0;
        raw[y * row + 1 + x * 3 + i] = band ? 255 : Math.round(c + (255 - c) * light);
      }
    }
  }
  return encodePng(width, height, raw);
}

/** A PNG file for `setInputFiles`. */
function pngFile(name: string, rgb: [number, number, number], width = 300, height = 200) {
  return { name, mimeType: 'image/png', buffer: png(width, height, rgb) };
}

// ---------------------------------------------------------------------------
// Finding things

/** The header of `user`'s profile (cover, avatar, name and the owner's tools). */
function profileHeader(page: Page, user: User): Locator {
  return page.getByRole('region', { name: user.displayName, exact: true });
}

/** Stored photos are served at `/media/{32 hex digits}/{slot}.jpg`. */
const MEDIA_SRC = /\/media\/([0-9a-f]{32})\/\d+\.jpg$/;

/** The key of the stored photo an `img` shows. */
async function mediaKey(img: Locator): Promise<string> {
  await expect(img).toHaveAttribute('src', MEDIA_SRC, { timeout: PHOTO_TIMEOUT });
  const key = MEDIA_SRC.exec((await img.getAttribute('src')) ?? '')?.[1];
  expect(key).toBeTruthy();
  return key ?? '';
}

/** Waits until `img` has loaded a picture (not a broken image). */
async function expectLoaded(img: Locator): Promise<void> {
  await expect
    .poll(() => img.evaluate((el: HTMLImageElement) => (el.complete ? el.naturalWidth : 0)), {
      timeout: PHOTO_TIMEOUT,
    })
    .toBeGreaterThan(0);
}

/** Chooses `file` with the "Change …" file input labelled `label` on the own profile. */
async function choose(page: Page, label: string, file: ReturnType<typeof pngFile>): Promise<void> {
  const input = page.getByLabel(label, { exact: true });
  await expect(input).toBeEnabled();
  await input.setInputFiles(file);
}

const test = base.extend<{ pageB: Page }>({
  pageB: async ({ browser }, use) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await use(page);
    await context.close();
  },
});

test('an avatar shows on the profile, in the top bar and on posts for friends', async ({
  page,
  pageB,
}) => {
  test.slow(); // Two sign-ups and image processing.
  const a = makeUser();
  const b = makeUser();
  await signUp(page, a);
  await signUp(pageB, b);
  await befriend(page, a, pageB, b);

  await openProfile(page, a);
  const header = profileHeader(page, a);
  await expect(header.getByRole('button', { name: 'Remove profile picture' })).toHaveCount(0);

  // Choosing a file previews it in place; nothing is sent yet.
  await choose(page, 'Change profile picture', pngFile('me.png', [200, 40, 90]));
  const preview = header.getByRole('img', { name: 'Your new profile picture (not saved yet)' });
  await expect(preview).toBeVisible();
  await expectLoaded(preview);
  await expect(header.getByRole('button', { name: 'Cancel', exact: true })).toBeVisible();
  await expect(page.getByLabel('Change profile picture', { exact: true })).toBeHidden();

  // Saving uploads it; the page and the top bar show it without a reload.
  await header.getByRole('button', { name: 'Save profile picture' }).click();
  const topBarAvatar = profileLink(page, a.displayName).locator('img');
  const key = await mediaKey(topBarAvatar);
  await expectLoaded(topBarAvatar);
  const profileAvatar = header.locator(`img[src*="/media/${key}/"]`);
  await expect(profileAvatar).toBeVisible({ timeout: PHOTO_TIMEOUT });
  await expectLoaded(profileAvatar);
  await expect(preview).toHaveCount(0);
  await expect(header.getByRole('button', { name: 'Remove profile picture' })).toBeVisible();

  // A posts; friend B sees A's avatar on the post.
  await open(page, '/');
  const text = uniqueText('New profile picture');
  await createPost(page, a, text);
  await open(pageB, '/');
  const post = postBy(pageB, a, text);
  await expect(post).toBeVisible();
  const postAvatar = post.locator(`img[src*="/media/${key}/"]`);
  await expect(postAvatar).toBeVisible();
  await expectLoaded(postAvatar);
});

test('a cover is set, then removed and the placeholder returns', async ({ page }) => {
  test.slow(); // Image processing in a debug build.
  const a = makeUser();
  await signUp(page, a);
  await openProfile(page, a);
  const header = profileHeader(page, a);
  const placeholder = header.locator('img[src="/img/cover.svg"]');
  await expect(placeholder).toBeVisible();
  await expect(header.getByRole('button', { name: 'Remove cover photo' })).toHaveCount(0);

  // Cancel drops the chosen file.
  await choose(page, 'Change cover photo', pngFile('wide.png', [30, 110, 190], 600, 200));
  const preview = header.getByRole('img', { name: 'Your new cover photo (not saved yet)' });
  await expect(preview).toBeVisible();
  await header.getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect(preview).toHaveCount(0);
  await expect(placeholder).toBeVisible();

  // Saving shows the upload's progress (held back here so it can be seen).
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  await page.route((url) => url.pathname === '/api/media', async (route) => {
    await held;
    await route.continue();
  });
  await choose(page, 'Change cover photo', pngFile('cover.png', [30, 110, 190], 600, 200));
  await expect(preview).toBeVisible();
  await header.getByRole('button', { name: 'Save cover photo' }).click();
  await expect(page.getByRole('progressbar', { name: 'Uploading cover photo' })).toBeVisible();
  await expect(header.getByRole('button', { name: 'Save cover photo' })).toBeDisabled();
  release();

  const cover = header.locator('img[src*="/media/"]');
  await mediaKey(cover);
  await expectLoaded(cover);
  await expect(placeholder).toHaveCount(0);
  await expect(page.getByRole('progressbar', { name: 'Uploading cover photo' })).toHaveCount(0);

  // Removing it brings the placeholder back.
  await header.getByRole('button', { name: 'Remove cover photo' }).click();
  await expect(placeholder).toBeVisible({ timeout: PHOTO_TIMEOUT });
  await expect(header.locator('img[src*="/media/"]')).toHaveCount(0);
  await expect(header.getByRole('button', { name: 'Remove cover photo' })).toHaveCount(0);

  // And it stays removed.
  await openProfile(page, a);
  await expect(placeholder).toBeVisible();
});

test('a file that is not a photo is refused', async ({ page }) => {
  const a = makeUser();
  await signUp(page, a);
  await openProfile(page, a);
  const header = profileHeader(page, a);
  await choose(page, 'Change profile picture', {
    name: 'photo.png',
    mimeType: 'image/png',
    buffer: Buffer.from('<!doctype html><html><body><h1>Not a photo</h1></body></html>'),
  });
  await expect(
    page.getByRole('alert').filter({ hasText: "This file isn't a photo we can read" }),
  ).toBeVisible({ timeout: PHOTO_TIMEOUT });
  await expect(header.getByRole('button', { name: 'Save profile picture' })).toBeHidden();
  await expect(header.locator('img[src*="/media/"]')).toHaveCount(0);
  await expect(profileLink(page, a.displayName).locator('img[src*="/media/"]')).toHaveCount(0);
});

test('without JavaScript the photos show and "Remove" still works', async ({ page, browser }) => {
  test.slow(); // A sign-up, a log-in and image processing.
  const a = makeUser();
  await signUp(page, a);
  await openProfile(page, a);
  await choose(page, 'Change profile picture', pngFile('me.png', [20, 150, 90]));
  await profileHeader(page, a).getByRole('button', { name: 'Save profile picture' }).click();
  const key = await mediaKey(profileLink(page, a.displayName).locator('img'));

  const context = await newNoJsContext(browser);
  try {
    const noJs = await context.newPage();
    await logIn(noJs, a);
    await openProfile(noJs, a);
    const header = profileHeader(noJs, a);
    const avatar = header.locator(`img[src*="/media/${key}/"]`);
    await expect(avatar).toBeVisible();
    await expectLoaded(avatar);
    // Choosing a file needs JavaScript: the input says so by being disabled.
    await expect(noJs.getByLabel('Change profile picture', { exact: true })).toBeDisabled();
    await expect(noJs.getByLabel('Change cover photo', { exact: true })).toBeDisabled();

    // "Remove" is a plain form: the server redirects back to the profile.
    await header.getByRole('button', { name: 'Remove profile picture' }).click();
    await noJs.waitForLoadState('load');
    await expect(header.locator('img[src="/img/avatar.svg"]')).toBeVisible({ timeout: PHOTO_TIMEOUT });
    await expect(header.locator('img[src*="/media/"]')).toHaveCount(0);
    await expect(header.getByRole('button', { name: 'Remove profile picture' })).toHaveCount(0);
  } finally {
    await context.close();
  }
});
