import { MigrationInterface, QueryRunner } from 'typeorm';

export class Campaigns1795333793465 implements MigrationInterface {
  name = 'Campaigns1795333793465';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "campaigns" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "name" character varying(120) NOT NULL, "channel" character varying(16) NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'draft', "audience" jsonb NOT NULL, "variants" jsonb NOT NULL, "oa_app_id" uuid, "sender" character varying(64), "quiet_hours_exempt" boolean NOT NULL DEFAULT false, "frequency_cap_exempt" boolean NOT NULL DEFAULT false, "send_at" TIMESTAMP WITH TIME ZONE, "send_at_local" character varying(19), "time_zone" character varying(64), "schedule_version" integer NOT NULL DEFAULT '0', "audience_size" integer, "snapshot_ms" integer, "held_until" TIMESTAMP WITH TIME ZONE, "failure_reason" text, "round" integer NOT NULL DEFAULT '0', "started_at" TIMESTAMP WITH TIME ZONE, "completed_at" TIMESTAMP WITH TIME ZONE, "cancelled_at" TIMESTAMP WITH TIME ZONE, "created_by_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "campaigns_name_not_blank" CHECK (btrim(name) <> ''), CONSTRAINT "campaigns_channel" CHECK (channel IN ('wecom_group', 'wecom_single', 'oa')), CONSTRAINT "campaigns_status" CHECK (status IN ('draft', 'scheduled', 'sending', 'paused', 'completed', 'cancelled', 'failed')), CONSTRAINT "PK_831e3fcd4fc45b4e4c3f57a9ee4" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "campaigns_active_idx" ON "campaigns" ("status", "id") WHERE status IN ('scheduled', 'sending', 'cancelled')`,
    );
    await queryRunner.query(
      `CREATE INDEX "campaigns_brand_created_idx" ON "campaigns" ("brand_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "campaign_tasks" ("id" BIGSERIAL NOT NULL, "campaign_id" uuid NOT NULL, "brand_id" uuid NOT NULL, "kind" character varying(16) NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'submitting', "sender" character varying(64), "msgid" character varying(128), "polls" integer NOT NULL DEFAULT '0', "next_poll_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "deadline" TIMESTAMP WITH TIME ZONE NOT NULL, "error" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "campaign_tasks_status" CHECK (status IN ('submitting', 'open', 'done', 'cancelled', 'unknown')), CONSTRAINT "PK_b772edcdcdaf504517ab9371374" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "campaign_tasks_open_idx" ON "campaign_tasks" ("status", "id") WHERE status IN ('submitting', 'open')`,
    );
    await queryRunner.query(
      `CREATE INDEX "campaign_tasks_campaign_idx" ON "campaign_tasks" ("campaign_id", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "campaign_deliveries" ("id" BIGSERIAL NOT NULL, "campaign_id" uuid NOT NULL, "brand_id" uuid NOT NULL, "recipient_key" uuid NOT NULL, "member_id" uuid, "group_id" uuid, "variant" smallint NOT NULL DEFAULT '0', "address" character varying(128), "sender" character varying(64), "status" character varying(16) NOT NULL DEFAULT 'pending', "reason" character varying(64), "errcode" integer, "error" text, "attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE, "claimed_at" TIMESTAMP WITH TIME ZONE, "lease_until" TIMESTAMP WITH TIME ZONE, "task_id" bigint, "provider_message_id" character varying(128), "sent_at" TIMESTAMP WITH TIME ZONE, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "campaign_deliveries_recipient" CHECK (member_id IS NOT NULL OR group_id IS NOT NULL), CONSTRAINT "campaign_deliveries_status" CHECK (status IN ('pending', 'retry', 'sending', 'submitted', 'sent', 'skipped', 'failed', 'cancelled')), CONSTRAINT "PK_15845ec71a019d0a15f13153296" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "campaign_deliveries_task_idx" ON "campaign_deliveries" ("task_id") WHERE task_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "campaign_deliveries_reasons_idx" ON "campaign_deliveries" ("campaign_id", "status", "reason") WHERE status IN ('skipped', 'failed', 'cancelled')`,
    );
    await queryRunner.query(
      `CREATE INDEX "campaign_deliveries_group_recent_idx" ON "campaign_deliveries" ("group_id", "claimed_at") WHERE group_id IS NOT NULL AND claimed_at IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "campaign_deliveries_member_recent_idx" ON "campaign_deliveries" ("member_id", "claimed_at") WHERE member_id IS NOT NULL AND claimed_at IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "campaign_deliveries_campaign_id_idx" ON "campaign_deliveries" ("campaign_id", "id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "campaign_deliveries_recipient_key" ON "campaign_deliveries" ("campaign_id", "recipient_key") `,
    );
    await queryRunner.query(
      `CREATE TABLE "campaign_chunks" ("id" BIGSERIAL NOT NULL, "campaign_id" uuid NOT NULL, "chunk_no" integer NOT NULL, "first_id" bigint NOT NULL, "last_id" bigint NOT NULL, "total" integer NOT NULL, "status" character varying(8) NOT NULL DEFAULT 'open', "counts" jsonb NOT NULL DEFAULT '{}', "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "campaign_chunks_range" CHECK (first_id <= last_id), CONSTRAINT "campaign_chunks_status" CHECK (status IN ('open', 'done')), CONSTRAINT "PK_9b325863c706616c6366f402664" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "campaign_chunks_open_idx" ON "campaign_chunks" ("campaign_id", "id") WHERE status = 'open'`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "campaign_chunks_campaign_no_key" ON "campaign_chunks" ("campaign_id", "chunk_no") `,
    );
    await queryRunner.query(
      `ALTER TABLE "campaigns" ADD CONSTRAINT "FK_cd8ba988ed1ce77f807c8f900c4" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "campaign_tasks" ADD CONSTRAINT "FK_e50337e5585d9b16f633db6e2ab" FOREIGN KEY ("campaign_id") REFERENCES "campaigns"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "campaign_deliveries" ADD CONSTRAINT "FK_a9f0c6b8dc3a040b99460538a8d" FOREIGN KEY ("campaign_id") REFERENCES "campaigns"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "campaign_chunks" ADD CONSTRAINT "FK_387bd243120af606854c2d1f9d1" FOREIGN KEY ("campaign_id") REFERENCES "campaigns"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "campaign_chunks" DROP CONSTRAINT "FK_387bd243120af606854c2d1f9d1"`);
    await queryRunner.query(
      `ALTER TABLE "campaign_deliveries" DROP CONSTRAINT "FK_a9f0c6b8dc3a040b99460538a8d"`,
    );
    await queryRunner.query(`ALTER TABLE "campaign_tasks" DROP CONSTRAINT "FK_e50337e5585d9b16f633db6e2ab"`);
    await queryRunner.query(`ALTER TABLE "campaigns" DROP CONSTRAINT "FK_cd8ba988ed1ce77f807c8f900c4"`);
    await queryRunner.query(`DROP INDEX "public"."campaign_chunks_campaign_no_key"`);
    await queryRunner.query(`DROP INDEX "public"."campaign_chunks_open_idx"`);
    await queryRunner.query(`DROP TABLE "campaign_chunks"`);
    await queryRunner.query(`DROP INDEX "public"."campaign_deliveries_recipient_key"`);
    await queryRunner.query(`DROP INDEX "public"."campaign_deliveries_campaign_id_idx"`);
    await queryRunner.query(`DROP INDEX "public"."campaign_deliveries_member_recent_idx"`);
    await queryRunner.query(`DROP INDEX "public"."campaign_deliveries_group_recent_idx"`);
    await queryRunner.query(`DROP INDEX "public"."campaign_deliveries_reasons_idx"`);
    await queryRunner.query(`DROP INDEX "public"."campaign_deliveries_task_idx"`);
    await queryRunner.query(`DROP TABLE "campaign_deliveries"`);
    await queryRunner.query(`DROP INDEX "public"."campaign_tasks_campaign_idx"`);
    await queryRunner.query(`DROP INDEX "public"."campaign_tasks_open_idx"`);
    await queryRunner.query(`DROP TABLE "campaign_tasks"`);
    await queryRunner.query(`DROP INDEX "public"."campaigns_brand_created_idx"`);
    await queryRunner.query(`DROP INDEX "public"."campaigns_active_idx"`);
    await queryRunner.query(`DROP TABLE "campaigns"`);
  }
}
