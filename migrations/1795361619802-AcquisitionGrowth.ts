import { MigrationInterface, QueryRunner } from 'typeorm';

export class AcquisitionGrowth1795361619802 implements MigrationInterface {
  name = 'AcquisitionGrowth1795361619802';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "acquisition_referral_rewards" ("id" BIGSERIAL NOT NULL, "brand_id" uuid NOT NULL, "campaign_id" uuid NOT NULL, "inviter_member_id" uuid NOT NULL, "tier" smallint NOT NULL, "invites_required" integer NOT NULL, "coupon_template_id" uuid NOT NULL, "coupon_id" uuid, "status" character varying(10) NOT NULL, "refusal" character varying(40), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "acquisition_referral_rewards_issued" CHECK ((status = 'issued') = (coupon_id IS NOT NULL)), CONSTRAINT "acquisition_referral_rewards_status" CHECK (status IN ('pending', 'issued', 'refused')), CONSTRAINT "PK_d8c54c0c35fb18e0a6bb670b6e8" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "acquisition_referral_rewards_key" ON "acquisition_referral_rewards" ("campaign_id", "inviter_member_id", "tier") `,
    );
    await queryRunner.query(
      `CREATE TABLE "acquisition_referral_invitees" ("id" BIGSERIAL NOT NULL, "brand_id" uuid NOT NULL, "campaign_id" uuid NOT NULL, "invite_id" uuid NOT NULL, "inviter_member_id" uuid NOT NULL, "invitee_member_id" uuid, "external_userid" character varying(64) NOT NULL, "via" character varying(8) NOT NULL, "staff_userid" character varying(64), "chat_id" character varying(64), "joined_at" TIMESTAMP WITH TIME ZONE NOT NULL, "window_ends_at" TIMESTAMP WITH TIME ZONE NOT NULL, "status" character varying(10) NOT NULL, "refused_reason" character varying(16), "lost_at" TIMESTAMP WITH TIME ZONE, "settled_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "acquisition_referral_invitees_refused" CHECK ((status = 'refused') = (refused_reason IS NOT NULL) AND (refused_reason IS NULL OR refused_reason IN ('self', 'known', 'outside_window'))), CONSTRAINT "acquisition_referral_invitees_via" CHECK (via IN ('contact', 'group')), CONSTRAINT "acquisition_referral_invitees_status" CHECK (status IN ('pending', 'retained', 'lost', 'refused')), CONSTRAINT "PK_83236a5516e832a49b62aeb50ca" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "acquisition_referral_invitees_external_idx" ON "acquisition_referral_invitees" ("brand_id", "external_userid") `,
    );
    await queryRunner.query(
      `CREATE INDEX "acquisition_referral_invitees_due_idx" ON "acquisition_referral_invitees" ("window_ends_at") WHERE status = 'pending'`,
    );
    await queryRunner.query(
      `CREATE INDEX "acquisition_referral_invitees_inviter_idx" ON "acquisition_referral_invitees" ("campaign_id", "inviter_member_id", "status") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "acquisition_referral_invitees_key" ON "acquisition_referral_invitees" ("campaign_id", "external_userid") `,
    );
    await queryRunner.query(
      `CREATE TABLE "acquisition_referral_invites" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "campaign_id" uuid NOT NULL, "member_id" uuid NOT NULL, "code" character varying(16) NOT NULL, "state" character varying(30) NOT NULL, "config_id" character varying(64) NOT NULL, "qr_code" text, "join_config_id" character varying(64), "join_qr_code" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_5f39d07e1e76cd7541c1436ead7" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "acquisition_referral_invites_code_key" ON "acquisition_referral_invites" ("code") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "acquisition_referral_invites_state_key" ON "acquisition_referral_invites" ("brand_id", "state") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "acquisition_referral_invites_member_key" ON "acquisition_referral_invites" ("campaign_id", "member_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "acquisition_referral_campaigns" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "name" character varying(80) NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'active', "starts_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ends_at" TIMESTAMP WITH TIME ZONE, "retention_hours" integer NOT NULL DEFAULT '24', "staff_userids" text array NOT NULL, "group_chat_ids" text array NOT NULL DEFAULT '{}', "skip_verify" boolean NOT NULL DEFAULT true, "source_channel" character varying(32), "utm" jsonb NOT NULL DEFAULT '{}', "tag_ids" uuid array NOT NULL DEFAULT '{}', "welcome" jsonb, "tiers" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "acquisition_referral_campaigns_window" CHECK (ends_at IS NULL OR ends_at > starts_at), CONSTRAINT "acquisition_referral_campaigns_retention" CHECK (retention_hours BETWEEN 0 AND 720), CONSTRAINT "acquisition_referral_campaigns_status" CHECK (status IN ('active', 'ended')), CONSTRAINT "PK_48f6e9535da7e337c4d1c6dc79e" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "acquisition_referral_campaigns_brand_created_idx" ON "acquisition_referral_campaigns" ("brand_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "acquisition_join_ways" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "name" character varying(60) NOT NULL, "state" character varying(30) NOT NULL, "config_id" character varying(64), "qr_code" text, "chat_ids" text array NOT NULL, "active_chat_ids" text array NOT NULL DEFAULT '{}', "full_chat_ids" text array NOT NULL DEFAULT '{}', "auto_create_room" boolean NOT NULL DEFAULT false, "room_base_name" character varying(40), "room_base_id" integer, "group_limit" integer NOT NULL DEFAULT '500', "welcome_text" text, "welcome_template_id" character varying(64), "status" character varying(16) NOT NULL DEFAULT 'active', "rolled_over_at" TIMESTAMP WITH TIME ZONE, "deleted_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "acquisition_join_ways_deleted" CHECK ((status = 'deleted') = (deleted_at IS NOT NULL)), CONSTRAINT "acquisition_join_ways_pool" CHECK (cardinality(chat_ids) BETWEEN 1 AND 20 AND cardinality(active_chat_ids) <= 5), CONSTRAINT "acquisition_join_ways_group_limit" CHECK (group_limit BETWEEN 1 AND 500), CONSTRAINT "acquisition_join_ways_status" CHECK (status IN ('active', 'full', 'deleted')), CONSTRAINT "PK_f15b1b662e31344b075ed5291ab" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "acquisition_join_ways_brand_created_idx" ON "acquisition_join_ways" ("brand_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "acquisition_join_ways_state_key" ON "acquisition_join_ways" ("brand_id", "state") WHERE deleted_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "acquisition_join_way_joins" ("id" BIGSERIAL NOT NULL, "brand_id" uuid NOT NULL, "join_way_id" uuid NOT NULL, "chat_id" character varying(64) NOT NULL, "userid" character varying(64) NOT NULL, "joined_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d8f20258292add62bdd942564a8" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "acquisition_join_way_joins_brand_idx" ON "acquisition_join_way_joins" ("brand_id", "joined_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "acquisition_join_way_joins_key" ON "acquisition_join_way_joins" ("join_way_id", "chat_id", "userid", "joined_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "acquisition_churn_settings" ("brand_id" uuid NOT NULL, "app_alerts" boolean NOT NULL DEFAULT false, "agent_id" integer, "webhook_url" character varying(500), "webhook_secret_sealed" text, "alert_on" character varying(10) NOT NULL DEFAULT 'customer', "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "acquisition_churn_settings_webhook" CHECK ((webhook_url IS NULL) = (webhook_secret_sealed IS NULL)), CONSTRAINT "acquisition_churn_settings_app" CHECK (NOT app_alerts OR agent_id IS NOT NULL), CONSTRAINT "acquisition_churn_settings_alert_on" CHECK (alert_on IN ('customer', 'both')), CONSTRAINT "PK_803a64762c98bd31ec2aa64da91" PRIMARY KEY ("brand_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "acquisition_churn_events" ("id" BIGSERIAL NOT NULL, "brand_id" uuid NOT NULL, "member_id" uuid, "staff_userid" character varying(64) NOT NULL, "external_userid" character varying(64) NOT NULL, "ended_by" character varying(10) NOT NULL, "state" character varying(64), "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "acquisition_churn_events_ended_by" CHECK (ended_by IN ('staff', 'customer')), CONSTRAINT "PK_c743b9fb9f84ee732a54cbe65e9" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "acquisition_churn_events_member_idx" ON "acquisition_churn_events" ("member_id") WHERE member_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "acquisition_churn_events_brand_time_idx" ON "acquisition_churn_events" ("brand_id", "occurred_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "acquisition_churn_events_key" ON "acquisition_churn_events" ("brand_id", "staff_userid", "external_userid", "occurred_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "acquisition_churn_alerts" ("id" BIGSERIAL NOT NULL, "brand_id" uuid NOT NULL, "churn_event_id" bigint NOT NULL, "channel" character varying(10) NOT NULL, "status" character varying(10) NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "last_error" text, "locked_until" TIMESTAMP WITH TIME ZONE, "sent_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "acquisition_churn_alerts_status" CHECK (status IN ('pending', 'sending', 'sent', 'failed')), CONSTRAINT "acquisition_churn_alerts_channel" CHECK (channel IN ('wecom_app', 'webhook')), CONSTRAINT "PK_dc086aa4a0c1ff9c8eef52497e0" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "acquisition_churn_alerts_open_idx" ON "acquisition_churn_alerts" ("id") WHERE status IN ('pending', 'sending')`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "acquisition_churn_alerts_key" ON "acquisition_churn_alerts" ("churn_event_id", "channel") `,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_referral_rewards" ADD CONSTRAINT "FK_8679ca5b7d01da3992f760ed0bb" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_referral_rewards" ADD CONSTRAINT "FK_8b995b2f3881ba150475799e015" FOREIGN KEY ("campaign_id") REFERENCES "acquisition_referral_campaigns"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_referral_rewards" ADD CONSTRAINT "FK_6ce6ad518e27a031c002d5299a4" FOREIGN KEY ("inviter_member_id") REFERENCES "members"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_referral_invitees" ADD CONSTRAINT "FK_538e520b7dc2118de7a2201aff2" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_referral_invitees" ADD CONSTRAINT "FK_c62e0cf8cd0371d9fc0aeaa0a04" FOREIGN KEY ("campaign_id") REFERENCES "acquisition_referral_campaigns"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_referral_invitees" ADD CONSTRAINT "FK_b9668d41a934a1e2ca0d5007325" FOREIGN KEY ("invite_id") REFERENCES "acquisition_referral_invites"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_referral_invites" ADD CONSTRAINT "FK_eac5398995751b59c9efd9cdde1" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_referral_invites" ADD CONSTRAINT "FK_76ec24d571a732531a4aacbd0c1" FOREIGN KEY ("campaign_id") REFERENCES "acquisition_referral_campaigns"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_referral_invites" ADD CONSTRAINT "FK_c04e99fbf6af029aade9a898a75" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_referral_campaigns" ADD CONSTRAINT "FK_9b932c78cbe7ebc975dac2d3c4f" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_join_ways" ADD CONSTRAINT "FK_210943fcfc71113c97d9d4a8bd8" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_join_way_joins" ADD CONSTRAINT "FK_d1c77b94aa103ce59acc2fb12cf" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_join_way_joins" ADD CONSTRAINT "FK_9f833694a9d0122c467190555f1" FOREIGN KEY ("join_way_id") REFERENCES "acquisition_join_ways"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_churn_settings" ADD CONSTRAINT "FK_803a64762c98bd31ec2aa64da91" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_churn_events" ADD CONSTRAINT "FK_c077aa76b7530d41ccdf2229104" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_churn_events" ADD CONSTRAINT "FK_f053c4f5dee64f320bc14d098c6" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_churn_alerts" ADD CONSTRAINT "FK_d516b77164506bf6911d76b0339" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_churn_alerts" ADD CONSTRAINT "FK_42e13a53289d38dad6efcbbca61" FOREIGN KEY ("churn_event_id") REFERENCES "acquisition_churn_events"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "acquisition_churn_alerts" DROP CONSTRAINT "FK_42e13a53289d38dad6efcbbca61"`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_churn_alerts" DROP CONSTRAINT "FK_d516b77164506bf6911d76b0339"`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_churn_events" DROP CONSTRAINT "FK_f053c4f5dee64f320bc14d098c6"`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_churn_events" DROP CONSTRAINT "FK_c077aa76b7530d41ccdf2229104"`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_churn_settings" DROP CONSTRAINT "FK_803a64762c98bd31ec2aa64da91"`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_join_way_joins" DROP CONSTRAINT "FK_9f833694a9d0122c467190555f1"`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_join_way_joins" DROP CONSTRAINT "FK_d1c77b94aa103ce59acc2fb12cf"`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_join_ways" DROP CONSTRAINT "FK_210943fcfc71113c97d9d4a8bd8"`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_referral_campaigns" DROP CONSTRAINT "FK_9b932c78cbe7ebc975dac2d3c4f"`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_referral_invites" DROP CONSTRAINT "FK_c04e99fbf6af029aade9a898a75"`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_referral_invites" DROP CONSTRAINT "FK_76ec24d571a732531a4aacbd0c1"`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_referral_invites" DROP CONSTRAINT "FK_eac5398995751b59c9efd9cdde1"`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_referral_invitees" DROP CONSTRAINT "FK_b9668d41a934a1e2ca0d5007325"`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_referral_invitees" DROP CONSTRAINT "FK_c62e0cf8cd0371d9fc0aeaa0a04"`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_referral_invitees" DROP CONSTRAINT "FK_538e520b7dc2118de7a2201aff2"`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_referral_rewards" DROP CONSTRAINT "FK_6ce6ad518e27a031c002d5299a4"`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_referral_rewards" DROP CONSTRAINT "FK_8b995b2f3881ba150475799e015"`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_referral_rewards" DROP CONSTRAINT "FK_8679ca5b7d01da3992f760ed0bb"`,
    );
    await queryRunner.query(`DROP INDEX "public"."acquisition_churn_alerts_key"`);
    await queryRunner.query(`DROP INDEX "public"."acquisition_churn_alerts_open_idx"`);
    await queryRunner.query(`DROP TABLE "acquisition_churn_alerts"`);
    await queryRunner.query(`DROP INDEX "public"."acquisition_churn_events_key"`);
    await queryRunner.query(`DROP INDEX "public"."acquisition_churn_events_brand_time_idx"`);
    await queryRunner.query(`DROP INDEX "public"."acquisition_churn_events_member_idx"`);
    await queryRunner.query(`DROP TABLE "acquisition_churn_events"`);
    await queryRunner.query(`DROP TABLE "acquisition_churn_settings"`);
    await queryRunner.query(`DROP INDEX "public"."acquisition_join_way_joins_key"`);
    await queryRunner.query(`DROP INDEX "public"."acquisition_join_way_joins_brand_idx"`);
    await queryRunner.query(`DROP TABLE "acquisition_join_way_joins"`);
    await queryRunner.query(`DROP INDEX "public"."acquisition_join_ways_state_key"`);
    await queryRunner.query(`DROP INDEX "public"."acquisition_join_ways_brand_created_idx"`);
    await queryRunner.query(`DROP TABLE "acquisition_join_ways"`);
    await queryRunner.query(`DROP INDEX "public"."acquisition_referral_campaigns_brand_created_idx"`);
    await queryRunner.query(`DROP TABLE "acquisition_referral_campaigns"`);
    await queryRunner.query(`DROP INDEX "public"."acquisition_referral_invites_member_key"`);
    await queryRunner.query(`DROP INDEX "public"."acquisition_referral_invites_state_key"`);
    await queryRunner.query(`DROP INDEX "public"."acquisition_referral_invites_code_key"`);
    await queryRunner.query(`DROP TABLE "acquisition_referral_invites"`);
    await queryRunner.query(`DROP INDEX "public"."acquisition_referral_invitees_key"`);
    await queryRunner.query(`DROP INDEX "public"."acquisition_referral_invitees_inviter_idx"`);
    await queryRunner.query(`DROP INDEX "public"."acquisition_referral_invitees_due_idx"`);
    await queryRunner.query(`DROP INDEX "public"."acquisition_referral_invitees_external_idx"`);
    await queryRunner.query(`DROP TABLE "acquisition_referral_invitees"`);
    await queryRunner.query(`DROP INDEX "public"."acquisition_referral_rewards_key"`);
    await queryRunner.query(`DROP TABLE "acquisition_referral_rewards"`);
  }
}
