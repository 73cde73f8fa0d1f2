import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AuditService, systemActor } from '@siyu/platform';
import { DataSource } from 'typeorm';

const STEP = 10_000;

/**
 * The scheduled expiry: codes past their window become `expired` (in steps, SKIP LOCKED so a
 * redemption in flight is never waited on), and templates whose absolute window ended become
 * `ended` (audited as the system). Validation does not wait for it: a code past its window is
 * refused as `expired` either way.
 */
@Injectable()
export class CouponExpiryService {
  private readonly logger = new Logger(CouponExpiryService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
  ) {}

  async expire(now = new Date()): Promise<{ coupons: number; templates: number }> {
    let coupons = 0;
    for (;;) {
      const [, n]: [unknown[], number] = await this.ds.query(
        `UPDATE coupons SET status = 'expired'
          WHERE id IN (SELECT id FROM coupons WHERE status = 'available' AND valid_until IS NOT NULL AND valid_until <= $1
                        ORDER BY valid_until LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        [now, STEP],
      );
      coupons += n;
      if (n < STEP) break;
    }
    const templates = await this.ds.transaction(async (m) => {
      const [ended]: [Array<{ id: string; brand_id: string; status: string }>, number] = await m.query(
        `UPDATE coupon_templates t SET status = 'ended', updated_at = now()
           FROM (SELECT id, status FROM coupon_templates WHERE status IN ('active', 'paused') AND valid_until <= $1 FOR NO KEY UPDATE) o
          WHERE t.id = o.id RETURNING t.id, t.brand_id, o.status`,
        [now],
      );
      for (const t of ended)
        await this.audit.record(m, systemActor(t.brand_id), {
          action: 'coupon_template.ended',
          entityType: 'coupon_template',
          entityId: t.id,
          before: { status: t.status },
          after: { status: 'ended', reason: 'validity window over' },
        });
      return ended.length;
    });
    if (coupons + templates > 0) this.logger.log({ coupons, templates }, 'coupons expired');
    return { coupons, templates };
  }
}
