import { MigrationInterface, QueryRunner } from 'typeorm';

export class OrderSequence1795360560995 implements MigrationInterface {
  name = 'OrderSequence1795360560995';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "order_sequence" ("order_id" uuid NOT NULL, "brand_id" uuid NOT NULL, "member_id" uuid NOT NULL, "placed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "seq" integer NOT NULL, "prev_at" TIMESTAMP WITH TIME ZONE, "next_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_c17f28e898346a3dc7d4706d5c5" PRIMARY KEY ("order_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "order_sequence_member_idx" ON "order_sequence" ("member_id") `);
    await queryRunner.query(
      `CREATE INDEX "order_sequence_brand_placed_idx" ON "order_sequence" ("brand_id", "placed_at") `,
    );
    await queryRunner.query(
      `ALTER TABLE "order_sequence" ADD CONSTRAINT "FK_c17f28e898346a3dc7d4706d5c5" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    // Written by hand: the existing orders' sequence (commerce's order-sequence.ts keeps it from here on).
    await queryRunner.query(`INSERT INTO "order_sequence" ("order_id", "brand_id", "member_id", "placed_at", "seq", "prev_at", "next_at")
      SELECT o.id, o.brand_id, o.member_id, o.placed_at, row_number() OVER w, lag(o.placed_at) OVER w, lead(o.placed_at) OVER w
        FROM orders o
       WHERE o.member_id IS NOT NULL AND o.status IN ('paid', 'partially_refunded')
      WINDOW w AS (PARTITION BY o.member_id ORDER BY o.placed_at, o.id)`);
    await queryRunner.query(
      `CREATE INDEX "order_sequence_second_idx" ON "order_sequence" ("brand_id", "placed_at") INCLUDE ("prev_at", "member_id") WHERE seq = 2`,
    );
    await queryRunner.query(`ANALYZE "order_sequence"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "order_sequence" DROP CONSTRAINT "FK_c17f28e898346a3dc7d4706d5c5"`);
    await queryRunner.query(`DROP INDEX "public"."order_sequence_second_idx"`);
    await queryRunner.query(`DROP INDEX "public"."order_sequence_brand_placed_idx"`);
    await queryRunner.query(`DROP INDEX "public"."order_sequence_member_idx"`);
    await queryRunner.query(`DROP TABLE "order_sequence"`);
  }
}
