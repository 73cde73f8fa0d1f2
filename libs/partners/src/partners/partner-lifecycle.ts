import type { PartnerStatus, PartnerTier } from '../partners.constants';

/** Where each status may go by an operator's hand (the scheduled evaluation moves between tiers too). */
export const PARTNER_TRANSITIONS: Record<PartnerStatus, readonly PartnerStatus[]> = {
  applied: ['pilot', 'banned'],
  pilot: ['standard', 'preferred', 'suspended', 'banned'],
  standard: ['pilot', 'preferred', 'suspended', 'banned'],
  preferred: ['pilot', 'standard', 'suspended', 'banned'],
  // Reinstated to the tier it kept (or, by the operator's choice, another tier).
  suspended: ['pilot', 'standard', 'preferred', 'banned'],
  banned: [],
};

export const ACTIVE_STATUSES: readonly PartnerStatus[] = ['pilot', 'standard', 'preferred'];

const RANK: Record<PartnerTier, number> = { pilot: 0, standard: 1, preferred: 2 };

/** The tier-change history's reason for a move. */
export function changeReason(from: PartnerStatus, to: PartnerStatus, fromTier: PartnerTier | null): string {
  if (to === 'banned') return 'banned';
  if (to === 'suspended') return 'suspended';
  if (from === 'applied') return 'activated';
  if (from === 'suspended') return 'reinstated';
  const toTier = to as PartnerTier;
  if (fromTier && RANK[toTier] > RANK[fromTier]) return 'promoted';
  return 'demoted';
}
