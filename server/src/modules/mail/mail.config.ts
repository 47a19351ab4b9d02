/** How the app sends email: SMTP_URL and MAIL_FROM (see the README's configuration table). */
export interface MailConfig {
  /** smtp://user:pass@host:587 or smtps://…:465; null keeps every message in the outbox. */
  smtpUrl: string | null;
  /** The From header, e.g. `Constellation <mentoring@example.com>`. */
  from: string;
}

export function loadMailConfig(env: NodeJS.ProcessEnv, publicUrl: string): MailConfig {
  const smtpUrl = env.SMTP_URL?.trim() || null;
  if (smtpUrl) {
    let url: URL;
    try {
      url = new URL(smtpUrl);
    } catch {
      throw new Error('SMTP_URL must be a URL such as smtp://user:password@mail.example.com:587 (or smtps://… for TLS from the start)');
    }
    if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new Error(`SMTP_URL must start with smtp:// or smtps://, got "${url.protocol}//…"`);
  }
  const from = env.MAIL_FROM?.trim() || defaultMailFrom(publicUrl);
  if (/[\r\n]/.test(from) || !from.includes('@')) throw new Error('MAIL_FROM must be one address, e.g. "Constellation <mentoring@example.com>"');
  return { smtpUrl, from };
}

/** The SMTP URL without its password, for logs. */
export function redactSmtpUrl(smtpUrl: string): string {
  const url = new URL(smtpUrl);
  if (url.password) url.password = '***';
  return url.toString();
}

export function defaultMailFrom(publicUrl: string): string {
  return `Constellation <no-reply@${new URL(publicUrl).hostname}>`;
}
