import { FieldError } from '@siyu/platform';
import { TierLadderPutDto } from './dto/tier-ladder-put.dto';

/**
 * The ladder's own rules, beyond each field's type: at least one tier (the DTO), the first tier's
 * threshold 0, thresholds strictly increasing, names unique (case-insensitive, trimmed), an existing
 * tier named at most once. Each error names the field path (`tiers[2].threshold`).
 */
export function ladderErrors(dto: TierLadderPutDto): FieldError[] {
  const errors: FieldError[] = [];
  const names = new Map<string, number>();
  const ids = new Map<string, number>();
  let previous: bigint | null = null;
  dto.tiers.forEach((t, i) => {
    const threshold = BigInt(t.threshold);
    if (i === 0 && threshold !== 0n)
      errors.push({ field: 'tiers[0].threshold', message: 'the first tier’s threshold must be 0' });
    if (previous !== null && threshold <= previous)
      errors.push({
        field: `tiers[${i}].threshold`,
        message: `tiers[${i}].threshold must be greater than tiers[${i - 1}].threshold (${previous})`,
      });
    previous = threshold;
    const key = t.name.trim().toLowerCase();
    const seen = names.get(key);
    if (seen !== undefined)
      errors.push({
        field: `tiers[${i}].name`,
        message: `tiers[${i}].name repeats tiers[${seen}].name ("${t.name.trim()}")`,
      });
    else names.set(key, i);
    if (t.id) {
      const at = ids.get(t.id);
      if (at !== undefined)
        errors.push({ field: `tiers[${i}].id`, message: `tiers[${i}].id repeats tiers[${at}].id` });
      else ids.set(t.id, i);
    }
  });
  return errors;
}

/**
 * Which existing tier each proposed tier keeps: the one named by `id`, else the unclaimed one with
 * the same name (case-insensitive), else none (a new tier). Unknown ids are errors.
 */
export function matchTiers(
  existing: Array<{ id: string; name: string }>,
  proposed: Array<{ id?: string; name: string }>,
): { keptIds: Array<string | null>; errors: FieldError[] } {
  const byId = new Set(existing.map((t) => t.id));
  const byName = new Map(existing.map((t) => [t.name.trim().toLowerCase(), t.id]));
  const claimed = new Set<string>();
  const errors: FieldError[] = [];
  proposed.forEach((t, i) => {
    if (!t.id) return;
    if (byId.has(t.id)) claimed.add(t.id);
    else
      errors.push({
        field: `tiers[${i}].id`,
        message: `tiers[${i}].id is not a tier of this brand’s ladder`,
      });
  });
  const keptIds = proposed.map((t) => {
    if (t.id) return byId.has(t.id) ? t.id : null;
    const id = byName.get(t.name.trim().toLowerCase());
    if (!id || claimed.has(id)) return null;
    claimed.add(id);
    return id;
  });
  return { keptIds, errors };
}
