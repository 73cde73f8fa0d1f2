import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  ChannelAdapters,
  ChannelException,
  ChannelFailure,
  ChannelMessage,
  ChannelRecipient,
  ChannelTaskRef,
  pollBackoffMs,
  RecipientOutcome,
} from '@siyu/channels';
import { AppConfig, AuditService, DomainException, systemActor } from '@siyu/platform';
import { DataSource, EntityManager } from 'typeorm';
import { CampaignAudienceSql, memberTimeZones } from './campaign-audience';
import { CampaignJobs, PlannedJob } from './campaign-jobs';
import { CampaignLedger, claimGateShared, DeliveryOutcome, lockClaimGate } from './campaign-ledger';
import { CampaignRenderer, ClaimedRow } from './campaign-renderer';
import {
  CHUNK_SIZE,
  CLAIM_SIZE,
  LOCAL_TIME_TOLERANCE_MS,
  ANALYZE_AFTER_ROWS,
  OA_SEND_SLICE,
  OPEN_DELIVERY_STATUSES,
  sqlList,
} from './campaigns.constants';
import { MemberValues, variantSql } from './content/campaign-content';
import { Campaign } from './entities/campaign.entity';
import { quietHoursEnd, startOfLocalDay, zoneSchedules } from './schedule/campaign-time';

/** What a job should do next: done, or wait until `at` (the processor defers the job). */
export type StepResult = { kind: 'done'; note: string } | { kind: 'wait'; at: Date; note: string };

interface BrandRules {
  time_zone: string;
  quiet_hours_start: string | null;
  quiet_hours_end: string | null;
  frequency_cap_count: number;
  frequency_cap_window_hours: number;
}

/** WeCom counts its per-customer and per-group broadcast limits per China natural day. */
const WECOM_DAY_ZONE = 'Asia/Shanghai';

const done = (note: string): StepResult => ({ kind: 'done', note });
const wait = (at: Date, note: string): StepResult => ({ kind: 'wait', at, note });

/**
 * The campaign engine (worker side): snapshot the audience into the delivery ledger at the start,
 * then per chunk claim rows, apply the send-time rules, render, send through the channel adapter
 * and record each recipient's outcome; poll WeCom tasks for their results; finish cancelled
 * campaigns. Every step is safe to run twice (rows are claimed with `UPDATE … RETURNING`, outcomes
 * only apply to rows still `sending`), so a killed worker or a lost job only delays the work.
 */
/** Time zones in quiet hours now, and when they end (member-time-zone campaigns). */
interface HeldZones {
  zones: string[];
  until: Date[];
}

const NO_HOLD: HeldZones = { zones: [], until: [] };

@Injectable()
export class CampaignEngine {
  private readonly logger = new Logger(CampaignEngine.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly config: AppConfig,
    private readonly adapters: ChannelAdapters,
    private readonly audienceSql: CampaignAudienceSql,
    private readonly ledger: CampaignLedger,
    private readonly renderer: CampaignRenderer,
    private readonly jobs: CampaignJobs,
    private readonly audit: AuditService,
  ) {}

  // ── start: the audience snapshot ────────────────────────────────────────────────────────────

  async start(campaignId: string, version: number): Promise<StepResult> {
    let planned: PlannedJob[] = [];
    let snapshotRows = 0;
    let result: StepResult;
    try {
      result = await this.ds.transaction(async (m) => {
        const c = await m.getRepository(Campaign).findOne({
          where: { id: campaignId },
          lock: { mode: 'pessimistic_write' },
        });
        if (!c || c.status !== 'scheduled' || c.scheduleVersion !== version)
          return done(`not scheduled at version ${version}`);
        if (c.sendAt && c.sendAt.getTime() > Date.now()) return wait(c.sendAt, 'not yet time');
        const started = Date.now();
        const size = await this.snapshot(m, c);
        snapshotRows = size;
        const snapshotMs = Date.now() - started;
        await lockClaimGate(m, c.brandId);
        await m.query(
          `UPDATE campaigns SET status = 'sending', started_at = now(), audience_size = $2, snapshot_ms = $3,
                  updated_at = now() WHERE id = $1`,
          [c.id, size, snapshotMs],
        );
        await this.audit.record(m, systemActor(c.brandId), {
          action: 'campaign.sending',
          entityType: 'campaign',
          entityId: c.id,
          before: { status: 'scheduled' },
          after: { status: 'sending', audienceSize: size, snapshotMs },
        });
        planned = await this.openChunkJobs(m, c.id, c.round);
        if (planned.length === 0) await this.completeIfDone(m, c.id);
        return done(`snapshot of ${size} recipient(s) in ${snapshotMs} ms`);
      });
    } catch (err) {
      if (!(err instanceof DomainException)) throw err;
      await this.fail(campaignId, err.message);
      return done(`failed: ${err.message}`);
    }
    await this.jobs.add(planned);
    if (snapshotRows >= ANALYZE_AFTER_ROWS) await this.analyzeLedger(campaignId, snapshotRows);
    return result;
  }

  /**
   * Fresh ledger statistics after a large snapshot: the claims, caps and progress queries of the
   * campaign that follows are planned on them, and autovacuum's analyze (when it runs at all; it is
   * off on some machines) comes a while later. A few hundred milliseconds against minutes of sending.
   */
  private async analyzeLedger(campaignId: string, rows: number): Promise<void> {
    try {
      await this.ds.query(`ANALYZE campaign_deliveries`);
    } catch (err) {
      this.logger.warn(
        { err: (err as Error).message, campaignId, rows },
        'ANALYZE after the snapshot failed',
      );
    }
  }

