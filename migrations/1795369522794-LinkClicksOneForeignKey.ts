import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * link_clicks: one foreign key (brand_id, link_id) → tracked_links (brand_id, id) instead of one to
 * brands and one to tracked_links. The click drainer writes thousands of rows a second and every
 * key is a per-row trigger (a lookup and a row lock); the pair keeps what both did (a brand's
 * deletion reaches its clicks through its links, ON DELETE CASCADE) and also holds the click's brand
 * to its link's. Added NOT VALID, then validated, so the check of existing rows does not block
 * the drainer's inserts for its whole length.
 */
export class LinkClicksOneForeignKey1795369522794 implements MigrationInterface {
  name = 'LinkClicksOneForeignKey1795369522794';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "link_clicks" DROP CONSTRAINT "FK_3505cbd732847a1d400304c5447"`);
    await queryRunner.query(`ALTER TABLE "link_clicks" DROP CONSTRAINT "FK_a298f7ba758d106f2e257a089df"`);
    await queryRunner.query(
      `ALTER TABLE "tracked_links" ADD CONSTRAINT "tracked_links_brand_id_key" UNIQUE ("brand_id", "id")`,
    );
    await queryRunner.query(
      `ALTER TABLE "link_clicks" ADD CONSTRAINT "FK_e71d5183eaa5e6f2421df2c714c" FOREIGN KEY ("brand_id", "link_id") REFERENCES "tracked_links"("brand_id","id") ON DELETE CASCADE ON UPDATE NO ACTION NOT VALID`,
    );
    await queryRunner.query(`ALTER TABLE "link_clicks" VALIDATE CONSTRAINT "FK_e71d5183eaa5e6f2421df2c714c"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "link_clicks" DROP CONSTRAINT "FK_e71d5183eaa5e6f2421df2c714c"`);
    await queryRunner.query(`ALTER TABLE "tracked_links" DROP CONSTRAINT "tracked_links_brand_id_key"`);
    await queryRunner.query(
      `ALTER TABLE "link_clicks" ADD CONSTRAINT "FK_a298f7ba758d106f2e257a089df" FOREIGN KEY ("link_id") REFERENCES "tracked_links"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "link_clicks" ADD CONSTRAINT "FK_3505cbd732847a1d400304c5447" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }
}
