import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * member_tiers pages keep 15 % free, so a re-evaluation's grace starts and ends (below_since,
 * evaluated_at: no indexed column changes) are heap-only (HOT) updates on the same page, without a
 * new entry in either index. Applies to pages written from now on (not a table rewrite). Not
 * expressible on the entity, hence written by hand.
 */
export class MemberTiersFillFactor1795341589751 implements MigrationInterface {
  name = 'MemberTiersFillFactor1795341589751';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "member_tiers" SET (fillfactor = 85)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "member_tiers" RESET (fillfactor)`);
  }
}
