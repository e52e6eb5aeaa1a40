// Takes the README's screenshots of a running Hearth with demo data
// (`server seed-demo`): node screenshots.mjs [baseURL] [outDir]
import { chromium } from '@playwright/test';

const base = process.argv[2] ?? 'http://127.0.0.1:3000';
const out = process.argv[3] ?? '../docs';
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
for (const [name, opts] of [
  ['feed', { viewport: { width: 1280, height: 900 } }],
  ['feed-phone-dark', { viewport: { width: 375, height: 800 }, colorScheme: 'dark' }],
  ['landing', { viewport: { width: 1280, height: 800 } }],
]) {
  const context = await browser.newContext(opts);
  const page = await context.newPage();
  await page.goto(base);
  if (name !== 'landing') {
    const login = page.getByRole('region', { name: 'Log in' });
    await login.getByLabel('Username or email').fill('elza_doyle_0');
    await login.getByLabel('Password').fill('hearth-demo-password');
    await login.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('region', { name: 'Create a post' }).waitFor();
  }
  // Photos and avatars load lazily after the page: wait for those in view.
  await page.waitForFunction(() =>
    [...document.images]
      .filter((img) => img.getBoundingClientRect().top < window.innerHeight)
      .every((img) => img.complete && img.naturalWidth > 0),
  );
  await page.screenshot({ path: `${out}/${name}.png` });
  await context.close();
}
await browser.close();
