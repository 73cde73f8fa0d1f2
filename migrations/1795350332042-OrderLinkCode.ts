import { MigrationInterface, QueryRunner } from 'typeorm';

export class OrderLinkCode1795350332042 implements MigrationInterface {
  name = 'OrderLinkCode1795350332042';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "orders" ADD "link_code" character varying(32)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "orders" DROP COLUMN "link_code"`);
  }
}