  /**
   * INSERT … SELECT of the audience into the ledger and, in the same statement, its chunks from the
   * rows the insert returns (ranges, totals and per variant:status counts; a chunk with nothing to
   * send is done at once): the million rows are written once and not read back. Answers the
   * recipient count.
   */
  private async snapshot(m: EntityManager, c: Campaign): Promise<number> {
    const params: unknown[] = [c.id, c.brandId];
    const audience = await this.audienceSql.build(c, params);
    const variant = variantSql(
      'r.recipient_key',
      '$1::uuid',
      c.variants.map((v) => v.weight),
    );
    const local = c.memberTimeZone ? await this.localTimes(m, c, params) : null;
    const order = local
      ? 'ORDER BY lt.at NULLS FIRST, r.sender NULLS FIRST, r.recipient_key'
      : c.channel === 'oa'
        ? ''
        : 'ORDER BY r.sender NULLS FIRST, r.recipient_key';
    // A member-time-zone campaign: each row waits for its zone's instant (not_before); one whose
    // instant passed more than LOCAL_TIME_TOLERANCE_MS ago is skipped rather than sent late.
    const skip = local
      ? `COALESCE(r.skip_reason, CASE WHEN lt.at < now() - ${local.tolerance} THEN 'local_time_passed' END)`
      : 'r.skip_reason';
    params.push(CHUNK_SIZE[c.channel]);
    const chunkSize = `$${params.length}::int`;
    // A chunk's job waits for the earliest local time among its rows still to send (rows were
    // inserted in local-time order, so a chunk's rows are close in time).
    const [{ n }]: Array<{ n: string }> = await m.query(
      `WITH ins AS (
         INSERT INTO campaign_deliveries
                (campaign_id, brand_id, recipient_key, member_id, group_id, variant, address, sender, status, reason,
                 not_before, time_zone)
         SELECT $1::uuid, $2::uuid, r.recipient_key, r.member_id, r.group_id, ${variant}, r.address, r.sender,
                CASE WHEN ${skip} IS NULL THEN 'pending' ELSE 'skipped' END, ${skip},
                ${local ? `CASE WHEN ${skip} IS NULL AND lt.at > now() THEN lt.at END, lt.zone` : 'NULL, NULL'}
           FROM (${audience}) r
           ${local ? `LEFT JOIN unnest(${local.zones}::text[], ${local.ats}::timestamptz[]) AS lt(zone, at) ON lt.zone = COALESCE(r.time_zone, ${local.fallback}::text)` : ''}
           ${order}
         ON CONFLICT (campaign_id, recipient_key) DO NOTHING
         RETURNING id, variant, status, not_before),
       s AS (SELECT id, variant, status, not_before,
                    (row_number() OVER (ORDER BY id) - 1) / ${chunkSize} AS chunk_no FROM ins),
       g AS (SELECT chunk_no, variant || ':' || status AS k, status, count(*) AS n, min(id) AS lo, max(id) AS hi,
                    bool_or(not_before IS NULL) AS due_now, min(not_before) AS not_before
               FROM s GROUP BY chunk_no, variant, status),
       ch AS (
         INSERT INTO campaign_chunks (campaign_id, chunk_no, first_id, last_id, total, counts, status, not_before)
         SELECT $1::uuid, chunk_no, min(lo), max(hi), sum(n), jsonb_object_agg(k, n),
                CASE WHEN bool_or(status IN (${sqlList(OPEN_DELIVERY_STATUSES)})) THEN 'open' ELSE 'done' END,
                CASE WHEN bool_or(status = 'pending' AND due_now) THEN NULL
                     ELSE min(not_before) FILTER (WHERE status = 'pending') END
           FROM g GROUP BY chunk_no
         RETURNING total)
       SELECT coalesce(sum(total), 0) AS n FROM ch`,
      params,
    );
    return Number(n);
  }

  /**
   * The send instant of each time zone among the brand's members (and the campaign's own zone, for
   * members without one), as bind parameters of the snapshot.
   */
  private async localTimes(m: EntityManager, c: Campaign, params: unknown[]) {
    const brand = await this.brandRules(c.brandId);
    const fallback = c.timeZone ?? brand.time_zone;
    const plan = zoneSchedules(
      c.sendAtLocal as string,
      [fallback, ...(await memberTimeZones(m, c.brandId))],
      c.quietHoursExempt ? null : { start: brand.quiet_hours_start, end: brand.quiet_hours_end },
    );
    params.push(
      plan.map((p) => p.timeZone),
      plan.map((p) => p.at),
      fallback,
    );
    const n = params.length;
    return {
      zones: `$${n - 2}`,
      ats: `$${n - 1}`,
      fallback: `$${n}`,
      tolerance: `interval '${LOCAL_TIME_TOLERANCE_MS} milliseconds'`,
    };
  }

  private async openChunkJobs(m: EntityManager, campaignId: string, round: number): Promise<PlannedJob[]> {
    const rows: Array<{ id: string; not_before: Date | null }> = await m.query(
      `SELECT id, not_before FROM campaign_chunks WHERE campaign_id = $1 AND status = 'open' ORDER BY id`,
      [campaignId],
    );
    return rows.map((r) => ({
      job: { kind: 'chunk', campaignId, chunkId: String(r.id) },
      round,
      runAt: r.not_before,
    }));
  }

  /** A campaign that cannot be sent as it stands (its segment deleted, its OA app gone…). */
  private async fail(campaignId: string, reason: string): Promise<void> {
    await this.ds.transaction(async (m) => {
      const [rows]: [Array<{ brand_id: string; status: string }>] = await m.query(
        `UPDATE campaigns SET status = 'failed', failure_reason = $2, completed_at = now(), updated_at = now()
          WHERE id = $1 AND status IN ('scheduled', 'sending') RETURNING brand_id, status`,
        [campaignId, reason],
      );
      if (rows[0])
        await this.audit.record(m, systemActor(rows[0].brand_id), {
          action: 'campaign.failed',
          entityType: 'campaign',
          entityId: campaignId,
          after: { status: 'failed', reason },
        });
    });
  }

