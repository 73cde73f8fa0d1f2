import { Injectable, OnModuleInit } from '@nestjs/common';
import { WecomCallbackEvent, WecomEventRegistry } from '@siyu/channels';
import { AfterCommit, BrandsService } from '@siyu/platform';
import { EntityManager } from 'typeorm';
import { AcquisitionStateRegistry, WelcomeContent } from '../acquisition-states.registry';
import { eventTime, text } from '../common/callback-fields';
import { WELCOME_WINDOW_MS } from '../welcome/welcome.constants';
import { WelcomeRenderer } from '../welcome/welcome-renderer';
import { WelcomeService } from '../welcome/welcome.service';
import { ChannelCodesService } from './channel-codes.service';
import { localClock } from './routing';

export const ACQUISITION_CONTACTS_HANDLER = 'acquisition.contacts';

const ADD_CHANGES = new Set(['add_external_contact', 'add_half_external_contact']);

/** What an add event's state stands for: a channel code, or a registry match (e.g. a referral). */
interface Source {
  kind: string;
  codeId: string | null;
  refId: string | null;
  sourceChannel: string | null;
  utm: Record<string, string>;
  tagIds: string[];
  welcome: WelcomeContent | null;
  /** False for a paused code: recorded, but not greeted, tagged or routed. */
  live: boolean;
  routes: boolean;
}

/**
 * `change_external_contact` / add_external_contact with a `state` that is a channel code's (or
 * that a registered resolver owns): runs after the communities handler in the same transaction
 * (this module imports communities, so its handler registers first), so the member exists.
 *
 * Records the acquisition row (unique per brand, staff, external_userid and event time: the same
 * event twice is recorded once and everything below happens once), gives the member the code's
 * source channel and first-touch UTM when they have none of their own yet, applies the tags,
 * counts the staff member's adds today, and writes the welcome row; after commit the welcome goes
 * on its own queue and the code is re-routed when its rule depends on adds.
 */
@Injectable()
export class ContactAddedHandler implements OnModuleInit {
  private readonly zones = new Map<string, { at: number; zone: string }>();

  constructor(
    private readonly events: WecomEventRegistry,
    private readonly states: AcquisitionStateRegistry,
    private readonly brands: BrandsService,
    private readonly renderer: WelcomeRenderer,
    private readonly welcomes: WelcomeService,
    private readonly codes: ChannelCodesService,
    private readonly afterCommit: AfterCommit,
  ) {}

  onModuleInit(): void {
    this.events.on('change_external_contact', (e, m) => this.handle(e, m), ACQUISITION_CONTACTS_HANDLER);
  }

  async handle(event: WecomCallbackEvent, m: EntityManager): Promise<void> {
    if (!event.changeType || !ADD_CHANGES.has(event.changeType)) return;
    const f = event.fields;
    const state = text(f.State);
    const staff = text(f.UserID);
    const external = text(f.ExternalUserID);
    if (!state || !staff || !external) return;
    const source = await this.source(m, event.brandId, state);
    if (!source) return;
    const addedAt = eventTime(event);
    const memberId = await this.member(m, event.brandId, external);

    const inserted: Array<{ id: string }> = await m.query(
      `INSERT INTO acquisition_contacts
         (brand_id, code_id, kind, ref_id, state, staff_userid, external_userid, member_id, source_channel, added_at, event_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (brand_id, staff_userid, external_userid, added_at) DO NOTHING
       RETURNING id::text AS id`,
      [
        event.brandId,
        source.codeId,
        source.kind,
        source.refId,
        state,
        staff,
        external,
        memberId,
        source.sourceChannel,
        addedAt,
        /^\d+$/.test(event.id) ? event.id : null,
      ],
    );
    if (inserted.length === 0) return; // the same add, delivered again
    const contactId = inserted[0].id;

    if (memberId) await this.touchMember(m, event.brandId, memberId, state, source);
    if (source.codeId) {
      const zone = await this.zone(event.brandId, m);
      await m.query(
        `INSERT INTO acquisition_code_staff_days (code_id, staff_userid, day, brand_id, adds) VALUES ($1, $2, $3, $4, 1)
         ON CONFLICT (code_id, staff_userid, day) DO UPDATE SET adds = acquisition_code_staff_days.adds + 1`,
        [source.codeId, staff, localClock(addedAt, zone).day, event.brandId],
      );
    }
    if (source.routes && source.codeId) {
      const codeId = source.codeId;
      await this.afterCommit.run(m, () => this.codes.requestRoute(event.brandId, codeId));
    }

    const welcomeCode = text(f.WelcomeCode, 256);
    if (!source.live || !source.welcome || !welcomeCode) return;
    const message = await this.renderer.render(m, event.brandId, memberId, contactId, source.welcome);
    if (!message) return;
    const [welcome]: Array<{ id: string }> = await m.query(
      `INSERT INTO acquisition_welcomes (brand_id, contact_id, welcome_code, message, received_at, expires_at)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6)
       ON CONFLICT (contact_id) DO NOTHING
       RETURNING id::text AS id`,
      [
        event.brandId,
        contactId,
        welcomeCode,
        JSON.stringify(message),
        event.receivedAt,
        new Date(addedAt.getTime() + WELCOME_WINDOW_MS),
      ],
    );
    if (welcome) await this.afterCommit.run(m, () => this.welcomes.enqueue(welcome.id, event.brandId));
  }

