import { MigrationInterface, QueryRunner } from 'typeorm';

export class Segments1795324197357 implements MigrationInterface {
  name = 'Segments1795324197357';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "segments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "name" character varying(120) NOT NULL, "description" character varying(500), "rule" jsonb NOT NULL, "include_erased" boolean NOT NULL DEFAULT false, "member_count" integer, "counted_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "segments_member_count" CHECK (member_count IS NULL OR member_count >= 0), CONSTRAINT "segments_name_not_blank" CHECK (btrim(name) <> ''), CONSTRAINT "PK_beff1eec19679fe8ad4f291f04e" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "segments_brand_name_key" ON "segments" ("brand_id", "name") `,
    );
    await queryRunner.query(
      `CREATE TABLE "segment_snapshots" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "segment_id" uuid, "rule" jsonb NOT NULL, "label" character varying(120), "member_count" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "segment_snapshots_member_count" CHECK (member_count >= 0), CONSTRAINT "PK_1c8419d2a06c65eec3f9e091a47" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "segment_snapshots_segment_idx" ON "segment_snapshots" ("brand_id", "segment_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "segment_snapshot_members" ("snapshot_id" uuid NOT NULL, "member_id" uuid NOT NULL, "brand_id" uuid NOT NULL, CONSTRAINT "PK_1df2fafcc5ced4ea1e9dc63ea1e" PRIMARY KEY ("snapshot_id", "member_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "segment_snapshot_members_member_idx" ON "segment_snapshot_members" ("member_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "rfm_runs" ("brand_id" uuid NOT NULL, "computed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "scored_members" integer NOT NULL, "trigger" character varying(16) NOT NULL, "duration_ms" integer NOT NULL, CONSTRAINT "PK_16e2541135a157d6cf20bf2e526" PRIMARY KEY ("brand_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "member_rfm" ("member_id" uuid NOT NULL, "brand_id" uuid NOT NULL, "last_order_at" TIMESTAMP WITH TIME ZONE NOT NULL, "frequency" integer NOT NULL, "monetary_minor" bigint NOT NULL, "r" smallint NOT NULL, "f" smallint NOT NULL, "m" smallint NOT NULL, "rfm_group" character varying(24) NOT NULL, "computed_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "member_rfm_group" CHECK (rfm_group IN ('champions', 'loyal', 'potential_loyalist', 'new', 'promising', 'need_attention', 'about_to_sleep', 'cant_lose_them', 'at_risk', 'lost', 'hibernating')), CONSTRAINT "member_rfm_scores" CHECK (r BETWEEN 1 AND 5 AND f BETWEEN 1 AND 5 AND m BETWEEN 1 AND 5), CONSTRAINT "PK_616a1d499c1e8d686635c651c0c" PRIMARY KEY ("member_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "member_rfm_brand_group_idx" ON "member_rfm" ("brand_id", "rfm_group") `,
    );
    // Hand-written (the Order entity marks it synchronize: false): segments' windowed order counts and
    // spend per member as index-only scans over counted orders.
    await queryRunner.query(
      `CREATE INDEX "orders_counted_member_placed_idx" ON "orders" ("member_id", "placed_at") INCLUDE ("amount_minor", "refunded_minor") WHERE status IN ('paid', 'partially_refunded')`,
    );
    await queryRunner.query(
      `ALTER TABLE "segments" ADD CONSTRAINT "FK_3dbbb4c2aa901ab7d45cff89ce7" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "segment_snapshots" ADD CONSTRAINT "FK_0b195e5dbeabb46fcf3614e9e9b" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "segment_snapshots" ADD CONSTRAINT "FK_20d7dd5bf539a439f0b423ad3b6" FOREIGN KEY ("segment_id") REFERENCES "segments"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "segment_snapshot_members" ADD CONSTRAINT "FK_bd2407a1128912cca50f539ddb1" FOREIGN KEY ("snapshot_id") REFERENCES "segment_snapshots"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "segment_snapshot_members" ADD CONSTRAINT "FK_b34b84415594314e1999ec19ca6" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "rfm_runs" ADD CONSTRAINT "FK_16e2541135a157d6cf20bf2e526" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "member_rfm" ADD CONSTRAINT "FK_616a1d499c1e8d686635c651c0c" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "member_rfm" ADD CONSTRAINT "FK_654190417bf592ae9888fc18152" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "member_rfm" DROP CONSTRAINT "FK_654190417bf592ae9888fc18152"`);
    await queryRunner.query(`ALTER TABLE "member_rfm" DROP CONSTRAINT "FK_616a1d499c1e8d686635c651c0c"`);
    await queryRunner.query(`ALTER TABLE "rfm_runs" DROP CONSTRAINT "FK_16e2541135a157d6cf20bf2e526"`);
    await queryRunner.query(
      `ALTER TABLE "segment_snapshot_members" DROP CONSTRAINT "FK_b34b84415594314e1999ec19ca6"`,
    );
    await queryRunner.query(
      `ALTER TABLE "segment_snapshot_members" DROP CONSTRAINT "FK_bd2407a1128912cca50f539ddb1"`,
    );
    await queryRunner.query(
      `ALTER TABLE "segment_snapshots" DROP CONSTRAINT "FK_20d7dd5bf539a439f0b423ad3b6"`,
    );
    await queryRunner.query(
      `ALTER TABLE "segment_snapshots" DROP CONSTRAINT "FK_0b195e5dbeabb46fcf3614e9e9b"`,
    );
    await queryRunner.query(`ALTER TABLE "segments" DROP CONSTRAINT "FK_3dbbb4c2aa901ab7d45cff89ce7"`);
    await queryRunner.query(`DROP INDEX "public"."orders_counted_member_placed_idx"`);
    await queryRunner.query(`DROP INDEX "public"."member_rfm_brand_group_idx"`);
    await queryRunner.query(`DROP TABLE "member_rfm"`);
    await queryRunner.query(`DROP TABLE "rfm_runs"`);
    await queryRunner.query(`DROP INDEX "public"."segment_snapshot_members_member_idx"`);
    await queryRunner.query(`DROP TABLE "segment_snapshot_members"`);
    await queryRunner.query(`DROP INDEX "public"."segment_snapshots_segment_idx"`);
    await queryRunner.query(`DROP TABLE "segment_snapshots"`);
    await queryRunner.query(`DROP INDEX "public"."segments_brand_name_key"`);
    await queryRunner.query(`DROP TABLE "segments"`);
  }
}
