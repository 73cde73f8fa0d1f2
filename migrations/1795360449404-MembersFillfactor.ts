import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every recorded order updates its member's row (order count, spend, first/last order). With
 * full pages each of those updates wrote a new row version elsewhere plus an entry in each of the
 * members' six indexes; with a fifth of each page kept free it stays on its page (a HOT update: no
 * index entries, since none of the aggregate columns is indexed). Pages written before this keep
 * their old fill until the table is rewritten (VACUUM FULL, pg_repack).
 */
export class MembersFillfactor1795360449404 implements MigrationInterface {
  name = 'MembersFillfactor1795360449404';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "members" SET (fillfactor = 80)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "members" RESET (fillfactor)`);
  }
}
