// The audit check: order, instants (anchors) and no rewrites; the append-only guard.
export { checkAudit, capturedRewrites, type CheckAuditInput, type CapturedRewrites } from './check-audit.js';
export { auditGuardStatements, dropAuditGuardStatements, appendOnlyName } from './guard.js';
export { CHUNK_ROWS } from './sequence.js';
export { anchorColumn, type AnchorOutcome } from './anchors.js';
