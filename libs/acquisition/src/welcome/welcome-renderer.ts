import { Injectable } from '@nestjs/common';
import type { WecomAttachment, WecomMessage } from '@siyu/channels';
import { LinksService, randomLinkCode } from '@siyu/conversions';
import { CouponIssuingService } from '@siyu/coupons';
import type { EntityManager } from 'typeorm';
import type { WelcomeContent } from '../acquisition-states.registry';

const COUPON_VAR = '{{coupon}}';

/**
 * Renders a welcome for one new contact, in the add event's transaction, so the worker only has
 * to send it:
 * - a tracked link becomes the contact's own short code (a link code bound to the member, so clicks
 *   and orders attribute to them), sent as a link card;
 * - a coupon is issued to the member from the template (idempotent per acquisition row) and its code
 *   replaces `{{coupon}}` in the text (appended on a line of its own when the text has no placeholder);
 *   a refused issue (budget spent, per-member limit) leaves the coupon out;
 * - images and mini-program cards go as they are.
 */
@Injectable()
export class WelcomeRenderer {
  constructor(
    private readonly links: LinksService,
    private readonly coupons: CouponIssuingService,
  ) {}

  async render(
    m: EntityManager,
    brandId: string,
    memberId: string | null,
    contactId: string,
    welcome: WelcomeContent,
  ): Promise<WecomMessage | null> {
    let text = welcome.text ?? '';
    const attachments: WecomAttachment[] = [];
    const couponCodes: string[] = [];
    for (const a of welcome.attachments) {
      switch (a.type) {
        case 'link': {
          const card = await this.linkCard(m, brandId, memberId, a.linkId);
          if (card)
            attachments.push({
              msgtype: 'link',
              link: { title: a.title ?? card.title, url: card.url, ...(a.desc ? { desc: a.desc } : {}) },
            });
          break;
        }
        case 'coupon': {
          if (!memberId) break;
          const r = await this.coupons.issueInTransaction(m, {
            brandId,
            templateId: a.templateId,
            memberId,
            source: 'manual',
            sourceRef: `acquisition-welcome-${contactId}`,
          });
          if (r.ok) couponCodes.push(r.code);
          break;
        }
        case 'image':
          attachments.push({ msgtype: 'image', image: { media_id: a.mediaId } });
          break;
        case 'miniprogram':
          attachments.push({
            msgtype: 'miniprogram',
            miniprogram: { title: a.title, pic_media_id: a.picMediaId, appid: a.appid, page: a.page },
          });
          break;
      }
    }
    if (text.includes(COUPON_VAR)) text = text.split(COUPON_VAR).join(couponCodes.join(' '));
    else if (couponCodes.length > 0) text = [text, ...couponCodes].filter((s) => s !== '').join('\n');
    if (!text && attachments.length === 0) return null;
    return { ...(text ? { text } : {}), ...(attachments.length > 0 ? { attachments } : {}) };
  }

  /** The contact's own short URL for a tracked link (the link's shared code when the member is unknown). */
  private async linkCard(
    m: EntityManager,
    brandId: string,
    memberId: string | null,
    linkId: string,
  ): Promise<{ url: string; title: string } | null> {
    const [link]: Array<{ code: string; name: string | null; destination: string }> = await m.query(
      `SELECT code, name, destination FROM tracked_links WHERE brand_id = $1 AND id = $2`,
      [brandId, linkId],
    );
    if (!link) return null;
    const title = link.name ?? link.destination.slice(0, 128);
    if (!memberId) return { url: this.links.shortUrl(link.code), title };
    for (let attempt = 0; attempt < 4; attempt++) {
      const code = randomLinkCode();
      const rows: unknown[] = await m.query(
        `INSERT INTO link_codes (code, brand_id, link_id, member_id) VALUES ($1, $2, $3, $4)
         ON CONFLICT (code) DO NOTHING RETURNING code`,
        [code, brandId, linkId, memberId],
      );
      if (rows.length > 0) return { url: this.links.shortUrl(code), title };
    }
    return { url: this.links.shortUrl(link.code), title };
  }
}
