/** How a line of a reconciliation came out. `invalid`: a report row that could not be read. */
export const RECON_KINDS = [
  'matched',
  'amount_mismatch',
  'status_mismatch',
  'missing_in_siyu',
  'missing_in_report',
  'invalid',
] as const;
export type ReconKind = (typeof RECON_KINDS)[number];

/** A difference is resolved by taking the report's figure, Siyu's, or only a note. */
export const RECON_RESOLUTIONS = ['accept_report', 'accept_siyu', 'note'] as const;
export type ReconResolution = (typeof RECON_RESOLUTIONS)[number];
