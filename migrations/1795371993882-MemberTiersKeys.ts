import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * member_tiers: one foreign key `(brand_id, tier_id) → tiers (brand_id, id)` in place of `brand_id →
 * brands` and `tier_id → tiers`: the tier must be one of the row's brand's (which proves the brand
 * exists too), checked once per written row instead of twice. Its rows still go with the brand
 * through members (`member_id`, ON DELETE CASCADE).
 *
 * `member_tiers_brand_tier_idx (brand_id, tier_id)` becomes `member_tiers_brand_idx (brand_id)`: no
 * index holds `tier_id` any more, so a tier change can be a heap-only (HOT) update, without a new
 * entry in either index. The new key's RESTRICT check (a tier's deletion) and the members per tier
 * read the brand's rows through it.
 */
export class MemberTiersKeys1795371993882 implements MigrationInterface {
  name = 'MemberTiersKeys1795371993882';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "member_tiers" DROP CONSTRAINT "FK_d00b0a8fa47ec32ac9454cd1f75"`);
    await queryRunner.query(`ALTER TABLE "member_tiers" DROP CONSTRAINT "FK_2630b439cc01f68f99ac7dd8664"`);
    await queryRunner.query(`DROP INDEX "public"."member_tiers_brand_tier_idx"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "tiers_brand_id_key" ON "tiers" ("brand_id", "id") `);
    await queryRunner.query(`CREATE INDEX "member_tiers_brand_idx" ON "member_tiers" ("brand_id") `);
    await queryRunner.query(
      `ALTER TABLE "member_tiers" ADD CONSTRAINT "FK_edcfba5fbddbfc7adb3265435f5" FOREIGN KEY ("brand_id", "tier_id") REFERENCES "tiers"("brand_id","id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "member_tiers" DROP CONSTRAINT "FK_edcfba5fbddbfc7adb3265435f5"`);
    await queryRunner.query(`DROP INDEX "public"."member_tiers_brand_idx"`);
    await queryRunner.query(`DROP INDEX "public"."tiers_brand_id_key"`);
    await queryRunner.query(
      `CREATE INDEX "member_tiers_brand_tier_idx" ON "member_tiers" ("brand_id", "tier_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "member_tiers" ADD CONSTRAINT "FK_2630b439cc01f68f99ac7dd8664" FOREIGN KEY ("tier_id") REFERENCES "tiers"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "member_tiers" ADD CONSTRAINT "FK_d00b0a8fa47ec32ac9454cd1f75" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }
}
