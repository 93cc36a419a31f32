// Seals secrets the desk must read back (webhook signing secrets, two-step sign-in secrets, directory and plug-in secrets) with AES-256-GCM when a key is configured.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/*
 * Threat model: a signing secret cannot be hashed like an API token, because we sign (outbound) or verify (inbound)
 * with it. With WEBHOOK_SECRETS_KEY set, a database dump or backup alone does not reveal secrets; someone who also has
 * the API or worker environment does. Without the key, secrets are stored plainly ("plain:" prefix) and database read
 * access is enough to forge deliveries to receivers: acceptable for a single-machine desk, not for a shared database.
 * Rows sealed under one mode stay readable after switching on a key (plain rows are read as such until rotated).
 */
export class SecretBox {
  constructor(private readonly key: Buffer | undefined) {}

  seal(secret: string): string {
    if (!this.key) return `plain:${secret}`;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return `v1:${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${data.toString('base64')}`;
  }

  open(sealed: string): string {
    if (sealed.startsWith('plain:')) return sealed.slice('plain:'.length);
    const [version, iv, tag, data] = sealed.split(':');
    if (version !== 'v1' || !iv || !tag || data === undefined) throw new Error('unreadable sealed secret');
    if (!this.key) throw new Error('a webhook secret is encrypted but WEBHOOK_SECRETS_KEY is not set');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
  }
}
