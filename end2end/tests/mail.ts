import { createHmac } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';

/**
 * Mail as the SMTP sink received it: scripts/test.sh runs Debian's
 * python3-aiosmtpd, which stores every mail in the Maildir named by
 * HEARTH_E2E_MAILDIR.
 */
export interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

const MAILDIR = process.env.HEARTH_E2E_MAILDIR;

async function allMail(): Promise<Mail[]> {
  if (!MAILDIR) throw new Error('HEARTH_E2E_MAILDIR is not set (scripts/test.sh sets it)');
  const dir = join(MAILDIR, 'new');
  let names: string[] = [];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const mails: Mail[] = [];
  for (const name of names) {
    const parsed = await simpleParser(await readFile(join(dir, name)));
    const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
    mails.push({
      to: to?.value[0]?.address ?? '',
      subject: parsed.subject ?? '',
      text: parsed.text ?? '',
      html: typeof parsed.html === 'string' ? parsed.html : '',
    });
  }
  return mails;
}

/** Waits (up to 20 s) for a mail to `to` whose subject contains `subject`. */
export async function waitForMail(to: string, subject: string): Promise<Mail> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const found = (await allMail()).find((m) => m.to === to && m.subject.includes(subject));
    if (found) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no mail to ${to} about "${subject}"`);
}

/** The path and query of the first link to `path` in the mail's text part. */
export function linkIn(mail: Mail, path: string): string {
  const match = mail.text.match(new RegExp(`https?://[^\\s/]+(${path}\\?token=[A-Za-z0-9_-]+)`));
  if (!match?.[1]) throw new Error(`no ${path} link in: ${mail.text}`);
  return match[1];
}

function base32Decode(input: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of input.replace(/[\s=-]/g, '').toUpperCase()) {
    const v = alphabet.indexOf(c);
    if (v < 0) throw new Error(`not base32: ${c}`);
    bits += v.toString(2).padStart(5, '0');
  }
  const bytes: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The 30-second time step of `ms` (RFC 6238 with T0 = 0). */
export function totpStep(ms: number = Date.now()): number {
  return Math.floor(ms / 1000 / 30);
}

/** The 6-digit TOTP code (RFC 6238, HMAC-SHA1) of a base32 `secret` for `step`. */
export function totp(secret: string, step: number = totpStep()): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return value.toString().padStart(6, '0');
}