  // ── chunk: claim, check, render, send, record ───────────────────────────────────────────────

  async processChunk(campaignId: string, chunkId: string): Promise<StepResult> {
    const [chunk]: Array<{ first_id: string; last_id: string; status: string }> = await this.ds.query(
      `SELECT first_id, last_id, status FROM campaign_chunks WHERE id = $1 AND campaign_id = $2`,
      [chunkId, campaignId],
    );
    if (!chunk || chunk.status === 'done') return done('chunk already done');
    const c = await this.ds.getRepository(Campaign).findOneBy({ id: campaignId });
    if (!c || c.status !== 'sending') return done(`campaign is ${c?.status ?? 'gone'}`);
    const brand = await this.brandRules(c.brandId);

    const range = { first: chunk.first_id, last: chunk.last_id };
    // A member-time-zone campaign keeps quiet hours in each member's zone: rows of a zone that is
    // in them now are left for later; others send.
    const held =
      c.memberTimeZone && !c.quietHoursExempt ? await this.quietZones(brand, c.id, range) : NO_HOLD;
    if (!c.quietHoursExempt && !c.memberTimeZone) {
      const end = quietHoursEnd(new Date(), brand.time_zone, brand.quiet_hours_start, brand.quiet_hours_end);
      if (end) {
        await this.ds.query(
          `UPDATE campaigns SET held_until = $2 WHERE id = $1 AND held_until IS DISTINCT FROM $2`,
          [c.id, end],
        );
        const recheck = new Date(Date.now() + this.config.get('CAMPAIGN_HOLD_RECHECK_MS'));
        return wait(end < recheck ? end : recheck, `held by quiet hours until ${end.toISOString()}`);
      }
    }
    if (c.heldUntil) await this.ds.query(`UPDATE campaigns SET held_until = NULL WHERE id = $1`, [c.id]);

    if (c.channel !== 'oa') await this.recoverUnknown(c, range);
    else await this.recoverUnknownSubscribe(c, chunkId, range);
    const adapter = this.adapters.get(c.channel);
    let sent = 0;
    for (;;) {
      const rows = await this.claim(
        c,
        brand,
        range,
        Math.min(CLAIM_SIZE[c.channel], adapter.limits.maxRecipientsPerCall),
        held.zones,
      );
      if (rows === null) break;
      if (rows.length === 0) continue;
      sent += rows.length;
      let stopped = false;
      if (c.channel === 'oa') stopped = await this.sendOaSlices(c, rows);
      else await this.sendWecom(c, rows);
      await this.ledger.refreshChunks(this.ds.manager, c.id, [chunkId]);
      if (stopped) break;
    }
    return this.settleChunk(c.id, chunkId, range, sent, held);
  }

  /**
   * OA subscribe messages have no `client_msg_id` (template sends do, and WeChat drops a repeat), so
   * a subscribe row whose claim lease ended while `sending` (its worker died, maybe mid-call) may
   * have reached the member: it becomes `failed: outcome_unknown`, never re-sent on its own (resend
   * includes it only with `includeUnknown`).
   */
  private async recoverUnknownSubscribe(
    c: Campaign,
    chunkId: string,
    range: { first: string; last: string },
  ): Promise<void> {
    const variants = c.variants.flatMap((v, i) => (v.message.oa?.kind === 'subscribe' ? [i] : []));
    if (variants.length === 0) return;
    await this.ds.transaction(async (m) => {
      const [rows]: [Array<{ id: string }>] = await m.query(
        `UPDATE campaign_deliveries SET status = 'failed', reason = 'outcome_unknown', lease_until = NULL,
                error = 'the claim ended during a subscribe send, which WeChat does not de-duplicate',
                updated_at = now()
          WHERE campaign_id = $1 AND id BETWEEN $2 AND $3 AND status = 'sending' AND lease_until < now()
            AND variant = ANY($4::smallint[])
          RETURNING id`,
        [c.id, range.first, range.last, variants],
      );
      if (rows.length > 0) await this.ledger.refreshChunks(m, c.id, [chunkId]);
    });
  }

  /** The time zones of a chunk's rows still to send that are inside the brand's quiet hours now. */
  private async quietZones(
    brand: BrandRules,
    campaignId: string,
    range: { first: string; last: string },
  ): Promise<HeldZones> {
    const rows: Array<{ time_zone: string }> = await this.ds.query(
      `SELECT DISTINCT time_zone FROM campaign_deliveries
        WHERE campaign_id = $1 AND id BETWEEN $2 AND $3 AND status IN ('pending', 'retry', 'sending')
          AND time_zone IS NOT NULL`,
      [campaignId, range.first, range.last],
    );
    const held: HeldZones = { zones: [], until: [] };
    const now = new Date();
    for (const { time_zone } of rows) {
      const end = quietHoursEnd(now, time_zone, brand.quiet_hours_start, brand.quiet_hours_end);
      if (!end) continue;
      held.zones.push(time_zone);
      held.until.push(end);
    }
    return held;
  }

