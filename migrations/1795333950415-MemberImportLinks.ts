import { MigrationInterface, QueryRunner } from 'typeorm';

export class MemberImportLinks1795333950415 implements MigrationInterface {
  name = 'MemberImportLinks1795333950415';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "member_import_links" ("member_id" uuid NOT NULL, "import_id" uuid NOT NULL, "line" integer NOT NULL, "brand_id" uuid NOT NULL, "created" boolean NOT NULL, "tag_ids" uuid array, CONSTRAINT "PK_b08b02c8e3ff6325435b3be1289" PRIMARY KEY ("member_id", "import_id", "line"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "member_import_links" ADD CONSTRAINT "FK_0b42b5d7832aa48f9741abe2ce8" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "member_import_links" ADD CONSTRAINT "FK_b1b5e09521ece05ba4ad6aae53a" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "member_import_links" DROP CONSTRAINT "FK_b1b5e09521ece05ba4ad6aae53a"`,
    );
    await queryRunner.query(
      `ALTER TABLE "member_import_links" DROP CONSTRAINT "FK_0b42b5d7832aa48f9741abe2ce8"`,
    );
    await queryRunner.query(`DROP TABLE "member_import_links"`);
  }
}
