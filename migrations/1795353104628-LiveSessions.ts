import { MigrationInterface, QueryRunner } from 'typeorm';

export class LiveSessions1795353104628 implements MigrationInterface {
  name = 'LiveSessions1795353104628';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "live_settings" ("brand_id" uuid NOT NULL, "now_live_quiet_hours_exempt" boolean NOT NULL DEFAULT false, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b751796ba6670aa7a5c6f833e0c" PRIMARY KEY ("brand_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "live_rsvps" ("session_id" uuid NOT NULL, "member_id" uuid NOT NULL, "brand_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_9cf4863fa662ac36134baac3098" PRIMARY KEY ("session_id", "member_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "live_rsvps_member_idx" ON "live_rsvps" ("brand_id", "member_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "live_sessions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "title" character varying(200) NOT NULL, "platform" character varying(20) NOT NULL, "room_url" character varying(2000), "finder_id" character varying(64), "cover_image_url" character varying(2000), "host" character varying(120), "planned_start_at" TIMESTAMP WITH TIME ZONE NOT NULL, "planned_end_at" TIMESTAMP WITH TIME ZONE NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'planned', "group_ids" uuid array NOT NULL DEFAULT '{}', "segment_ids" uuid array NOT NULL DEFAULT '{}', "coupon_template_id" uuid, "coupon_grace_minutes" integer NOT NULL DEFAULT '30', "rsvp_count" integer NOT NULL DEFAULT '0', "started_at" TIMESTAMP WITH TIME ZONE, "ended_at" TIMESTAMP WITH TIME ZONE, "cancelled_at" TIMESTAMP WITH TIME ZONE, "created_by_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "live_sessions_counts" CHECK (rsvp_count >= 0 AND coupon_grace_minutes >= 0), CONSTRAINT "live_sessions_title_not_blank" CHECK (btrim(title) <> ''), CONSTRAINT "live_sessions_window" CHECK (planned_end_at > planned_start_at), CONSTRAINT "live_sessions_platform" CHECK (platform IN ('wechat_channels', 'taobao_live', 'douyin', 'other')), CONSTRAINT "live_sessions_status" CHECK (status IN ('planned', 'live', 'ended', 'cancelled')), CONSTRAINT "PK_cc3225418b55b1e022dbfb6dca5" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "live_sessions_brand_created_idx" ON "live_sessions" ("brand_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "live_reminders" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "session_id" uuid NOT NULL, "kind" character varying(16) NOT NULL, "minutes" integer, "text" text NOT NULL, "position" integer NOT NULL, "due_at" TIMESTAMP WITH TIME ZONE NOT NULL, "status" character varying(16) NOT NULL, "reason" text, "group_campaign_id" uuid, "member_campaign_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "live_reminders_minutes" CHECK (minutes IS NULL OR minutes >= 0), CONSTRAINT "live_reminders_status" CHECK (status IN ('scheduled', 'sent', 'skipped', 'cancelled', 'failed')), CONSTRAINT "live_reminders_kind" CHECK (kind IN ('day_before', 'before_start', 'now_live', 'after_end', 'cancel_notice')), CONSTRAINT "PK_977ea9cb9cf4c66214e368fd419" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "live_reminders_session_idx" ON "live_reminders" ("session_id", "position") `,
    );
    await queryRunner.query(
      `CREATE TABLE "live_products" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "session_id" uuid NOT NULL, "name" character varying(200) NOT NULL, "price_minor" bigint NOT NULL, "image_url" character varying(2000), "destination_url" character varying(2000) NOT NULL, "link_id" uuid, "position" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "live_products_price" CHECK (price_minor >= 0), CONSTRAINT "PK_5a4c9277623dc57e915e5beb2dc" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "live_products_session_idx" ON "live_products" ("session_id", "position") `,
    );
    await queryRunner.query(
      `ALTER TABLE "live_settings" ADD CONSTRAINT "FK_b751796ba6670aa7a5c6f833e0c" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "live_rsvps" ADD CONSTRAINT "FK_821adb4556e212b5b3b2eb11be8" FOREIGN KEY ("session_id") REFERENCES "live_sessions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "live_rsvps" ADD CONSTRAINT "FK_fb1dafa58b6eadb6b677ef4094e" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "live_sessions" ADD CONSTRAINT "FK_00efcb0624e0e3f8128b20f67c1" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "live_reminders" ADD CONSTRAINT "FK_b36a772e4ce9edb8dfae90dd243" FOREIGN KEY ("session_id") REFERENCES "live_sessions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "live_products" ADD CONSTRAINT "FK_bdeebde63726abeb78509a16ce8" FOREIGN KEY ("session_id") REFERENCES "live_sessions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "live_products" DROP CONSTRAINT "FK_bdeebde63726abeb78509a16ce8"`);
    await queryRunner.query(`ALTER TABLE "live_reminders" DROP CONSTRAINT "FK_b36a772e4ce9edb8dfae90dd243"`);
    await queryRunner.query(`ALTER TABLE "live_sessions" DROP CONSTRAINT "FK_00efcb0624e0e3f8128b20f67c1"`);
    await queryRunner.query(`ALTER TABLE "live_rsvps" DROP CONSTRAINT "FK_fb1dafa58b6eadb6b677ef4094e"`);
    await queryRunner.query(`ALTER TABLE "live_rsvps" DROP CONSTRAINT "FK_821adb4556e212b5b3b2eb11be8"`);
    await queryRunner.query(`ALTER TABLE "live_settings" DROP CONSTRAINT "FK_b751796ba6670aa7a5c6f833e0c"`);
    await queryRunner.query(`DROP INDEX "public"."live_products_session_idx"`);
    await queryRunner.query(`DROP TABLE "live_products"`);
    await queryRunner.query(`DROP INDEX "public"."live_reminders_session_idx"`);
    await queryRunner.query(`DROP TABLE "live_reminders"`);
    await queryRunner.query(`DROP INDEX "public"."live_sessions_brand_created_idx"`);
    await queryRunner.query(`DROP TABLE "live_sessions"`);
    await queryRunner.query(`DROP INDEX "public"."live_rsvps_member_idx"`);
    await queryRunner.query(`DROP TABLE "live_rsvps"`);
    await queryRunner.query(`DROP TABLE "live_settings"`);
  }
}