  /**
   * Claims up to `limit` due rows of the chunk, then in the same transaction skips those the
   * send-time rules stop (consent and erasure, the brand's frequency cap, WeCom's daily limit) and
   * renders the rest. null: nothing left to claim (or the campaign stopped sending).
   */
  private async claim(
    c: Campaign,
    brand: BrandRules,
    range: { first: string; last: string },
    limit: number,
    heldZones: string[],
  ): Promise<ClaimedRow[] | null> {
    return this.ds.transaction(async (m) => {
      const leaseSecs = this.config.get('CAMPAIGN_SEND_LEASE_MS') / 1000;
      const due = (t: string) =>
        `((${t}.status IN ('pending', 'retry') AND (${t}.next_attempt_at IS NULL OR ${t}.next_attempt_at <= now())
            AND (${t}.not_before IS NULL OR ${t}.not_before <= now()))
          OR (${t}.status = 'sending' AND ${t}.lease_until < now() AND ${t}.task_id IS NULL))
         AND (${t}.time_zone IS NULL OR ${t}.time_zone <> ALL($5::text[]))`;
      // A claim of the whole chunk (OA) is a plain conditional UPDATE of the range: no row locks
      // taken first (a WAL record each); a concurrent claimer of the same rows waits for this one and
      // then finds them no longer due. A partial claim picks its rows with SKIP LOCKED.
      const whole = limit >= CHUNK_SIZE[c.channel];
      const rowsSql = whole
        ? `d.campaign_id = $1 AND d.id BETWEEN $2 AND $3 AND ${due('d')}`
        : `d.id IN (SELECT id FROM campaign_deliveries x
                     WHERE x.campaign_id = $1 AND x.id BETWEEN $2 AND $3 AND ${due('x')}
                     ORDER BY x.id LIMIT $6 FOR UPDATE SKIP LOCKED)`;
      const [claimed]: [ClaimedRow[]] = await m.query(
        `UPDATE campaign_deliveries d
            SET status = 'sending', attempts = d.attempts + 1, claimed_at = now(), updated_at = now(),
                lease_until = now() + make_interval(secs => $4::double precision)
          WHERE ${rowsSql}
            AND EXISTS (SELECT 1 FROM campaigns c WHERE c.id = $1 AND c.status = 'sending')
          RETURNING d.id, d.member_id AS "memberId", d.group_id AS "groupId", d.variant, d.address, d.sender, d.attempts`,
        [c.id, range.first, range.last, leaseSecs, heldZones, ...(whole ? [] : [limit])],
      );
      if (claimed.length === 0) return null;
      const ids = claimed.map((r) => String(r.id));
      const shared = await claimGateShared(m, c.brandId, c.id);
      const { skipped, members } = await this.applyRules(m, c, brand, claimed, ids, shared);
      const rows = claimed.filter((r) => !skipped.has(String(r.id)));
      return this.renderer.render(m, c, rows, members);
    });
  }

  /**
   * The send-time rules of invariant 3, set-based over the claimed rows, in one statement; answers
   * the ids skipped. The claimed rows' members are locked first (in id order), so concurrent
   * campaigns on the same members serialise and each cap sees the other's claims; when no other
   * campaign of the brand is sending (`shared` false, the claim gate held) there is no one to
   * serialise with, and the locks (a WAL record and a dirtied page per member) are skipped. A row stopped by
   * several rules gets the first reason: erased, merged, opted_out, frequency_cap, wecom_limit.
   * The same statement answers the member fields the renderer needs (read once, not twice).
   * The caps' subqueries read a member's (or group's) recent rows through its own index only: the
   * `OFFSET 0` fence keeps the planner from pushing the campaigns join into that scan, where, with
   * the ledger's statistics behind a fresh million-row campaign, it once picked a bitmap AND with the
   * campaign's whole range per claimed row (minutes per claim instead of milliseconds).
   */
  private async applyRules(
    m: EntityManager,
    c: Campaign,
    brand: BrandRules,
    claimed: ClaimedRow[],
    ids: string[],
    shared: boolean,
  ): Promise<{ skipped: Set<string>; members: Map<string, MemberValues> }> {
    const memberIds = [...new Set(claimed.map((r) => r.memberId).filter((x): x is string => !!x))];
    const groupIds = [...new Set(claimed.map((r) => r.groupId).filter((x): x is string => !!x))];
    if (shared && c.channel !== 'oa' && groupIds.length > 0)
      await m.query(
        `SELECT 1 FROM community_groups WHERE id = ANY($1::uuid[]) ORDER BY id FOR NO KEY UPDATE`,
        [groupIds],
      );
    const capOn = !c.frequencyCapExempt && brand.frequency_cap_count > 0;
    const wecomOn = c.channel !== 'oa';
    const key = c.channel === 'wecom_group' ? 'group_id' : 'member_id';
    // Serialise concurrent campaigns on the same members: the caps below then see each other's
    // claims. A statement of its own: the rules' statement must take its snapshot after the wait.
    if (shared && memberIds.length > 0)
      await m.query(`SELECT 1 FROM members WHERE id = ANY($1::uuid[]) ORDER BY id FOR NO KEY UPDATE`, [
        memberIds,
      ]);
    const rows: Array<{ id: string; reason: string | null; member_id: string | null } & MemberValues> =
      await m.query(
        `WITH r AS (
         SELECT d.id, d.member_id, mm.nickname, mm.city,
                CASE WHEN mm.erased_at IS NOT NULL THEN 'erased'
                     WHEN mm.merged_into IS NOT NULL THEN 'merged'
                     WHEN mm.consent_status = 'opted_out' THEN 'opted_out'
                     WHEN $2::boolean AND d.member_id IS NOT NULL
                      AND (SELECT count(*)
                             FROM (SELECT o.campaign_id FROM campaign_deliveries o
                                    WHERE o.member_id = d.member_id AND o.campaign_id <> d.campaign_id
                                      AND o.status IN ('sending', 'submitted', 'sent')
                                      AND o.claimed_at > now() - make_interval(hours => $3)
                                   OFFSET 0) o
                             JOIN campaigns oc ON oc.id = o.campaign_id
                            WHERE NOT oc.frequency_cap_exempt) >= $4 THEN 'frequency_cap'
                     WHEN $5::boolean
                      AND (SELECT count(*)
                             FROM (SELECT o.campaign_id FROM campaign_deliveries o
                                    WHERE o.${key} = d.${key} AND o.campaign_id <> d.campaign_id
                                      AND o.status IN ('sending', 'submitted', 'sent') AND o.claimed_at >= $7
                                   OFFSET 0) o
                             JOIN campaigns oc ON oc.id = o.campaign_id
                            WHERE oc.channel = $6) >= $8
                     THEN 'wecom_limit'
                END AS reason
           FROM campaign_deliveries d LEFT JOIN members mm ON mm.id = d.member_id
          WHERE d.id = ANY($1::bigint[]) AND d.status = 'sending'),
       skip AS (
         UPDATE campaign_deliveries d SET status = 'skipped', lease_until = NULL, updated_at = now(), reason = r.reason
           FROM r WHERE d.id = r.id AND r.reason IS NOT NULL)
       SELECT r.id, r.reason, r.member_id, r.nickname, r.city FROM r`,
        [
          ids,
          capOn,
          brand.frequency_cap_window_hours,
          brand.frequency_cap_count,
          wecomOn,
          c.channel,
          startOfLocalDay(new Date(), WECOM_DAY_ZONE),
          this.config.get('WECOM_BROADCASTS_PER_RECIPIENT_PER_DAY'),
        ],
      );
    const skipped = new Set<string>();
    const members = new Map<string, MemberValues>();
    for (const r of rows) {
      if (r.reason !== null) skipped.add(String(r.id));
      else if (r.member_id) members.set(r.member_id, { nickname: r.nickname, city: r.city });
    }
    return { skipped, members };
  }

