import { MigrationInterface, QueryRunner } from 'typeorm';

export class Members1795321996962 implements MigrationInterface {
  name = 'Members1795321996962';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // Hand-written: casts that answer NULL instead of raising, so bulk imports validate rows in SQL.
    await queryRunner.query(
      `CREATE FUNCTION siyu_try_date(v text) RETURNS date LANGUAGE plpgsql STABLE AS $$ BEGIN RETURN v::date; EXCEPTION WHEN others THEN RETURN NULL; END $$`,
    );
    await queryRunner.query(
      `CREATE FUNCTION siyu_try_timestamptz(v text) RETURNS timestamptz LANGUAGE plpgsql STABLE AS $$ BEGIN RETURN v::timestamptz; EXCEPTION WHEN others THEN RETURN NULL; END $$`,
    );
    await queryRunner.query(
      `CREATE TABLE "tags" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "name" character varying(60) NOT NULL, "color" character varying(7), "description" character varying(200), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "tags_color_hex" CHECK (color IS NULL OR color ~ '^#[0-9a-fA-F]{6}$'), CONSTRAINT "tags_name_not_blank" CHECK (btrim(name) <> ''), CONSTRAINT "PK_e7dc17249a1148a1970748eda99" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "tags_brand_name_key" ON "tags" ("brand_id", "name") `);
    await queryRunner.query(
      `CREATE TABLE "members" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "nickname" character varying(120), "phone" character varying(20), "source_channel" character varying(24) NOT NULL DEFAULT 'other', "utm_source" character varying(200), "utm_medium" character varying(200), "utm_campaign" character varying(200), "utm_content" character varying(200), "utm_term" character varying(200), "city" character varying(80), "birthday" date, "consent_status" character varying(12), "consent_at" TIMESTAMP WITH TIME ZONE, "consent_channel" character varying(24), "joined_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "erased_at" TIMESTAMP WITH TIME ZONE, "merged_into" uuid, "merged_at" TIMESTAMP WITH TIME ZONE, "order_count" integer NOT NULL DEFAULT '0', "paid_spend_minor" bigint NOT NULL DEFAULT '0', "first_order_at" TIMESTAMP WITH TIME ZONE, "last_order_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "members_not_merged_into_self" CHECK (merged_into IS NULL OR merged_into <> id), CONSTRAINT "members_aggregates_non_negative" CHECK (order_count >= 0 AND paid_spend_minor >= 0), CONSTRAINT "members_consent_channel" CHECK (consent_channel IS NULL OR consent_channel IN ('wechat_oa', 'wecom', 'wechat_channels', 'douyin', 'xiaohongshu', 'bilibili', 'taobao', 'store', 'import', 'other')), CONSTRAINT "members_consent_status" CHECK (consent_status IS NULL OR consent_status IN ('opted_in', 'opted_out')), CONSTRAINT "members_source_channel" CHECK (source_channel IN ('wechat_oa', 'wecom', 'wechat_channels', 'douyin', 'xiaohongshu', 'bilibili', 'taobao', 'store', 'import', 'other')), CONSTRAINT "PK_28b53062261b996d9c99fa12404" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "members_merged_into_idx" ON "members" ("merged_into") WHERE merged_into IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "members_brand_joined_idx" ON "members" ("brand_id", "joined_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "members_brand_created_idx" ON "members" ("brand_id", "created_at", "id") `,
    );
    // Hand-written (the entity marks it synchronize: false): nickname prefix search.
    await queryRunner.query(
      `CREATE INDEX "members_nickname_prefix_idx" ON "members" ("brand_id", lower("nickname") text_pattern_ops)`,
    );
    await queryRunner.query(
      `CREATE TABLE "member_tags" ("member_id" uuid NOT NULL, "tag_id" uuid NOT NULL, "brand_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_8a70e405685d5f13615081b6158" PRIMARY KEY ("member_id", "tag_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "member_tags_tag_idx" ON "member_tags" ("tag_id", "member_id") `);
    await queryRunner.query(
      `CREATE TABLE "member_imports" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "filename" character varying(255) NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'queued', "byte_size" bigint NOT NULL DEFAULT '0', "sha256" character(64), "total_rows" integer, "processed_rows" integer NOT NULL DEFAULT '0', "inserted_count" integer NOT NULL DEFAULT '0', "updated_count" integer NOT NULL DEFAULT '0', "failed_count" integer NOT NULL DEFAULT '0', "error" text, "work_item_id" bigint, "created_by_type" character varying(16) NOT NULL, "created_by_id" uuid, "request_id" character varying(64), "started_at" TIMESTAMP WITH TIME ZONE, "completed_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "member_imports_counts" CHECK (processed_rows >= 0 AND inserted_count >= 0 AND updated_count >= 0 AND failed_count >= 0), CONSTRAINT "member_imports_status" CHECK (status IN ('queued', 'processing', 'completed', 'failed')), CONSTRAINT "PK_0fc226684d340a5ac722441535e" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "member_imports_brand_idx" ON "member_imports" ("brand_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "member_import_errors" ("id" BIGSERIAL NOT NULL, "import_id" uuid NOT NULL, "brand_id" uuid NOT NULL, "line" integer NOT NULL, "field" character varying(40) NOT NULL, "reason" character varying(300) NOT NULL, "value" character varying(200), CONSTRAINT "PK_8712f956f7a215abfaff8c8e19d" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "member_import_errors_import_idx" ON "member_import_errors" ("import_id", "line", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "member_import_chunks" ("import_id" uuid NOT NULL, "seq" integer NOT NULL, "brand_id" uuid NOT NULL, "data" bytea NOT NULL, CONSTRAINT "PK_8c06cbd51bafed4bf9409a3dd29" PRIMARY KEY ("import_id", "seq"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "member_identities" ("id" BIGSERIAL NOT NULL, "brand_id" uuid NOT NULL, "member_id" uuid NOT NULL, "kind" character varying(24) NOT NULL, "app_id" character varying(64) NOT NULL DEFAULT '', "value" character varying(128) NOT NULL, "hint" character varying(32), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "member_identities_value" CHECK (value <> ''), CONSTRAINT "member_identities_app_id" CHECK ((kind = 'openid') = (app_id <> '')), CONSTRAINT "member_identities_kind" CHECK (kind IN ('unionid', 'openid', 'external_userid', 'phone', 'store_customer_id')), CONSTRAINT "PK_650de38616e69dd29a63f19a5b1" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "member_identities_value_idx" ON "member_identities" ("brand_id", "value") `,
    );
    await queryRunner.query(
      `CREATE INDEX "member_identities_member_idx" ON "member_identities" ("member_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "member_identities_key" ON "member_identities" ("brand_id", "kind", "app_id", "value") `,
    );
    await queryRunner.query(
      `CREATE TABLE "member_events" ("id" BIGSERIAL NOT NULL, "brand_id" uuid NOT NULL, "member_id" uuid NOT NULL, "type" character varying(60) NOT NULL, "data" jsonb NOT NULL DEFAULT '{}', "actor_type" character varying(16), "actor_id" uuid, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "member_events_type" CHECK (type ~ '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*$'), CONSTRAINT "PK_084fac4c55c502b9458d38c7a19" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "member_events_brand_idx" ON "member_events" ("brand_id", "id") `);
    await queryRunner.query(
      `CREATE INDEX "member_events_timeline_idx" ON "member_events" ("member_id", "occurred_at", "id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "tags" ADD CONSTRAINT "FK_b337fe4c6be773321ac41c98517" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "members" ADD CONSTRAINT "FK_fb4e78dda8e5d4920841edd0dea" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "members" ADD CONSTRAINT "FK_8c7eb51326e7e95e872d4ed8e50" FOREIGN KEY ("merged_into") REFERENCES "members"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "member_tags" ADD CONSTRAINT "FK_621c21cb7c9ee304cc3cb279720" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "member_tags" ADD CONSTRAINT "FK_d676c21413877fd516a48cdae55" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "member_tags" ADD CONSTRAINT "FK_fff0bc8d44117c91dbdd839007e" FOREIGN KEY ("tag_id") REFERENCES "tags"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "member_imports" ADD CONSTRAINT "FK_cabdee5771da7836daf6173382b" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "member_imports" ADD CONSTRAINT "FK_08c770e68723b6e1868a3717ff9" FOREIGN KEY ("work_item_id") REFERENCES "work_items"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "member_import_errors" ADD CONSTRAINT "FK_ee42f5a8763adfa4f6cf6479348" FOREIGN KEY ("import_id") REFERENCES "member_imports"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "member_import_errors" ADD CONSTRAINT "FK_10b6501ba0cb8322a141513189f" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "member_import_chunks" ADD CONSTRAINT "FK_e4e1d56ed6721cd2cfb002570e5" FOREIGN KEY ("import_id") REFERENCES "member_imports"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "member_import_chunks" ADD CONSTRAINT "FK_5f18a457a481356757491776f03" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "member_identities" ADD CONSTRAINT "FK_fcd39abf7c13d81afe3336d88be" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "member_identities" ADD CONSTRAINT "FK_17982ea9c6933b79ddf22088c23" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "member_events" ADD CONSTRAINT "FK_a48369a3d45a933d217073a5697" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "member_events" ADD CONSTRAINT "FK_5d46366ab69c3675445e63707b6" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "member_events" DROP CONSTRAINT "FK_5d46366ab69c3675445e63707b6"`);
    await queryRunner.query(`ALTER TABLE "member_events" DROP CONSTRAINT "FK_a48369a3d45a933d217073a5697"`);
    await queryRunner.query(
      `ALTER TABLE "member_identities" DROP CONSTRAINT "FK_17982ea9c6933b79ddf22088c23"`,
    );
    await queryRunner.query(
      `ALTER TABLE "member_identities" DROP CONSTRAINT "FK_fcd39abf7c13d81afe3336d88be"`,
    );
    await queryRunner.query(
      `ALTER TABLE "member_import_chunks" DROP CONSTRAINT "FK_5f18a457a481356757491776f03"`,
    );
    await queryRunner.query(
      `ALTER TABLE "member_import_chunks" DROP CONSTRAINT "FK_e4e1d56ed6721cd2cfb002570e5"`,
    );
    await queryRunner.query(
      `ALTER TABLE "member_import_errors" DROP CONSTRAINT "FK_10b6501ba0cb8322a141513189f"`,
    );
    await queryRunner.query(
      `ALTER TABLE "member_import_errors" DROP CONSTRAINT "FK_ee42f5a8763adfa4f6cf6479348"`,
    );
    await queryRunner.query(`ALTER TABLE "member_imports" DROP CONSTRAINT "FK_08c770e68723b6e1868a3717ff9"`);
    await queryRunner.query(`ALTER TABLE "member_imports" DROP CONSTRAINT "FK_cabdee5771da7836daf6173382b"`);
    await queryRunner.query(`ALTER TABLE "member_tags" DROP CONSTRAINT "FK_fff0bc8d44117c91dbdd839007e"`);
    await queryRunner.query(`ALTER TABLE "member_tags" DROP CONSTRAINT "FK_d676c21413877fd516a48cdae55"`);
    await queryRunner.query(`ALTER TABLE "member_tags" DROP CONSTRAINT "FK_621c21cb7c9ee304cc3cb279720"`);
    await queryRunner.query(`ALTER TABLE "members" DROP CONSTRAINT "FK_8c7eb51326e7e95e872d4ed8e50"`);
    await queryRunner.query(`ALTER TABLE "members" DROP CONSTRAINT "FK_fb4e78dda8e5d4920841edd0dea"`);
    await queryRunner.query(`ALTER TABLE "tags" DROP CONSTRAINT "FK_b337fe4c6be773321ac41c98517"`);
    await queryRunner.query(`DROP INDEX "public"."member_events_timeline_idx"`);
    await queryRunner.query(`DROP INDEX "public"."member_events_brand_idx"`);
    await queryRunner.query(`DROP TABLE "member_events"`);
    await queryRunner.query(`DROP INDEX "public"."member_identities_key"`);
    await queryRunner.query(`DROP INDEX "public"."member_identities_member_idx"`);
    await queryRunner.query(`DROP INDEX "public"."member_identities_value_idx"`);
    await queryRunner.query(`DROP TABLE "member_identities"`);
    await queryRunner.query(`DROP TABLE "member_import_chunks"`);
    await queryRunner.query(`DROP INDEX "public"."member_import_errors_import_idx"`);
    await queryRunner.query(`DROP TABLE "member_import_errors"`);
    await queryRunner.query(`DROP INDEX "public"."member_imports_brand_idx"`);
    await queryRunner.query(`DROP TABLE "member_imports"`);
    await queryRunner.query(`DROP INDEX "public"."member_tags_tag_idx"`);
    await queryRunner.query(`DROP TABLE "member_tags"`);
    await queryRunner.query(`DROP INDEX "public"."members_nickname_prefix_idx"`);
    await queryRunner.query(`DROP INDEX "public"."members_brand_created_idx"`);
    await queryRunner.query(`DROP INDEX "public"."members_brand_joined_idx"`);
    await queryRunner.query(`DROP INDEX "public"."members_merged_into_idx"`);
    await queryRunner.query(`DROP TABLE "members"`);
    await queryRunner.query(`DROP INDEX "public"."tags_brand_name_key"`);
    await queryRunner.query(`DROP TABLE "tags"`);
    await queryRunner.query(`DROP FUNCTION siyu_try_timestamptz(text)`);
    await queryRunner.query(`DROP FUNCTION siyu_try_date(text)`);
  }
}
