import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Fewer key checks and index entries per member row written in bulk (issue 3, `members-import`):
 * - identities, tags and import links reference their member by one composite key
 *   (brand_id, member_id) → members (brand_id, id) instead of two keys (brand_id → brands,
 *   member_id → members): one check per row instead of two, and a row can no longer name another
 *   brand's member. The brand's delete still reaches them, through its members.
 * - member_identities_key leads with the value, (brand_id, value, kind, app_id), so that it also
 *   serves the search by identity value of any kind; the separate (brand_id, value) index goes (one
 *   index entry fewer per identity). Lookups by all four columns and `ON CONFLICT (brand_id, kind,
 *   app_id, value)` (which matches the key by its set of columns) use it as before.
 */
export class MemberKeysByBrand1795370332724 implements MigrationInterface {
  name = 'MemberKeysByBrand1795370332724';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "member_tags" DROP CONSTRAINT "FK_621c21cb7c9ee304cc3cb279720"`);
    await queryRunner.query(`ALTER TABLE "member_tags" DROP CONSTRAINT "FK_d676c21413877fd516a48cdae55"`);
    await queryRunner.query(
      `ALTER TABLE "member_import_links" DROP CONSTRAINT "FK_0b42b5d7832aa48f9741abe2ce8"`,
    );
    await queryRunner.query(
      `ALTER TABLE "member_import_links" DROP CONSTRAINT "FK_b1b5e09521ece05ba4ad6aae53a"`,
    );
    await queryRunner.query(
      `ALTER TABLE "member_identities" DROP CONSTRAINT "FK_fcd39abf7c13d81afe3336d88be"`,
    );
    await queryRunner.query(
      `ALTER TABLE "member_identities" DROP CONSTRAINT "FK_17982ea9c6933b79ddf22088c23"`,
    );
    await queryRunner.query(`DROP INDEX "public"."member_identities_value_idx"`);
    await queryRunner.query(`DROP INDEX "public"."member_identities_key"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "member_identities_key" ON "member_identities" ("brand_id", "value", "kind", "app_id") `,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "members_brand_id_key" ON "members" ("brand_id", "id") `);
    await queryRunner.query(
      `ALTER TABLE "member_tags" ADD CONSTRAINT "FK_9db527f918cc0ec9033b9fe9e0e" FOREIGN KEY ("brand_id", "member_id") REFERENCES "members"("brand_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "member_import_links" ADD CONSTRAINT "FK_1299bae320b197c6dc096868180" FOREIGN KEY ("brand_id", "member_id") REFERENCES "members"("brand_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "member_identities" ADD CONSTRAINT "FK_ee855d802fdfdb4fe0fac4a3508" FOREIGN KEY ("brand_id", "member_id") REFERENCES "members"("brand_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "member_identities" DROP CONSTRAINT "FK_ee855d802fdfdb4fe0fac4a3508"`,
    );
    await queryRunner.query(
      `ALTER TABLE "member_import_links" DROP CONSTRAINT "FK_1299bae320b197c6dc096868180"`,
    );
    await queryRunner.query(`ALTER TABLE "member_tags" DROP CONSTRAINT "FK_9db527f918cc0ec9033b9fe9e0e"`);
    await queryRunner.query(`DROP INDEX "public"."members_brand_id_key"`);
    await queryRunner.query(`DROP INDEX "public"."member_identities_key"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "member_identities_key" ON "member_identities" ("brand_id", "kind", "app_id", "value") `,
    );
    await queryRunner.query(
      `CREATE INDEX "member_identities_value_idx" ON "member_identities" ("brand_id", "value") `,
    );
    await queryRunner.query(
      `ALTER TABLE "member_identities" ADD CONSTRAINT "FK_17982ea9c6933b79ddf22088c23" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "member_identities" ADD CONSTRAINT "FK_fcd39abf7c13d81afe3336d88be" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "member_import_links" ADD CONSTRAINT "FK_b1b5e09521ece05ba4ad6aae53a" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "member_import_links" ADD CONSTRAINT "FK_0b42b5d7832aa48f9741abe2ce8" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "member_tags" ADD CONSTRAINT "FK_d676c21413877fd516a48cdae55" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "member_tags" ADD CONSTRAINT "FK_621c21cb7c9ee304cc3cb279720" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }
}
