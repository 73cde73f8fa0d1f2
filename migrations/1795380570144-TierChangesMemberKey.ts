import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * tier_changes: one foreign key `(brand_id, member_id) → members (brand_id, id)` (the unique
 * `members_brand_id_key`) in place of `brand_id → brands` and `member_id → members`: a change can
 * only name a member of its own brand (which proves the brand exists too), checked once per written
 * row instead of twice — a first assignment of a million members or 740,000 downgrades write one
 * history row each. The rows still go with their member (ON DELETE CASCADE), and with the brand
 * through its members, as member_tiers' do.
 */
export class TierChangesMemberKey1795380570144 implements MigrationInterface {
  name = 'TierChangesMemberKey1795380570144';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "tier_changes" DROP CONSTRAINT "FK_df53cf81536a781a0d3f2f9b76d"`);
    await queryRunner.query(`ALTER TABLE "tier_changes" DROP CONSTRAINT "FK_7a3fa03a62874698b4a7ef7a9a6"`);
    await queryRunner.query(
      `ALTER TABLE "tier_changes" ADD CONSTRAINT "FK_1c93897bff03626793c672aa44b" FOREIGN KEY ("brand_id", "member_id") REFERENCES "members"("brand_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "tier_changes" DROP CONSTRAINT "FK_1c93897bff03626793c672aa44b"`);
    await queryRunner.query(
      `ALTER TABLE "tier_changes" ADD CONSTRAINT "FK_7a3fa03a62874698b4a7ef7a9a6" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "tier_changes" ADD CONSTRAINT "FK_df53cf81536a781a0d3f2f9b76d" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }
}
