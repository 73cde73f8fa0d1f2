import { MigrationInterface, QueryRunner } from 'typeorm';

export class LinkClicksDevice1795365311049 implements MigrationInterface {
  name = 'LinkClicksDevice1795365311049';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "link_clicks" ADD "device_hash" character varying(64)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "link_clicks" DROP COLUMN "device_hash"`);
  }
}