  /**
   * An OA claim is sent OA_SEND_SLICE rows at a time; before each slice after the first the campaign
   * must still be sending, so a pause or cancel stops the claim within one slice. The rows of the
   * claim not yet sent are released (back to pending/retry, their attempt given back). True: stopped.
   */
  private async sendOaSlices(c: Campaign, rows: ClaimedRow[]): Promise<boolean> {
    for (let i = 0; i < rows.length; i += OA_SEND_SLICE) {
      if (i > 0) {
        const [cur]: Array<{ status: string }> = await this.ds.query(
          `SELECT status FROM campaigns WHERE id = $1`,
          [c.id],
        );
        if (cur?.status !== 'sending') {
          await this.ledger.release(rows.slice(i).map((r) => String(r.id)));
          return true;
        }
      }
      await this.sendOa(c, rows.slice(i, i + OA_SEND_SLICE));
    }
    return false;
  }

  private async sendOa(c: Campaign, rows: ClaimedRow[]): Promise<void> {
    const adapter = this.adapters.get('oa');
    const recipients: ChannelRecipient[] = rows.map((r) => ({
      ref: String(r.id),
      address: r.address as string,
      message: r.message,
      idempotencyKey: `cd-${r.id}`,
    }));
    let outcomes: DeliveryOutcome[];
    try {
      const res = await adapter.submit({
        brandId: c.brandId,
        accountId: c.oaAppId ?? undefined,
        idempotencyKey: `c-${c.id}`,
        message: rows[0].message,
        recipients,
      });
      outcomes =
        res.kind === 'failed'
          ? rows.map((r) => this.failureOutcome(r, res.failure))
          : this.recipientOutcomes(rows, res.outcomes);
    } catch (err) {
      if (!(err instanceof ChannelException)) throw err;
      outcomes = rows.map((r) => ({
        id: String(r.id),
        status: 'failed',
        reason: 'invalid_message',
        error: err.message,
      }));
    }
    await this.ledger.record(outcomes);
  }

