import { ReportQuery } from '../report-runner';
import { counted } from './report-sql';

export interface GroupChatRow {
  group_id: string;
  chat_id: string;
  name: string;
  status: string;
  members: number;
  joined: number;
  active_buyers: number;
  orders: number;
  gmv_minor: string;
  net_minor: string;
}

export const GROUP_CHAT_COLUMNS = [
  'group_id',
  'chat_id',
  'name',
  'status',
  'members',
  'joined',
  'active_buyers',
  'orders',
  'gmv_minor',
  'net_minor',
] as const;

/**
 * Per group chat. $1 brand, $2 start, $3 end, $4 row limit (NULL: all, for the export).
 * - members: external people in the group at the range's end (joined before it, not left by it);
 *   joined: external people who joined during the range.
 * - active_buyers: linked members with ≥ 1 counted order placed in the range while they were in
 *   the group (joined_at ≤ placed_at < left_at); orders: those orders.
 * - gmv_minor: Σ amount of those orders; net_minor: Σ (amount − refunded).
 * A member in two groups counts in both, so groups do not add up to the brand's totals.
 * Groups dismissed before the range are left out.
 */
export function groupChatsQuery(params: unknown[]): ReportQuery {
  const sql = `
WITH stays AS (
  SELECT gm.group_id, gm.member_id, gm.joined_at, gm.left_at
    FROM community_group_members gm
   WHERE gm.brand_id = $1 AND gm.member_type = 'external' AND gm.member_id IS NOT NULL
     AND gm.joined_at < $3 AND (gm.left_at IS NULL OR gm.left_at > $2)
), hits AS (
  SELECT DISTINCT s.group_id, o.id, o.member_id, o.amount_minor, o.refunded_minor
    FROM stays s
    JOIN orders o ON o.member_id = s.member_id AND o.brand_id = $1
   WHERE ${counted('o')} AND o.placed_at >= $2 AND o.placed_at < $3
     AND o.placed_at >= s.joined_at AND (s.left_at IS NULL OR o.placed_at < s.left_at)
), sales AS (
  SELECT group_id, count(DISTINCT member_id)::int AS buyers, count(*)::int AS orders,
         sum(amount_minor)::bigint AS gmv, sum(amount_minor - refunded_minor)::bigint AS net
    FROM hits GROUP BY group_id
), people AS (
  SELECT gm.group_id,
         count(*) FILTER (WHERE gm.joined_at < $3 AND (gm.left_at IS NULL OR gm.left_at >= $3))::int AS members,
         count(*) FILTER (WHERE gm.joined_at >= $2 AND gm.joined_at < $3)::int AS joined
    FROM community_group_members gm
   WHERE gm.brand_id = $1 AND gm.member_type = 'external'
   GROUP BY gm.group_id
)
SELECT g.id AS group_id, g.chat_id, g.name, g.status, COALESCE(p.members, 0) AS members, COALESCE(p.joined, 0) AS joined,
       COALESCE(s.buyers, 0) AS active_buyers, COALESCE(s.orders, 0) AS orders,
       COALESCE(s.gmv, 0)::text AS gmv_minor, COALESCE(s.net, 0)::text AS net_minor
  FROM community_groups g
  LEFT JOIN sales s ON s.group_id = g.id
  LEFT JOIN people p ON p.group_id = g.id
 WHERE g.brand_id = $1 AND (g.dismissed_at IS NULL OR g.dismissed_at >= $2)
 ORDER BY COALESCE(s.gmv, 0) DESC, COALESCE(p.members, 0) DESC, g.id
 LIMIT $4`;
  return { sql, params };
}

export interface GroupChatFigure {
  groupId: string;
  chatId: string;
  name: string;
  status: string;
  members: number;
  joined: number;
  activeBuyers: number;
  orders: number;
  gmvMinor: string;
  netMinor: string;
}

export const shapeGroupChat = (r: GroupChatRow): GroupChatFigure => ({
  groupId: r.group_id,
  chatId: r.chat_id,
  name: r.name,
  status: r.status,
  members: r.members,
  joined: r.joined,
  activeBuyers: r.active_buyers,
  orders: r.orders,
  gmvMinor: r.gmv_minor,
  netMinor: r.net_minor,
});
