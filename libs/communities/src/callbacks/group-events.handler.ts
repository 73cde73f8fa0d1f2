import { Injectable, Logger } from '@nestjs/common';
import type { WecomCallbackEvent } from '@siyu/channels';
import { EntityManager } from 'typeorm';
import { EXTERNAL_USERID, MembershipType } from '../communities.constants';
import { GroupStore, LockedGroup } from '../group-store';
import { WecomGroupsReader } from '../wecom-groups.reader';
import { eventTime, int, memChangeList, text } from './callback-fields';

/**
 * `change_external_chat`: a customer group was created, changed or dismissed.
 *
 * - `create`, and `update` with change_owner / change_name / change_notice (the callback names
 *   what changed, not the new value): the group is read again with groupchat/get and applied whole.
 * - `update` add_member / del_member: applied from the callback itself (MemChangeList, JoinScene,
 *   QuitScene, CreateTime) when it can be: the group is known, the list is complete
 *   (MemChangeCnt), every joiner can be told staff from customer (customers' ids start with wm/wo,
 *   staff are known), and the member version follows on (LastMemVer is the version we hold).
 *   Otherwise the group is read again, which is always right.
 * - `dismiss`: the group is marked dismissed and every open stay ends at CreateTime.
 *
 * Idempotent: the same event again finds the person already in (or out), the group already
 * dismissed, or the same snapshot. A fetch that fails with a retryable or rate-limit error throws,
 * so the event is retried; a permanent one (no permission, the chat is gone) flags the group for
 * the next sync instead of failing the event forever.
 */
@Injectable()
export class GroupEventsHandler {
  private readonly logger = new Logger(GroupEventsHandler.name);

  constructor(
    private readonly store: GroupStore,
    private readonly reader: WecomGroupsReader,
  ) {}

  async handle(event: WecomCallbackEvent, m: EntityManager): Promise<void> {
    const chatId = text(event.fields.ChatId);
    if (!chatId || chatId.length > 64) return;
    const at = eventTime(event);
    switch (event.changeType) {
      case 'create':
        return this.refresh(m, event.brandId, chatId, true);
      case 'dismiss': {
        const group = await this.store.lockGroup(m, event.brandId, chatId, false);
        if (group) await this.store.dismiss(m, event.brandId, group, at);
        return;
      }
      case 'update':
        return this.update(m, event, chatId, at);
      default:
        return;
    }
  }

  private async update(m: EntityManager, event: WecomCallbackEvent, chatId: string, at: Date): Promise<void> {
    const f = event.fields;
    const detail = text(f.UpdateDetail);
    if (detail !== 'add_member' && detail !== 'del_member')
      return this.refresh(m, event.brandId, chatId, true);
    const group = await this.store.lockGroup(m, event.brandId, chatId, true);
    if (!group || group.status === 'dismissed') return;
    if (!group.syncedAt) return this.refresh(m, event.brandId, chatId, true);
    const list = memChangeList(f.MemChangeList);
    const count = int(f.MemChangeCnt);
    if (!list || (count !== null && count > list.length)) return this.refresh(m, event.brandId, chatId, true);
    const lastVersion = text(f.LastMemVer);
    const version = text(f.CurMemVer);
    if (group.memberVersion && lastVersion && group.memberVersion !== lastVersion) {
      // Already applied (a refresh after it saw it), or a change we have not seen came between.
      if (version && version === group.memberVersion) return;
      return this.refresh(m, event.brandId, chatId, true);
    }
    if (detail === 'del_member') {
      await this.store.removeMembers(m, group, event.brandId, list, at, int(f.QuitScene), version);
      return;
    }
    const people = await this.classify(m, event.brandId, list);
    if (!people) return this.refresh(m, event.brandId, chatId, true);
    await this.store.addMembers(m, event.brandId, group, people, at, int(f.JoinScene), version);
  }

  /** Customers by their id's prefix, staff when we know them; null when one cannot be told. */
  private async classify(
    m: EntityManager,
    brandId: string,
    userids: string[],
  ): Promise<Array<{ userid: string; type: MembershipType }> | null> {
    const rows: Array<{ userid: string }> = await m.query(
      `SELECT userid FROM community_staff WHERE brand_id = $1 AND userid = ANY($2::text[])`,
      [brandId, userids],
    );
    const staff = new Set(rows.map((r) => r.userid));
    const out: Array<{ userid: string; type: MembershipType }> = [];
    for (const userid of userids) {
      if (staff.has(userid)) out.push({ userid, type: 'staff' });
      else if (EXTERNAL_USERID.test(userid)) out.push({ userid, type: 'external' });
      else return null;
    }
    return out;
  }

  /** Reads the group with groupchat/get and applies it whole. */
  private async refresh(m: EntityManager, brandId: string, chatId: string, create: boolean): Promise<void> {
    const access = await this.reader.access(brandId);
    if (!access) return;
    const asOf = new Date();
    const read = await this.reader.get(access, chatId);
    if (read.kind === 'ok') {
      await this.store.applySnapshots(m, brandId, [read.snapshot], asOf);
      return;
    }
    const f = read.failure;
    if (f.class === 'permanent') {
      const group: LockedGroup | null = await this.store.lockGroup(
        m,
        brandId,
        chatId,
        create && read.kind !== 'gone',
      );
      if (group) await this.store.markNeedsRefresh(m, group.id);
      this.logger.warn(
        { brandId, chatId, errcode: f.errcode },
        `group ${chatId} could not be read (${f.errcode} ${f.errmsg}); left for the next sync`,
      );
      return;
    }
    throw new Error(`${f.api} for ${chatId}: ${f.class} ${f.errcode ?? ''} ${f.errmsg}`.trim());
  }
}
