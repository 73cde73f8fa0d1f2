import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The member timeline reads its `tier.changed` entries from tier_changes instead of a copy in
 * member_events: the change row takes the operator who made it (a ladder save), the copies' actors
 * move onto their change rows, and the copies go.
 */
export class TierChangesTimeline1795333446266 implements MigrationInterface {
  name = 'TierChangesTimeline1795333446266';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "tier_changes" ADD "actor_type" character varying(16)`);
    await queryRunner.query(`ALTER TABLE "tier_changes" ADD "actor_id" uuid`);
    await queryRunner.query(
      `UPDATE "tier_changes" c SET "actor_type" = e."actor_type", "actor_id" = e."actor_id"
         FROM "member_events" e
        WHERE e."type" = 'tier.changed' AND e."brand_id" = c."brand_id"
          AND e."data"->>'changeId' = c."id"::text AND e."actor_type" IS DISTINCT FROM 'system'`,
    );
    await queryRunner.query(`DELETE FROM "member_events" WHERE "type" = 'tier.changed'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `INSERT INTO "member_events" ("brand_id", "member_id", "type", "data", "actor_type", "actor_id", "occurred_at")
       SELECT c."brand_id", c."member_id", 'tier.changed',
              jsonb_strip_nulls(jsonb_build_object(
                'changeId', c."id"::text, 'reason', c."reason",
                'fromTierId', c."from_tier_id", 'toTierId', c."to_tier_id",
                'fromRank', c."data"->'fromRank', 'toRank', c."data"->'toRank',
                'fromName', c."data"->'fromName', 'toName', c."data"->'toName')),
              COALESCE(c."actor_type", 'system'), c."actor_id", c."at"
         FROM "tier_changes" c ORDER BY c."id"`,
    );
    await queryRunner.query(`ALTER TABLE "tier_changes" DROP COLUMN "actor_id"`);
    await queryRunner.query(`ALTER TABLE "tier_changes" DROP COLUMN "actor_type"`);
  }
}
