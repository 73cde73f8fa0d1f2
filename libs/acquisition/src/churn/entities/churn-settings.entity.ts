import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { CHURN_ALERT_ON, ChurnAlertOn, sqlList } from '../churn.constants';

/** A brand's churn alerting: a WeCom application message to the staff member and/or a signed webhook. */
@Entity('acquisition_churn_settings')
@Check('acquisition_churn_settings_alert_on', `alert_on IN (${sqlList(CHURN_ALERT_ON)})`)
@Check('acquisition_churn_settings_app', `NOT app_alerts OR agent_id IS NOT NULL`)
@Check('acquisition_churn_settings_webhook', `(webhook_url IS NULL) = (webhook_secret_sealed IS NULL)`)
export class ChurnSettings {
  @PrimaryColumn({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'boolean', default: false })
  appAlerts: boolean;

  /** The WeCom application (agentid) the alert is sent as. */
  @Column({ type: 'int', nullable: true })
  agentId: number | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  webhookUrl: string | null;

  /** The HMAC key of the webhook signature, sealed (never read back through the API). */
  @Column({ type: 'text', nullable: true })
  webhookSecretSealed: string | null;

  @Column({ type: 'varchar', length: 10, default: 'customer' })
  alertOn: ChurnAlertOn;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
