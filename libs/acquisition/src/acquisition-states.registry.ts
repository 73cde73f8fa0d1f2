import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** One attachment of a welcome message (WeCom allows text plus up to 9 attachments). */
export type WelcomeAttachment =
  /** A Siyu tracked link (conversions), sent as a link card with the contact's own short code. */
  | { type: 'link'; linkId: string; title?: string; desc?: string }
  /** A coupon of this template issued to the new member, sent as a link card to the coupon. */
  | { type: 'coupon'; templateId: string }
  /** An image already uploaded to WeCom (media_id). */
  | { type: 'image'; mediaId: string }
  /** A mini-program card. */
  | { type: 'miniprogram'; appid: string; page: string; title: string; picMediaId: string };

export interface WelcomeContent {
  text: string | null;
  attachments: WelcomeAttachment[];
}

/**
 * What an add-contact event's `state` stands for when it is not one of the channel codes'
 * own states: e.g. a referral (fission) member's personal contact way. The channel-code handler
 * treats a match exactly like a channel code: it creates or links the member with this source
 * channel and UTM, applies the tags, and sends the welcome through the welcome priority path.
 */
export interface AcquisitionStateMatch {
  /** Who owns the state, e.g. `referral`. */
  kind: string;
  /** The owner's row id (e.g. the referral invite way's id), kept on the contact's acquisition record. */
  refId: string;
  sourceChannel: string | null;
  utm: Record<string, string>;
  tagIds: string[];
  welcome: WelcomeContent | null;
}

export interface AcquisitionStateResolver {
  /** States this resolver owns start with this prefix (e.g. `rf_`); channel codes may not use it. */
  readonly prefix: string;
  resolve(brandId: string, state: string, manager: EntityManager): Promise<AcquisitionStateMatch | null>;
}

/**
 * Extension point between the acquisition pieces: referral (fission) registers a resolver for its
 * state prefix from its module's onModuleInit; the add-contact handler asks it for states that are
 * not channel codes. Prefixes are reserved: creating a channel code with a reserved prefix is refused.
 */
@Injectable()
export class AcquisitionStateRegistry {
  private readonly resolvers = new Map<string, AcquisitionStateResolver>();

  register(resolver: AcquisitionStateResolver): void {
    if (this.resolvers.has(resolver.prefix))
      throw new Error(`an acquisition state resolver for ${resolver.prefix} is already registered`);
    this.resolvers.set(resolver.prefix, resolver);
  }

  /** The resolver whose prefix `state` starts with, if any. */
  forState(state: string): AcquisitionStateResolver | undefined {
    for (const [prefix, r] of this.resolvers) if (state.startsWith(prefix)) return r;
    return undefined;
  }

  isReserved(state: string): boolean {
    return this.forState(state) !== undefined;
  }
}