  /** The brand's time zone, kept a minute per process (the add path reads it on every add). */
  private async zone(brandId: string, m: EntityManager): Promise<string> {
    const hit = this.zones.get(brandId);
    if (hit && Date.now() - hit.at < 60_000) return hit.zone;
    const zone = (await this.brands.get(brandId, m)).timeZone;
    this.zones.set(brandId, { at: Date.now(), zone });
    return zone;
  }

  private async source(m: EntityManager, brandId: string, state: string): Promise<Source | null> {
    const [code]: Array<Record<string, unknown>> = await m.query(
      `SELECT id, source_channel, utm, tag_ids, welcome, status, routing_rule, daily_cap
         FROM acquisition_channel_codes WHERE brand_id = $1 AND state = $2 AND status <> 'deleted'`,
      [brandId, state],
    );
    if (code) {
      const live = code.status === 'active';
      return {
        kind: 'channel_code',
        codeId: code.id as string,
        refId: null,
        sourceChannel: (code.source_channel as string | null) ?? null,
        utm: (code.utm as Record<string, string>) ?? {},
        tagIds: live ? ((code.tag_ids as string[]) ?? []) : [],
        welcome: (code.welcome as WelcomeContent | null) ?? null,
        live,
        routes: live && (code.routing_rule === 'least_loaded' || code.daily_cap !== null),
      };
    }
    const resolver = this.states.forState(state);
    const match = resolver ? await resolver.resolve(brandId, state, m) : null;
    if (!match) return null;
    return {
      kind: match.kind.slice(0, 32),
      codeId: null,
      refId: match.refId.slice(0, 64),
      sourceChannel: match.sourceChannel,
      utm: match.utm,
      tagIds: match.tagIds,
      welcome: match.welcome,
      live: true,
      routes: false,
    };
  }

  /** The contact's member (the survivor of a merge), if it has one and it is not erased. */
  private async member(m: EntityManager, brandId: string, external: string): Promise<string | null> {
    const [row]: Array<{ id: string }> = await m.query(
      `SELECT COALESCE(mm.merged_into, mm.id) AS id
         FROM member_identities i JOIN members mm ON mm.id = i.member_id AND mm.brand_id = i.brand_id
        WHERE i.brand_id = $1 AND i.kind = 'external_userid' AND i.app_id = '' AND i.value = $2
          AND mm.erased_at IS NULL`,
      [brandId, external],
    );
    return row?.id ?? null;
  }

  /**
   * Source channel: set when the member has none of their own ('other'), or when they were created
   * by this very add (the communities handler creates them as 'wecom' in this transaction: created_at
   * is the transaction's now()). First-touch UTM: when absent, or when it is only the generic
   * wecom/contact_way/<state> the communities handler just gave them for this state.
   */
  private async touchMember(
    m: EntityManager,
    brandId: string,
    memberId: string,
    state: string,
    s: Source,
  ): Promise<void> {
    if (s.sourceChannel)
      await m.query(
        `UPDATE members SET source_channel = $3, updated_at = now()
          WHERE brand_id = $1 AND id = $2 AND erased_at IS NULL AND merged_into IS NULL
            AND (source_channel = 'other' OR (source_channel = 'wecom' AND created_at = now()))`,
        [brandId, memberId, s.sourceChannel],
      );
    await m.query(
      `UPDATE members SET utm_source = $4, utm_medium = $5, utm_campaign = $6, utm_content = $7, utm_term = $8,
              updated_at = now()
        WHERE brand_id = $1 AND id = $2 AND erased_at IS NULL AND merged_into IS NULL
          AND ((utm_source IS NULL AND utm_campaign IS NULL)
               OR (utm_source = 'wecom' AND utm_medium = 'contact_way' AND utm_campaign = $3
                   AND utm_content IS NULL AND utm_term IS NULL))`,
      [
        brandId,
        memberId,
        state,
        s.utm.source ?? s.sourceChannel ?? 'wecom',
        s.utm.medium ?? 'contact_way',
        s.utm.campaign ?? state,
        s.utm.content ?? null,
        s.utm.term ?? null,
      ],
    );
    if (s.tagIds.length > 0)
      await m.query(
        `INSERT INTO member_tags (member_id, tag_id, brand_id)
         SELECT $2, t.id, $1 FROM tags t WHERE t.brand_id = $1 AND t.id = ANY($3::uuid[])
         ON CONFLICT DO NOTHING`,
        [brandId, memberId, s.tagIds],
      );
  }
}
