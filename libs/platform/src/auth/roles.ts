export const ROLES = ['owner', 'operator', 'community_manager', 'marketer'] as const;
export type Role = (typeof ROLES)[number];
export const ROLE_CHECK = `role IN (${ROLES.map((r) => `'${r}'`).join(', ')})`;
