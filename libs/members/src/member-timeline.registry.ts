import { Injectable } from '@nestjs/common';

/**
 * Timeline entries another lib keeps in a table of its own (a tier change is a `tier_changes` row)
 * rather than copying each into `member_events`: the timeline reads them where they are.
 */
export interface MemberTimelineSource {
  /**
   * A word; the API's id of an entry is `<name>:<ref>`, or `<name>:<id>` when `ref` is NULL
   * (member_events ids stay bare numbers).
   */
  name: string;
  /**
   * SQL yielding the member's entries as columns `id` (bigint, unique within the source among the
   * member's entries of one `occurred_at`: the keyset's tie-breaker), `ref` (text or NULL), `type`,
   * `data` (jsonb: ids, amounts and field names only), `actor_type`, `actor_id`, `occurred_at`, for
   * member `$2` of brand `$1` (scoped by both). It should read an index on the member.
   */
  select: string;
}

/**
 * Where libs plug their own rows into the member timeline (tiers registers its `tier_changes` from
 * its module's onModuleInit) without members depending on them.
 */
@Injectable()
export class MemberTimelineRegistry {
  private readonly registered = new Map<string, MemberTimelineSource>();

  register(source: MemberTimelineSource): void {
    if (!/^[a-z][a-z0-9_]*$/.test(source.name)) throw new Error(`bad timeline source name: ${source.name}`);
    this.registered.set(source.name, source);
  }

  /** In registration order; an entry's source number is its index + 1 (member_events is 0). */
  sources(): MemberTimelineSource[] {
    return [...this.registered.values()];
  }
}
