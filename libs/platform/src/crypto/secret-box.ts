import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Secrets at rest (WeCom and OA credentials, order sources' signing secrets): AES-256-GCM with a key
 * derived (HKDF-SHA256) from the deployment's key under a label of each user's own, so one user's
 * ciphertext never opens under another's key. The associated data binds a ciphertext to its row and
 * field (`context`), so a sealed value copied to another brand's row does not open there. Format:
 * `v1.<iv>.<tag>.<ciphertext>` (base64url); the version prefix leaves room for key rotation.
 */
export class SecretBox {
  private readonly key: Buffer;

  /** `label`: the HKDF salt and info of this kind of secret, e.g. ['siyu-channels', 'channel-secrets-v1']. */
  constructor(secret: string, label: readonly [salt: string, info: string]) {
    this.key = Buffer.from(hkdfSync('sha256', secret, label[0], label[1], 32));
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), ct]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  /** Throws when the value was sealed with another key or context, or was tampered with. */
  open(sealed: string, context: string): string {
    const [version, iv, tag, ct] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || ct === undefined) throw new Error('not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }
}
