import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The delivery ledger loses (campaign_id, id): every claim, recount and progress read names a
 * chunk's id range, which the primary key serves (the campaign filter on the rows), and what filters
 * by campaign alone is served by the unique (campaign_id, recipient_key). One index entry fewer for
 * each of a delivery's three writes (snapshot, claim, outcome).
 */
export class CampaignDeliveriesLeanIndexes1795341758975 implements MigrationInterface {
  name = 'CampaignDeliveriesLeanIndexes1795341758975';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."campaign_deliveries_campaign_id_idx"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "campaign_deliveries_campaign_id_idx" ON "campaign_deliveries" ("campaign_id", "id") `,
    );
  }
}
