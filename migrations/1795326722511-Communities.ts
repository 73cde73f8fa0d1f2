import { MigrationInterface, QueryRunner } from 'typeorm';

export class Communities1795326722511 implements MigrationInterface {
  name = 'Communities1795326722511';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "community_sync_runs" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'pending', "page_size" integer NOT NULL DEFAULT '100', "cursor" text, "pages" integer NOT NULL DEFAULT '0', "groups_synced" integer NOT NULL DEFAULT '0', "groups_skipped" integer NOT NULL DEFAULT '0', "groups_dismissed" integer NOT NULL DEFAULT '0', "memberships_joined" integer NOT NULL DEFAULT '0', "memberships_left" integer NOT NULL DEFAULT '0', "members_created" integer NOT NULL DEFAULT '0', "attempts" integer NOT NULL DEFAULT '0', "run_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "locked_until" TIMESTAMP WITH TIME ZONE, "claim_token" uuid, "pass_started_at" TIMESTAMP WITH TIME ZONE, "completed_at" TIMESTAMP WITH TIME ZONE, "error_class" character varying(16), "errcode" integer, "error" text, "requested_by_type" character varying(16) NOT NULL, "requested_by_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "community_sync_runs_counts" CHECK (pages >= 0 AND groups_synced >= 0 AND groups_skipped >= 0 AND groups_dismissed >= 0 AND memberships_joined >= 0 AND memberships_left >= 0 AND members_created >= 0 AND attempts >= 0), CONSTRAINT "community_sync_runs_page_size" CHECK (page_size BETWEEN 1 AND 1000), CONSTRAINT "community_sync_runs_status" CHECK (status IN ('pending', 'running', 'completed', 'failed')), CONSTRAINT "PK_f76a5401aaa3d6003bfacfaf3bc" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "community_sync_runs_brand_idx" ON "community_sync_runs" ("brand_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "community_sync_runs_reconcile_idx" ON "community_sync_runs" ("status", "id") WHERE status IN ('pending', 'running')`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "community_sync_runs_open_key" ON "community_sync_runs" ("brand_id") WHERE status IN ('pending', 'running')`,
    );
    await queryRunner.query(
      `CREATE TABLE "community_staff" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "userid" character varying(64) NOT NULL, "name" character varying(80), "active" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "community_staff_userid" CHECK (userid <> ''), CONSTRAINT "PK_f8391902fc98f94b9cc1cbdc92d" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "community_staff_userid_key" ON "community_staff" ("brand_id", "userid") `,
    );
    await queryRunner.query(
      `CREATE TABLE "community_group_tags" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "name" character varying(60) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "community_group_tags_name" CHECK (btrim(name) <> ''), CONSTRAINT "PK_91ff8524ca1058c2256d8d947c7" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "community_group_tags_name_key" ON "community_group_tags" ("brand_id", "name") `,
    );
    await queryRunner.query(
      `CREATE TABLE "community_group_tag_links" ("group_id" uuid NOT NULL, "tag_id" uuid NOT NULL, "brand_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d916a25b2651f364f626cf48793" PRIMARY KEY ("group_id", "tag_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "community_group_tag_links_tag_idx" ON "community_group_tag_links" ("tag_id", "group_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "community_group_members" ("id" BIGSERIAL NOT NULL, "brand_id" uuid NOT NULL, "group_id" uuid NOT NULL, "userid" character varying(64) NOT NULL, "member_type" character varying(8) NOT NULL, "member_id" uuid, "joined_at" TIMESTAMP WITH TIME ZONE NOT NULL, "left_at" TIMESTAMP WITH TIME ZONE, "join_scene" smallint, "quit_scene" smallint, "invitor_userid" character varying(64), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "community_group_members_staff_unlinked" CHECK (member_type = 'external' OR member_id IS NULL), CONSTRAINT "community_group_members_stay" CHECK (left_at IS NULL OR left_at >= joined_at), CONSTRAINT "community_group_members_type" CHECK (member_type IN ('staff', 'external')), CONSTRAINT "PK_3ab02b57b058a65051ba37e7010" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "community_group_members_userid_idx" ON "community_group_members" ("brand_id", "userid") `,
    );
    await queryRunner.query(
      `CREATE INDEX "community_group_members_member_idx" ON "community_group_members" ("member_id", "group_id") WHERE member_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "community_group_members_group_idx" ON "community_group_members" ("group_id", "id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "community_group_members_active_key" ON "community_group_members" ("group_id", "userid") WHERE left_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "community_groups" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "chat_id" character varying(64) NOT NULL, "name" character varying(200) NOT NULL DEFAULT '', "owner_staff_id" uuid, "notice" text, "member_count" integer NOT NULL DEFAULT '0', "external_member_count" integer NOT NULL DEFAULT '0', "capacity" integer NOT NULL DEFAULT '500', "status" character varying(16) NOT NULL DEFAULT 'active', "wecom_status" smallint NOT NULL DEFAULT '0', "wecom_created_at" TIMESTAMP WITH TIME ZONE, "member_version" character varying(64), "dismissed_at" TIMESTAMP WITH TIME ZONE, "synced_at" TIMESTAMP WITH TIME ZONE, "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "needs_refresh" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "community_groups_chat_id" CHECK (chat_id <> ''), CONSTRAINT "community_groups_wecom_status" CHECK (wecom_status BETWEEN 0 AND 3), CONSTRAINT "community_groups_capacity" CHECK (capacity > 0), CONSTRAINT "community_groups_counts" CHECK (member_count >= 0 AND external_member_count >= 0 AND external_member_count <= member_count), CONSTRAINT "community_groups_dismissed" CHECK ((status = 'dismissed') = (dismissed_at IS NOT NULL)), CONSTRAINT "community_groups_status" CHECK (status IN ('active', 'dismissed')), CONSTRAINT "PK_c69dcd2be64285e2c7031894f3a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "community_groups_owner_idx" ON "community_groups" ("owner_staff_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "community_groups_brand_created_idx" ON "community_groups" ("brand_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "community_groups_chat_key" ON "community_groups" ("brand_id", "chat_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "community_contact_follows" ("id" BIGSERIAL NOT NULL, "brand_id" uuid NOT NULL, "staff_id" uuid NOT NULL, "external_userid" character varying(64) NOT NULL, "member_id" uuid, "status" character varying(8) NOT NULL, "state" character varying(64), "added_at" TIMESTAMP WITH TIME ZONE, "edited_at" TIMESTAMP WITH TIME ZONE, "ended_at" TIMESTAMP WITH TIME ZONE, "ended_by" character varying(16), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "community_contact_follows_ended" CHECK ((status = 'ended') = (ended_at IS NOT NULL) AND (ended_by IS NULL OR ended_by IN ('staff', 'customer'))), CONSTRAINT "community_contact_follows_status" CHECK (status IN ('active', 'ended')), CONSTRAINT "PK_ade21041459fd53f96d139b3f4e" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "community_contact_follows_external_idx" ON "community_contact_follows" ("brand_id", "external_userid") `,
    );
    await queryRunner.query(
      `CREATE INDEX "community_contact_follows_member_idx" ON "community_contact_follows" ("member_id") WHERE member_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "community_contact_follows_key" ON "community_contact_follows" ("brand_id", "staff_id", "external_userid") `,
    );
    await queryRunner.query(
      `ALTER TABLE "community_sync_runs" ADD CONSTRAINT "FK_51566915874566673a4bcbbc74b" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "community_staff" ADD CONSTRAINT "FK_6c5f00fe2ffcc918f9bfea5f0e6" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "community_group_tags" ADD CONSTRAINT "FK_b785ea1c073cab595c04d3ce080" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "community_group_tag_links" ADD CONSTRAINT "FK_61c984371b57f063a0f360c568f" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "community_group_tag_links" ADD CONSTRAINT "FK_232d3eb9cb2ad0945676cc8f65d" FOREIGN KEY ("group_id") REFERENCES "community_groups"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "community_group_tag_links" ADD CONSTRAINT "FK_3f98cd0ef2478585d960f819b46" FOREIGN KEY ("tag_id") REFERENCES "community_group_tags"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "community_group_members" ADD CONSTRAINT "FK_5dc45a03e333886a938a0ea882c" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "community_group_members" ADD CONSTRAINT "FK_f5e28a14e662385b42e346918cd" FOREIGN KEY ("group_id") REFERENCES "community_groups"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "community_group_members" ADD CONSTRAINT "FK_abf1c478d725a85c90bdd69a52d" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "community_groups" ADD CONSTRAINT "FK_29444fdb2c2ef53c06a9b740da7" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "community_groups" ADD CONSTRAINT "FK_da0b1a7fceacaa1a810d27dbc6e" FOREIGN KEY ("owner_staff_id") REFERENCES "community_staff"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "community_contact_follows" ADD CONSTRAINT "FK_fef5d9add02febc5cc61d3898f1" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "community_contact_follows" ADD CONSTRAINT "FK_d899f53cd1df4fe2a058c50f8ca" FOREIGN KEY ("staff_id") REFERENCES "community_staff"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "community_contact_follows" ADD CONSTRAINT "FK_be477e9026af621ea013702250f" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "community_contact_follows" DROP CONSTRAINT "FK_be477e9026af621ea013702250f"`,
    );
    await queryRunner.query(
      `ALTER TABLE "community_contact_follows" DROP CONSTRAINT "FK_d899f53cd1df4fe2a058c50f8ca"`,
    );
    await queryRunner.query(
      `ALTER TABLE "community_contact_follows" DROP CONSTRAINT "FK_fef5d9add02febc5cc61d3898f1"`,
    );
    await queryRunner.query(
      `ALTER TABLE "community_groups" DROP CONSTRAINT "FK_da0b1a7fceacaa1a810d27dbc6e"`,
    );
    await queryRunner.query(
      `ALTER TABLE "community_groups" DROP CONSTRAINT "FK_29444fdb2c2ef53c06a9b740da7"`,
    );
    await queryRunner.query(
      `ALTER TABLE "community_group_members" DROP CONSTRAINT "FK_abf1c478d725a85c90bdd69a52d"`,
    );
    await queryRunner.query(
      `ALTER TABLE "community_group_members" DROP CONSTRAINT "FK_f5e28a14e662385b42e346918cd"`,
    );
    await queryRunner.query(
      `ALTER TABLE "community_group_members" DROP CONSTRAINT "FK_5dc45a03e333886a938a0ea882c"`,
    );
    await queryRunner.query(
      `ALTER TABLE "community_group_tag_links" DROP CONSTRAINT "FK_3f98cd0ef2478585d960f819b46"`,
    );
    await queryRunner.query(
      `ALTER TABLE "community_group_tag_links" DROP CONSTRAINT "FK_232d3eb9cb2ad0945676cc8f65d"`,
    );
    await queryRunner.query(
      `ALTER TABLE "community_group_tag_links" DROP CONSTRAINT "FK_61c984371b57f063a0f360c568f"`,
    );
    await queryRunner.query(
      `ALTER TABLE "community_group_tags" DROP CONSTRAINT "FK_b785ea1c073cab595c04d3ce080"`,
    );
    await queryRunner.query(`ALTER TABLE "community_staff" DROP CONSTRAINT "FK_6c5f00fe2ffcc918f9bfea5f0e6"`);
    await queryRunner.query(
      `ALTER TABLE "community_sync_runs" DROP CONSTRAINT "FK_51566915874566673a4bcbbc74b"`,
    );
    await queryRunner.query(`DROP INDEX "public"."community_contact_follows_key"`);
    await queryRunner.query(`DROP INDEX "public"."community_contact_follows_member_idx"`);
    await queryRunner.query(`DROP INDEX "public"."community_contact_follows_external_idx"`);
    await queryRunner.query(`DROP TABLE "community_contact_follows"`);
    await queryRunner.query(`DROP INDEX "public"."community_groups_chat_key"`);
    await queryRunner.query(`DROP INDEX "public"."community_groups_brand_created_idx"`);
    await queryRunner.query(`DROP INDEX "public"."community_groups_owner_idx"`);
    await queryRunner.query(`DROP TABLE "community_groups"`);
    await queryRunner.query(`DROP INDEX "public"."community_group_members_active_key"`);
    await queryRunner.query(`DROP INDEX "public"."community_group_members_group_idx"`);
    await queryRunner.query(`DROP INDEX "public"."community_group_members_member_idx"`);
    await queryRunner.query(`DROP INDEX "public"."community_group_members_userid_idx"`);
    await queryRunner.query(`DROP TABLE "community_group_members"`);
    await queryRunner.query(`DROP INDEX "public"."community_group_tag_links_tag_idx"`);
    await queryRunner.query(`DROP TABLE "community_group_tag_links"`);
    await queryRunner.query(`DROP INDEX "public"."community_group_tags_name_key"`);
    await queryRunner.query(`DROP TABLE "community_group_tags"`);
    await queryRunner.query(`DROP INDEX "public"."community_staff_userid_key"`);
    await queryRunner.query(`DROP TABLE "community_staff"`);
    await queryRunner.query(`DROP INDEX "public"."community_sync_runs_open_key"`);
    await queryRunner.query(`DROP INDEX "public"."community_sync_runs_reconcile_idx"`);
    await queryRunner.query(`DROP INDEX "public"."community_sync_runs_brand_idx"`);
    await queryRunner.query(`DROP TABLE "community_sync_runs"`);
  }
}
