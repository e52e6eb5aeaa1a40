import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from '@playwright/test';
import {
  befriend,
  composer,
  makeUser,
  open,
  postBy,
  signUp,
  submitTo,
  uniqueText,
  waitForLive,
  testWithSecondPage as test,
} from './helpers';

/**
 * Video posts: a clip made here with ffmpeg's test sources is uploaded in
 * 5 MiB tus chunks with a progress bar, survives a network cut, is
 * processed with live "Processing N %", and plays for a friend through
 * HLS in Chromium; a stranger can't load its playlist.
 */

/** A 1280×720 clip of `seconds` with a tone, at a high bit rate so it spans several chunks. */
function clip(seconds: number): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-video-'));
  const out = join(dir, 'holiday.mp4');
  execFileSync('ffmpeg', [
    '-nostdin', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30',
    '-f', 'lavfi', '-i', 'sine=frequency=440',
    '-t', String(seconds),
    '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '9M', '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-shortest', out,
  ]);
  return readFileSync(out);
}

test.describe.configure({ timeout: 180_000 });

test('a video uploads through a network cut, processes, and plays for a friend only', async ({
  page,
  pageB,
  browser,
}) => {
  const ann = makeUser({ firstName: 'Ann' });
  const bob = makeUser({ firstName: 'Bob' });
  await signUp(page, ann);
  await signUp(pageB, bob);
  await befriend(page, ann, pageB, bob);

  const video = clip(12);
  expect(video.length).toBeGreaterThan(6 * 1024 * 1024);

  // Cut the network once, on the second chunk: the upload retries and
  // still reaches 100 %.
  let patches = 0;
  let cut = false;
  await page.route('**/api/videos/uploads/*', async (route) => {
    if (route.request().method() === 'PATCH') {
      patches += 1;
      if (patches === 2 && !cut) {
        cut = true;
        await route.abort('internetdisconnected');
        return;
      }
    }
    await route.continue();
  });

  await open(page, '/');
  await waitForLive(page);
  const box = composer(page);
  await box.getByLabel('Add video').setInputFiles({
    name: 'holiday.mp4',
    mimeType: 'video/mp4',
    buffer: video,
  });
  const bar = box.getByRole('progressbar', { name: /Uploading holiday\.mp4/ });
  await expect(bar).toBeVisible();
  await expect(box.getByText(/\d+ %/).first()).toBeVisible();
  const post = box.getByRole('button', { name: 'Post', exact: true });
  await expect(post).toBeEnabled({ timeout: 60_000 });
  expect(cut).toBe(true);
  expect(patches).toBeGreaterThanOrEqual(3);

  const caption = uniqueText('Our holiday');
  await box.getByLabel("What's on your mind?").fill(caption);
  await submitTo(page, 'create_post', () => post.click());
  const mine = postBy(page, ann, caption);
  await expect(mine.getByText(/Processing/)).toBeVisible();
  await expect(mine.getByRole('button', { name: 'Play video' })).toBeVisible({ timeout: 120_000 });

  // Bob, a friend, plays it through HLS.
  await open(pageB, '/');
  const his = postBy(pageB, ann, caption);
  await expect(his).toBeVisible({ timeout: 15_000 });
  await his.getByRole('button', { name: 'Play video' }).click();
  const player = his.locator('video');
  await expect(player).toBeVisible();
  await expect
    .poll(async () => player.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 30_000 })
    .toBeGreaterThan(2);
  const height = await player.evaluate((v: HTMLVideoElement) => v.videoHeight);
  expect(height).toBeGreaterThanOrEqual(360);
  const quality = his.getByLabel('Quality');
  await expect(quality.locator('option')).toHaveText(['Auto', '720p', '360p']);
  await quality.selectOption({ label: '360p' });

  // The playlist URL, for a stranger: 404.
  const master = await player.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .map((e) => e.name)
      .find((n) => n.endsWith('/master.m3u8')),
  );
  expect(master).toBeTruthy();
  const strangerContext = await browser.newContext();
  const stranger = await strangerContext.newPage();
  await signUp(stranger, makeUser({ firstName: 'Sam' }));
  const res = await stranger.request.get(master as string);
  expect(res.status()).toBe(404);
  await strangerContext.close();
});

test('an upload paused and left by a reload resumes where it stopped', async ({ page }) => {
  const ann = makeUser({ firstName: 'Ann' });
  await signUp(page, ann);
  const video = clip(12);
  const file = { name: 'holiday.mp4', mimeType: 'video/mp4', buffer: video };

  // Slow each chunk down so there is time to pause after the first.
  const offsets: number[] = [];
  await page.route('**/api/videos/uploads/*', async (route) => {
    if (route.request().method() === 'PATCH') {
      offsets.push(Number(route.request().headers()['upload-offset']));
      await new Promise((r) => setTimeout(r, 700));
    }
    await route.continue();
  });
  await open(page, '/');
  let box = composer(page);
  await box.getByLabel('Add video').setInputFiles(file);
  await expect.poll(() => offsets.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
  await box.getByRole('button', { name: 'Pause' }).click();
  await expect(box.getByText(/Paused/)).toBeVisible();

  // Leave and come back: the composer offers to resume.
  await open(page, '/');
  box = composer(page);
  const offer = box.getByRole('group', { name: 'Unfinished video upload' });
  await expect(offer.getByText('Resume uploading holiday.mp4?')).toBeVisible();
  offsets.length = 0;
  const chooser = page.waitForEvent('filechooser');
  await offer.getByRole('button', { name: 'Resume upload' }).click();
  await (await chooser).setFiles(file);
  await expect(box.getByRole('button', { name: 'Post', exact: true })).toBeEnabled({ timeout: 60_000 });
  expect(offsets[0]).toBeGreaterThanOrEqual(5 * 1024 * 1024);
  await expect(box.getByText(/100 %/)).toBeVisible();
});
