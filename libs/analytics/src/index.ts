/** Campaign funnel, repurchase, cohorts, RFM, tier movement and group-chat reports. */
export {};