  /**
   * WeCom broadcasts: one add_msg_template per (sender, content), at most the channel's per-call
   * recipients. The task row and the rows' task_id are committed before the call, so a crash during
   * it is seen later as a `submitting` task (its rows: `outcome_unknown`, never sent twice).
   */
  private async sendWecom(c: Campaign, rows: ClaimedRow[]): Promise<void> {
    const adapter = this.adapters.get(c.channel);
    const groups = new Map<string, ClaimedRow[]>();
    for (const r of rows) {
      const key = `${r.sender ?? ''}\u0000${r.variant}\u0000${JSON.stringify(r.message)}`;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    for (const group of groups.values()) {
      const { sender, message, variant } = group[0];
      const ids = group.map((r) => String(r.id));
      const deadline = new Date(Date.now() + this.config.get('CAMPAIGN_TASK_DEADLINE_MS'));
      const taskId = await this.ds.transaction(async (m) => {
        const [{ id }]: Array<{ id: string }> = await m.query(
          `INSERT INTO campaign_tasks (campaign_id, brand_id, kind, sender, deadline) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
          [c.id, c.brandId, c.channel, sender, deadline],
        );
        await m.query(`UPDATE campaign_deliveries SET task_id = $2 WHERE id = ANY($1::bigint[])`, [ids, id]);
        return String(id);
      });
      let res;
      try {
        res = await adapter.submit({
          brandId: c.brandId,
          sender: sender ?? undefined,
          idempotencyKey: `c-${c.id}-v${variant}`,
          message: message as ChannelMessage,
          recipients: group.map((r) => ({ ref: String(r.id), address: r.address as string })),
        });
      } catch (err) {
        if (!(err instanceof ChannelException)) throw err;
        res = { kind: 'invalid' as const, error: err.message };
      }
      if (res.kind === 'task') {
        const ref = res.taskRef;
        const outcomes = this.recipientOutcomes(group, res.outcomes);
        await this.ds.transaction(async (m) => {
          await m.query(
            `UPDATE campaign_tasks SET status = 'open', msgid = $2, next_poll_at = now(), updated_at = now() WHERE id = $1`,
            [taskId, ref.msgid],
          );
          await this.ledger.record(outcomes, m);
        });
        await this.jobs.add([{ job: { kind: 'collect', campaignId: c.id, taskId }, round: c.round }]);
        continue;
      }
      const ambiguous = res.kind === 'failed' && res.failure.ambiguous === true;
      await this.ds.transaction(async (m) => {
        if (ambiguous) {
          // The call may have created the task: never send these rows again on our own.
          await m.query(
            `UPDATE campaign_tasks SET status = 'unknown', error = $2, updated_at = now() WHERE id = $1`,
            [taskId, res.kind === 'failed' ? res.failure.errmsg : null],
          );
          await this.ledger.record(
            group.map((r) => ({
              id: String(r.id),
              status: 'failed',
              reason: 'outcome_unknown',
              error: res.kind === 'failed' ? res.failure.errmsg : null,
            })),
            m,
          );
          return;
        }
        await m.query(`DELETE FROM campaign_tasks WHERE id = $1`, [taskId]);
        await m.query(`UPDATE campaign_deliveries SET task_id = NULL WHERE id = ANY($1::bigint[])`, [ids]);
        await this.ledger.record(
          group.map((r) =>
            res.kind === 'failed'
              ? this.failureOutcome(r, res.failure)
              : {
                  id: String(r.id),
                  status: 'failed',
                  reason: 'invalid_message',
                  error: res.kind === 'invalid' ? res.error : null,
                },
          ),
          m,
        );
      });
    }
  }

  /** Rows left `sending` inside a WeCom task that never got its answer: their outcome is unknown. */
  private async recoverUnknown(c: Campaign, range: { first: string; last: string }): Promise<void> {
    await this.ds.transaction(async (m) => {
      const [tasks]: [Array<{ id: string }>] = await m.query(
        `UPDATE campaign_tasks t SET status = 'unknown', error = 'the worker stopped during add_msg_template', updated_at = now()
          WHERE t.campaign_id = $1 AND t.status = 'submitting'
            AND EXISTS (SELECT 1 FROM campaign_deliveries d
                         WHERE d.task_id = t.id AND d.id BETWEEN $2 AND $3
                           AND d.status = 'sending' AND d.lease_until < now())
          RETURNING t.id`,
        [c.id, range.first, range.last],
      );
      if (tasks.length === 0) return;
      await m.query(
        `UPDATE campaign_deliveries SET status = 'failed', reason = 'outcome_unknown', lease_until = NULL,
                error = 'the worker stopped while sending; WeCom may or may not have the task', updated_at = now()
          WHERE task_id = ANY($1::bigint[]) AND status = 'sending'`,
        [tasks.map((t) => String(t.id))],
      );
    });
  }

  /** Done when no row is open; else wait for the earliest retry or lease end. Completes the campaign. */
  private async settleChunk(
    campaignId: string,
    chunkId: string,
    range: { first: string; last: string },
    sent: number,
    held: HeldZones,
  ): Promise<StepResult> {
    // An open row wakes the chunk at its lease end, its retry time, its local send time, or the end
    // of quiet hours in its zone, whichever is latest.
    const [open]: Array<{ wake: Date | null; n: string; stopped: boolean }> = await this.ds.query(
      `SELECT count(*) AS n,
              min(CASE WHEN d.status = 'sending' THEN d.lease_until
                       ELSE greatest(coalesce(d.next_attempt_at, now()), coalesce(d.not_before, now()),
                                     coalesce(q.until, now())) END) AS wake,
              NOT EXISTS (SELECT 1 FROM campaigns WHERE id = $1 AND status = 'sending') AS stopped
         FROM campaign_deliveries d
         LEFT JOIN unnest($4::text[], $5::timestamptz[]) AS q(zone, until) ON q.zone = d.time_zone
        WHERE d.campaign_id = $1 AND d.id BETWEEN $2 AND $3 AND d.status IN ('pending', 'retry', 'sending')`,
      [campaignId, range.first, range.last, held.zones, held.until],
    );
    if (open.stopped) return done(`stopped after ${sent} row(s): the campaign no longer sends`);
    if (Number(open.n) > 0) {
      const at = new Date(Math.max(Date.now() + 50, new Date(open.wake ?? Date.now()).getTime()));
      return wait(at, `${open.n} row(s) still open`);
    }
    await this.ds.transaction(async (m) => {
      await m.query(`SELECT 1 FROM campaigns WHERE id = $1 FOR NO KEY UPDATE`, [campaignId]);
      await this.ledger.refreshChunks(m, campaignId, [chunkId]);
      await m.query(`UPDATE campaign_chunks SET status = 'done', updated_at = now() WHERE id = $1`, [
        chunkId,
      ]);
      await this.completeIfDone(m, campaignId);
    });
    return done(`chunk done (${sent} row(s) this run)`);
  }

  /** sending → completed once no chunk and no WeCom task is open. Call with the campaign row locked. */
  private async completeIfDone(m: EntityManager, campaignId: string): Promise<void> {
    const [rows]: [Array<{ brand_id: string }>] = await m.query(
      `UPDATE campaigns c SET status = 'completed', completed_at = now(), held_until = NULL, updated_at = now()
        WHERE c.id = $1 AND c.status = 'sending'
          AND NOT EXISTS (SELECT 1 FROM campaign_chunks ch WHERE ch.campaign_id = c.id AND ch.status = 'open')
          AND NOT EXISTS (SELECT 1 FROM campaign_tasks t WHERE t.campaign_id = c.id AND t.status IN ('submitting', 'open'))
        RETURNING c.brand_id`,
      [campaignId],
    );
    if (rows[0])
      await this.audit.record(m, systemActor(rows[0].brand_id), {
        action: 'campaign.completed',
        entityType: 'campaign',
        entityId: campaignId,
        before: { status: 'sending' },
        after: { status: 'completed' },
      });
  }

  // ── collect: WeCom task results ─────────────────────────────────────────────────────────────

  async collect(campaignId: string, taskId: string): Promise<StepResult> {
    const [task]: Array<{
      status: string;
      kind: 'wecom_group' | 'wecom_single';
      brand_id: string;
      msgid: string;
      sender: string | null;
      polls: number;
      next_poll_at: Date;
      deadline: Date;
    }> = await this.ds.query(`SELECT * FROM campaign_tasks WHERE id = $1 AND campaign_id = $2`, [
      taskId,
      campaignId,
    ]);
    if (!task || task.status !== 'open') return done(`task is ${task?.status ?? 'gone'}`);
    if (new Date(task.next_poll_at).getTime() > Date.now() + 50)
      return wait(new Date(task.next_poll_at), 'not yet');
    const ref: ChannelTaskRef = {
      kind: task.kind,
      brandId: task.brand_id,
      msgid: task.msgid,
      ...(task.sender ? { sender: task.sender } : {}),
    };
    const res = await this.adapters.get(task.kind).collect(ref, task.polls);
    const pastDeadline = Date.now() >= new Date(task.deadline).getTime();
    if (res.kind === 'collected') {
      return this.applyResults(campaignId, taskId, res.outcomes, res.complete || pastDeadline, task.polls);
    }
    if (res.kind === 'failed' && res.failure.class === 'permanent') {
      return this.closeTask(
        campaignId,
        taskId,
        'failed',
        `errcode_${res.failure.errcode ?? 'none'}`,
        res.failure.errmsg,
      );
    }
    if (pastDeadline)
      return this.closeTask(campaignId, taskId, 'failed', 'not_confirmed', 'no result before the deadline');
    const delay =
      res.kind === 'not_ready'
        ? res.retryAfterMs
        : res.failure.retryAt
          ? res.failure.retryAt.getTime() - Date.now()
          : pollBackoffMs(task.polls);
    const at = new Date(Date.now() + Math.max(50, delay));
    await this.ds.query(`UPDATE campaign_tasks SET polls = polls + 1, next_poll_at = $2 WHERE id = $1`, [
      taskId,
      at,
    ]);
    return wait(at, res.kind === 'not_ready' ? 'task not ready' : `poll failed: ${res.failure.errmsg}`);
  }

  private async applyResults(
    campaignId: string,
    taskId: string,
    outcomes: RecipientOutcome[],
    final: boolean,
    polls: number,
  ): Promise<StepResult> {
    const at = new Date(Date.now() + pollBackoffMs(polls));
    await this.ds.transaction(async (m) => {
      await m.query(`SELECT 1 FROM campaigns WHERE id = $1 FOR NO KEY UPDATE`, [campaignId]);
      const settled = outcomes.filter((o) => o.status !== 'pending');
      const [changed]: [Array<{ id: string }>] = await m.query(
        `UPDATE campaign_deliveries d
            SET status = CASE WHEN u.status = 'sent' THEN 'sent' ELSE 'failed' END,
                reason = CASE WHEN u.status = 'sent' THEN NULL ELSE u.reason END,
                sent_at = u.sent_at, updated_at = now()
           FROM unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[]) AS u(address, status, reason, sent_at)
          WHERE d.task_id = $1 AND d.address = u.address AND d.status = 'submitted'
          RETURNING d.id`,
        [
          taskId,
          settled.map((o) => o.address),
          settled.map((o) => o.status),
          settled.map((o) => o.reason ?? o.status),
          settled.map((o) => o.sentAt ?? (o.status === 'sent' ? new Date() : null)),
        ],
      );
      let ids = changed.map((r) => String(r.id));
      if (final) {
        const [rest]: [Array<{ id: string }>] = await m.query(
          `UPDATE campaign_deliveries SET status = 'failed', reason = 'not_confirmed', updated_at = now(),
                  error = 'staff did not send the broadcast before the deadline'
            WHERE task_id = $1 AND status = 'submitted' RETURNING id`,
          [taskId],
        );
        ids = ids.concat(rest.map((r) => String(r.id)));
        await m.query(
          `UPDATE campaign_tasks SET status = 'done', polls = polls + 1, updated_at = now() WHERE id = $1`,
          [taskId],
        );
      } else {
        await m.query(`UPDATE campaign_tasks SET polls = polls + 1, next_poll_at = $2 WHERE id = $1`, [
          taskId,
          at,
        ]);
      }
      await this.ledger.refreshChunks(m, campaignId, await this.ledger.chunksOf(m, campaignId, ids));
      if (final) await this.completeIfDone(m, campaignId);
    });
    return final ? done('task results final') : wait(at, 'staff have not sent to everyone yet');
  }

  private async closeTask(
    campaignId: string,
    taskId: string,
    status: 'failed' | 'cancelled',
    reason: string,
    error: string,
  ): Promise<StepResult> {
    await this.ds.transaction(async (m) => {
      await m.query(`SELECT 1 FROM campaigns WHERE id = $1 FOR NO KEY UPDATE`, [campaignId]);
      const [rows]: [Array<{ id: string }>] = await m.query(
        `UPDATE campaign_deliveries SET status = $2, reason = $3, error = $4, updated_at = now()
          WHERE task_id = $1 AND status = 'submitted' RETURNING id`,
        [taskId, status, reason, error.slice(0, 500)],
      );
      await m.query(`UPDATE campaign_tasks SET status = $2, error = $3, updated_at = now() WHERE id = $1`, [
        taskId,
        status === 'cancelled' ? 'cancelled' : 'done',
        error.slice(0, 500),
      ]);
      const ids = rows.map((r) => String(r.id));
      await this.ledger.refreshChunks(m, campaignId, await this.ledger.chunksOf(m, campaignId, ids));
      await this.completeIfDone(m, campaignId);
    });
    return done(`task closed: ${reason}`);
  }

  // ── finalize: after a cancel (or a sending campaign with nothing left open) ─────────────────

  async finalize(campaignId: string): Promise<StepResult> {
    const c = await this.ds.getRepository(Campaign).findOneBy({ id: campaignId });
    if (!c) return done('gone');
    if (c.status === 'sending') {
      await this.ds.transaction(async (m) => {
        await m.query(`SELECT 1 FROM campaigns WHERE id = $1 FOR NO KEY UPDATE`, [campaignId]);
        await this.completeIfDone(m, campaignId);
      });
      return done('completion checked');
    }
    if (c.status !== 'cancelled') return done(`campaign is ${c.status}`);
    // Rows a live worker holds finish their call first; then nothing open is left to send.
    const [{ held }]: Array<{ held: Date | null }> = await this.ds.query(
      `SELECT max(lease_until) AS held FROM campaign_deliveries
        WHERE campaign_id = $1 AND status = 'sending' AND lease_until >= now()`,
      [campaignId],
    );
    if (held) return wait(new Date(new Date(held).getTime() + 50), 'waiting for rows in flight');
    await this.ds.query(
      `UPDATE campaign_deliveries SET status = 'cancelled', reason = 'campaign_cancelled', lease_until = NULL, updated_at = now()
        WHERE campaign_id = $1 AND (status IN ('pending', 'retry') OR (status = 'sending' AND task_id IS NULL))`,
      [campaignId],
    );
    const tasks: Array<{
      id: string;
      kind: 'wecom_group' | 'wecom_single';
      msgid: string;
      sender: string | null;
    }> = await this.ds.query(
      `SELECT id, kind, msgid, sender FROM campaign_tasks WHERE campaign_id = $1 AND status = 'open'`,
      [campaignId],
    );
    for (const t of tasks) {
      const ref: ChannelTaskRef = {
        kind: t.kind,
        brandId: c.brandId,
        msgid: t.msgid,
        ...(t.sender ? { sender: t.sender } : {}),
      };
      const adapter = this.adapters.get(t.kind);
      const cancelled = await adapter.cancel(ref);
      if (!cancelled.ok && cancelled.failure.class !== 'permanent')
        return wait(
          new Date(Date.now() + pollBackoffMs(0)),
          `cancel_groupmsg_send failed: ${cancelled.failure.errmsg}`,
        );
      // What staff already sent stays sent; the rest will not go out.
      const res = await adapter.collect(ref, 0);
      if (res.kind === 'collected') await this.applyResults(campaignId, String(t.id), res.outcomes, false, 0);
      await this.closeTask(
        campaignId,
        String(t.id),
        'cancelled',
        'campaign_cancelled',
        'the campaign was cancelled',
      );
    }
    await this.ds.transaction(async (m) => {
      await this.ledger.refreshChunks(m, campaignId, null);
      await m.query(
        `UPDATE campaign_chunks SET status = 'done', updated_at = now() WHERE campaign_id = $1 AND status = 'open'`,
        [campaignId],
      );
      await m.query(
        `UPDATE campaign_tasks SET status = 'unknown', updated_at = now() WHERE campaign_id = $1 AND status = 'submitting'`,
        [campaignId],
      );
    });
    return done(`cancelled; ${tasks.length} WeCom task(s) cancelled`);
  }

  // ── outcomes ────────────────────────────────────────────────────────────────────────────────

  private recipientOutcomes(rows: ClaimedRow[], outcomes: RecipientOutcome[]): DeliveryOutcome[] {
    const byId = new Map(rows.map((r) => [String(r.id), r]));
    return outcomes.map((o) => this.recipientOutcome(byId.get(o.ref as string) as ClaimedRow, o));
  }

  private recipientOutcome(row: ClaimedRow, o: RecipientOutcome): DeliveryOutcome {
    const base = {
      id: o.ref as string,
      errcode: o.errcode ?? null,
      providerMessageId: o.providerMessageId ?? null,
    };
    switch (o.status) {
      case 'sent':
        return { ...base, status: 'sent', sentAt: o.sentAt ?? new Date() };
      case 'pending':
        return { ...base, status: 'submitted' };
      case 'rejected':
        return { ...base, status: 'failed', reason: o.reason ?? 'rejected', error: o.errmsg ?? null };
      case 'retry':
        return this.retryOutcome(row, { ...base, error: o.errmsg ?? null }, o.retryAt, o.reason);
    }
  }

  private failureOutcome(row: ClaimedRow, f: ChannelFailure): DeliveryOutcome {
    const base = { id: String(row.id), errcode: f.errcode, error: `${f.api}: ${f.errmsg}` };
    if (f.class === 'permanent')
      return {
        ...base,
        status: 'failed',
        reason: f.errcode !== null ? `errcode_${f.errcode}` : 'channel_error',
      };
    return this.retryOutcome(row, base, f.retryAt, f.class);
  }

  /** Again later: at `retryAt` for a rate limit (not counted as an attempt), else with backoff. */
  private retryOutcome(
    row: ClaimedRow,
    base: Pick<DeliveryOutcome, 'id' | 'errcode' | 'error'>,
    retryAt: Date | undefined,
    reason: string | undefined,
  ): DeliveryOutcome {
    if (retryAt)
      return {
        ...base,
        status: 'retry',
        reason: reason ?? 'rate_limited',
        nextAttemptAt: retryAt,
        refundAttempt: true,
      };
    if (row.attempts >= this.config.get('CAMPAIGN_MAX_ATTEMPTS'))
      return { ...base, status: 'failed', reason: 'retries_exhausted' };
    const backoff = Math.min(60_000, 1_000 * 2 ** Math.max(0, row.attempts - 1));
    return {
      ...base,
      status: 'retry',
      reason: reason ?? 'transient',
      nextAttemptAt: new Date(Date.now() + backoff / 2 + Math.random() * (backoff / 2)),
    };
  }

  private async brandRules(brandId: string): Promise<BrandRules> {
    const [b]: BrandRules[] = await this.ds.query(
      `SELECT time_zone, quiet_hours_start::text, quiet_hours_end::text, frequency_cap_count, frequency_cap_window_hours
         FROM brands WHERE id = $1`,
      [brandId],
    );
    return b;
  }
}
