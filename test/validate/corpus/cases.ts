// The broken-plan corpus: one small YAML file per case in this folder, each a minimal valid plan
// with one thing broken, and here what `cutover validate` must say about it. Positions are
// 1-based `line:col` of the YAML node at fault; open the file next to its row to check by eye.
//
// `message` and `hint` are substrings of the diagnostic's message and hint. `alone` (default true)
// also asserts the file produces no other diagnostic, so an echo of the same problem is caught;
// `alone: false` marks files where a second, independent diagnostic is expected (or tolerated).
// `severity: 'warning'` marks a file that stays valid (exit 0) but must warn.

export interface CorpusCase {
  file: string;
  line: number;
  col: number;
  code: string;
  message: string;
  hint?: string;
  severity?: 'error' | 'warning';
  alone?: boolean;
}

export const CASES: CorpusCase[] = [
  // ---- YAML syntax ---------------------------------------------------------------------------
  { file: 'yaml-tab-indent.yaml', line: 8, col: 1, code: 'yaml.tab-as-indent', message: 'tabs are not allowed as indentation', hint: 'replace the tab with spaces' },
  { file: 'yaml-duplicate-key.yaml', line: 15, col: 5, code: 'yaml.duplicate-key', message: 'must be unique', hint: 'each key may appear once' },
  { file: 'yaml-multiple-documents.yaml', line: 15, col: 1, code: 'yaml.multiple-docs', message: 'YAML: the file holds more than one YAML document', hint: 'remove the extra `---` document' },
  { file: 'yaml-empty.yaml', line: 1, col: 1, code: 'plan.empty', message: 'the plan is empty', hint: 'plans/examples/shop.yaml' },
  { file: 'yaml-comments-only.yaml', line: 1, col: 1, code: 'plan.empty', message: 'the plan is empty' },
  // after a syntax error: positions from the text itself (not yaml's LineCounter, which drifted onto
  // earlier lines), and only the first error of the cascade (see engine/load/yaml-errors.ts)
  { file: 'yaml-error-cascade.yaml', line: 11, col: 44, code: 'yaml.unexpected-token', message: 'YAML: unexpected `}`', hint: 'stray character' },
  { file: 'yaml-positions-after-error.yaml', line: 12, col: 5, code: 'yaml.duplicate-key', message: 'must be unique', alone: false /* a duplicate key does not cut the list: the stray } below is reported too */ },
  { file: 'yaml-positions-after-error.yaml', line: 17, col: 25, code: 'yaml.unexpected-token', message: 'YAML: unexpected `}`', alone: false /* and the duplicate key above */ },
  { file: 'yaml-unclosed-quote.yaml', line: 15, col: 12, code: 'yaml.missing-char', message: 'YAML: the double quote opened here is not closed', hint: 'add the closing "' },
  { file: 'yaml-unclosed-flow-map.yaml', line: 11, col: 13, code: 'yaml.bad-indent', message: 'YAML: this `{` is not closed: a `}` is missing', hint: 'end the mapping with `}`' },
  { file: 'yaml-key-under-indented.yaml', line: 15, col: 6, code: 'yaml.bad-indent', message: 'YAML: `name` does not line up with `id` above it', hint: 'start `name` in column 7, like `id`' },
  { file: 'yaml-key-over-indented.yaml', line: 6, col: 4, code: 'yaml.bad-indent', message: 'YAML: `schemas` is indented more than `url` above it', hint: 'start `schemas` in column 3, like `url`' },
  { file: 'yaml-variable-in-flow-map.yaml', line: 12, col: 27, code: 'yaml.unquoted-variable', message: 'YAML: `${DEST_SCHEMA}.customers` must be in quotes inside `{ … }`', hint: 'put the value in quotes: "${DEST_SCHEMA}.customers"' },
  { file: 'yaml-complex-key.yaml', line: 15, col: 3, code: 'yaml.complex-key', message: 'YAML: a key must be a name, not a list', hint: 'plain name followed by `:`' },

  // ---- schema: unknown and missing keys ------------------------------------------------------
  { file: 'schema-unknown-top-key.yaml', line: 4, col: 1, code: 'schema.unknown-key', message: 'unknown key `dual_runn` at the top level of the plan', hint: 'did you mean `dual_run`?' },
  { file: 'schema-unknown-top-key-no-suggestion.yaml', line: 4, col: 1, code: 'schema.unknown-key', message: 'unknown key `owner` at the top level of the plan', hint: 'allowed here: version, name, target' },
  { file: 'schema-unknown-nested-key.yaml', line: 13, col: 5, code: 'schema.unknown-key', message: 'unknown key `wher` in `classes.customers`', hint: 'did you mean `where`?' },
  { file: 'schema-rehearsal-unknown-hook.yaml', line: 24, col: 5, code: 'schema.unknown-key', message: 'unknown key `switch_read` in `go_live.rehearsal`', hint: 'did you mean `switch_reads`?' },
  { file: 'schema-hook-key.yaml', line: 20, col: 19, code: 'schema.unknown-key', message: 'unknown key `command` in `go_live.switch_reads`', hint: 'allowed here: run', alone: false /* and `run` is missing */ },
  { file: 'schema-missing-top-key.yaml', line: 1, col: 1, code: 'schema.missing-key', message: 'the plan is missing `name`' },
  { file: 'schema-missing-nested-key.yaml', line: 11, col: 5, code: 'schema.missing-key', message: '`classes.customers.source` is missing `key`' },
  { file: 'schema-missing-nested-section-key.yaml', line: 19, col: 1, code: 'schema.missing-key', message: '`dual_run` is missing `compare_every`' },
  { file: 'schema-ignore-missing-reason.yaml', line: 20, col: 5, code: 'schema.missing-key', message: '`ignore[0]` is missing `reason`' },
  { file: 'schema-misspelt-required-key.yaml', line: 13, col: 5, code: 'schema.unknown-key', message: 'unknown key `colums` in `classes.customers`', hint: 'did you mean `columns`?' /* alone: no "missing `columns`" beside it */ },
  { file: 'schema-check-missing-query.yaml', line: 17, col: 9, code: 'schema.missing-key', message: '`classes.customers.checks[0]` is missing `destination`' },

  // ---- schema: wrong types ---------------------------------------------------------------------
  { file: 'schema-type-list-as-text.yaml', line: 6, col: 12, code: 'schema.type', message: '`source.schemas` must be a list, not text' },
  { file: 'schema-type-rule-classes.yaml', line: 13, col: 18, code: 'schema.type', message: '`lock.data.rules[0].classes` must be a list, not text' },
  { file: 'schema-type-number-as-sql.yaml', line: 15, col: 14, code: 'schema.type', message: '`classes.customers.columns.email` must be text, not an integer', hint: 'put it in quotes to make it text, e.g. "42"' },
  { file: 'schema-type-text-as-map.yaml', line: 11, col: 17, code: 'schema.type', message: '`classes.customers.timestamps` must be a mapping' },
  { file: 'schema-type-boolean.yaml', line: 21, col: 14, code: 'schema.type', message: '`retention.regulated` must be true or false, not text' },
  { file: 'schema-plan-not-mapping.yaml', line: 1, col: 1, code: 'schema.type', message: 'the plan must be a mapping (key: value lines), not a list' },
  { file: 'schema-integer-fraction.yaml', line: 16, col: 15, code: 'schema.type', message: '`reconciliation.clean_days` must be a whole number, not 30.5' },
  { file: 'schema-bank-statement-type.yaml', line: 27, col: 23, code: 'schema.anyof', message: '`classes.invoices.money.bank_statement` must be text or a mapping' },
  { file: 'schema-type-integer.yaml', line: 20, col: 15, code: 'schema.type', message: '`reconciliation.clean_days` must be a whole number, not text' },

  // ---- schema: enums, with did-you-mean ----------------------------------------------------------
  { file: 'schema-enum-target.yaml', line: 3, col: 9, code: 'schema.enum', message: '`target` must be one of: locked, round_tripped, dual_run', hint: 'did you mean `round_tripped`?' },
  { file: 'schema-enum-mode.yaml', line: 11, col: 11, code: 'schema.enum', message: '`lock.data.mode` must be one of: pause, freeze', hint: 'did you mean `freeze`?' },
  { file: 'schema-enum-kind.yaml', line: 11, col: 11, code: 'schema.enum', message: '`classes.customers.kind` must be one of: plain, money, audit, attachments', hint: 'did you mean `money`?' },
  { file: 'schema-enum-decision.yaml', line: 20, col: 17, code: 'schema.enum', message: '`lock.exceptions[0].decision` must be one of: pending, accommodated, postponed', hint: 'did you mean `postponed`?' },
  { file: 'schema-enum-allow.yaml', line: 14, col: 25, code: 'schema.enum', message: '`lock.data.rules[0].allow[1]` must be one of: insert, update, delete', hint: 'did you mean `update`?' },
  { file: 'schema-enum-ambiguous.yaml', line: 13, col: 18, code: 'schema.enum', message: '`classes.customers.timestamps.ambiguous` must be one of: earlier, later, error', hint: 'did you mean `earlier`?' },
  { file: 'schema-enum-nonexistent.yaml', line: 11, col: 64, code: 'schema.enum', message: '`classes.customers.timestamps.nonexistent` must be one of: forward, error', hint: 'did you mean `forward`?' },
  { file: 'schema-enum-clock.yaml', line: 4, col: 8, code: 'schema.enum', message: '`clock` must be one of: real, simulated', hint: 'did you mean `simulated`?' },
  { file: 'schema-enum-lock-schema.yaml', line: 4, col: 17, code: 'schema.enum', message: '`lock.schema` must be one of: enforce, detect', hint: 'did you mean `enforce`?' },

  // ---- schema: shapes, patterns, formats, ranges ---------------------------------------------------
  { file: 'schema-version-2.yaml', line: 1, col: 10, code: 'schema.const', message: '`version` must be 1', hint: 'plan format version 1' },
  { file: 'schema-duration-shape.yaml', line: 20, col: 11, code: 'schema.pattern', message: '`dual_run.window` must be a duration like 14d, 48h, 30m or 10s' },
  { file: 'schema-bad-name.yaml', line: 2, col: 7, code: 'schema.pattern', message: '`name` must be lower-case letters, digits and dashes' },
  { file: 'schema-bad-class-name.yaml', line: 10, col: 3, code: 'schema.bad-name', message: '`Customers` is not a valid name in `classes`' },
  { file: 'schema-bad-url.yaml', line: 8, col: 8, code: 'schema.pattern', message: '`destination.url` must be a PostgreSQL URL' },
  { file: 'schema-timezone-pattern.yaml', line: 15, col: 36, code: 'schema.pattern', message: '`classes.customers.timestamps.source_timezone` must be an IANA time zone like America/New_York' },
  { file: 'schema-maps-to-pattern.yaml', line: 21, col: 16, code: 'schema.pattern', message: '`lock.exceptions[0].maps_to` must be `class.column`' /* alone: the maps_to rule skips a malformed value */ },
  { file: 'schema-duplicate-list-item.yaml', line: 6, col: 28, code: 'schema.unique-items', message: '`source.schemas` lists `public` twice (items 1 and 3)', hint: 'remove this one' },
  { file: 'schema-format-date-time.yaml', line: 16, col: 11, code: 'schema.format', message: '`lock.data.ends` must be a date and time with a zone' },
  { file: 'schema-anchor-utc.yaml', line: 19, col: 31, code: 'schema.format', message: '`classes.events.audit.anchors[0].utc` must be a date and time with a zone' },
  { file: 'schema-format-date.yaml', line: 22, col: 14, code: 'schema.format', message: '`retention.agreed_on` must be a date like 2026-11-20' },
  { file: 'schema-format-email.yaml', line: 21, col: 20, code: 'schema.format', message: '`lock.exceptions[0].reviewed_by` must be an email address' },
  { file: 'schema-minor-units-range.yaml', line: 27, col: 20, code: 'schema.range', message: '`classes.invoices.money.minor_units` must be <= 4' },
  { file: 'schema-empty-key.yaml', line: 12, col: 47, code: 'schema.min-items', message: '`classes.customers.destination.key` must list at least 1 item' },
  { file: 'schema-empty-schemas.yaml', line: 6, col: 12, code: 'schema.min-items', message: '`source.schemas` must list at least 1 item' },
  { file: 'schema-relationship-no-columns.yaml', line: 17, col: 20, code: 'schema.min-items', message: '`classes.customers.relationships[0].columns` must list at least 1 item' },
  { file: 'schema-empty-classes.yaml', line: 9, col: 10, code: 'schema.empty', message: '`classes` must have at least 1 entry' },
  { file: 'schema-empty-reason.yaml', line: 15, col: 17, code: 'schema.empty', message: '`lock.data.rules[0].reason` must not be empty' },
  { file: 'schema-empty-where.yaml', line: 11, col: 12, code: 'schema.empty', message: '`classes.customers.where` must not be empty' },
  { file: 'schema-ignore-comma.yaml', line: 20, col: 46, code: 'schema.unknown-key', message: 'unknown key `nobody needs them` in `ignore[0]`', hint: 'a comma ends the value' },

  // ---- schema: custom-code entries ---------------------------------------------------------------
  { file: 'schema-custom-code-no-disposition.yaml', line: 20, col: 5, code: 'schema.custom-code-disposition', message: '`custom_code[2]` must say what becomes of it', hint: 'reimplemented: the replacing object' },
  { file: 'schema-custom-code-two-dispositions.yaml', line: 22, col: 5, code: 'schema.conflicting-keys', message: '`pending` cannot be given together with `retired`', hint: 'exactly one of reimplemented, retired or pending' },
  { file: 'schema-custom-code-verify-alone.yaml', line: 21, col: 5, code: 'schema.missing-key', message: '`custom_code[2]` has `verify` and so needs `reimplemented`' },
  { file: 'schema-flow-map-comma.yaml', line: 20, col: 47, code: 'schema.unknown-key', message: 'unknown key `date)` in `custom_code[2]`', hint: 'a comma ends the value', alone: false /* the cut-off source also breaks the grammar */ },

  // ---- semantic: durations -----------------------------------------------------------------------
  { file: 'rule-dual-run-window.yaml', line: 20, col: 11, code: 'plan.duration-out-of-bounds', message: '`dual_run.window` is 1d; it must be between 2d and 14d', hint: 'both sides' },
  { file: 'rule-dual-run-window-long.yaml', line: 20, col: 11, code: 'plan.duration-out-of-bounds', message: '`dual_run.window` is 15d; it must be between 2d and 14d' },
  { file: 'rule-compare-every.yaml', line: 21, col: 18, code: 'plan.duration-out-of-bounds', message: '`dual_run.compare_every` is 30s; it must be between 1m and 1d' },
  { file: 'rule-tail-window.yaml', line: 20, col: 16, code: 'plan.duration-out-of-bounds', message: '`go_live.tail_window` is 12h; it must be between 24h and 48h', hint: 'business day' },
  { file: 'rule-max-lag.yaml', line: 21, col: 12, code: 'plan.duration-out-of-bounds', message: '`go_live.max_lag` is 2h; it must be between 1s and 1h' },
  { file: 'rule-rollback-window.yaml', line: 22, col: 20, code: 'plan.duration-out-of-bounds', message: '`go_live.rollback_window` is 12h; it must be at least 1d' },
  { file: 'rule-read-only-for.yaml', line: 20, col: 18, code: 'plan.duration-out-of-bounds', message: '`retention.read_only_for` is 30d; it must be at least 90d' },
  { file: 'rule-read-only-for-regulated.yaml', line: 20, col: 18, code: 'plan.duration-out-of-bounds', message: '`retention.read_only_for` is 200d; it must be at least 365d for a regulated system' },
  { file: 'rule-duration-huge.yaml', line: 16, col: 11, code: 'plan.duration-out-of-bounds', message: '`dual_run.window` is 9999999999999999999d; it must be between 2d and 14d' },
  { file: 'rule-clean-days.yaml', line: 20, col: 15, code: 'plan.clean-days-too-few', message: '`reconciliation.clean_days` is 10; it must be at least 30', hint: 'statement cycle' },

  // ---- semantic: class references ------------------------------------------------------------------
  { file: 'rule-unknown-class-relationship.yaml', line: 21, col: 47, code: 'plan.unknown-class', message: 'a relationship names class `custmers`, which the plan does not define', hint: 'did you mean `customers`?' },
  { file: 'rule-unknown-class-no-suggestion.yaml', line: 21, col: 47, code: 'plan.unknown-class', message: 'a relationship names class `invoices`', hint: 'classes: customers, orders' },
  { file: 'rule-unknown-class-freeze-rule.yaml', line: 13, col: 19, code: 'plan.unknown-class', message: 'a freeze rule names class `customer`', hint: 'did you mean `customers`?' },
  { file: 'rule-unknown-class-resolution.yaml', line: 27, col: 14, code: 'plan.unknown-class', message: 'a resolution names class `order`', hint: 'did you mean `orders`?' },
  { file: 'rule-table-claimed-twice.yaml', line: 17, col: 27, code: 'plan.table-claimed-twice', message: 'classes `customers` and `orders` both write destination table `app.customers`', hint: 'one class per destination table' },
  { file: 'rule-ignored-table-classified.yaml', line: 24, col: 14, code: 'plan.ignored-table-classified', message: 'table `orders` is ignored but class `orders` reads it' },
  { file: 'rule-ignored-table-qualified.yaml', line: 16, col: 14, code: 'plan.ignored-table-classified', message: 'table `public.customer` is ignored but class `customers` reads it' },

  // ---- semantic: class mappings --------------------------------------------------------------------
  { file: 'rule-key-not-mapped.yaml', line: 17, col: 45, code: 'plan.key-not-mapped', message: 'destination key column `order_id` of class `orders` is not mapped in `columns`', hint: 'add `order_id: <source expression>` under classes.orders.columns' },
  { file: 'rule-reverse-incomplete-warning.yaml', line: 16, col: 5, code: 'plan.reverse-incomplete', severity: 'warning', message: 'class `customers` cannot roll back: `reverse` does not map source column `email`', hint: 'becomes an error once target passes dual_run' },
  { file: 'rule-reverse-incomplete-error.yaml', line: 14, col: 5, code: 'plan.reverse-incomplete', message: 'class `customers` cannot roll back: `reverse` does not map source column `email`', hint: 'complete rollback path' },
  { file: 'rule-lossy-not-reversed.yaml', line: 17, col: 7, code: 'plan.lossy-not-reversed', message: '`lossy` names `mail`, which `reverse` does not map' },
  { file: 'rule-dropped-but-read.yaml', line: 17, col: 7, code: 'plan.dropped-but-mapped', message: '`email` is listed in `dropped` but `columns` reads it' },
  { file: 'rule-computed-also-mapped.yaml', line: 17, col: 7, code: 'plan.computed-also-mapped', message: '`email` is both mapped in `columns` and listed as `computed`' },
  { file: 'rule-kind-money-without-section.yaml', line: 11, col: 11, code: 'plan.kind-section-missing', message: 'class `invoices` is of kind money and needs', hint: 'plans/examples/crm.yaml' },
  { file: 'rule-kind-audit-without-section.yaml', line: 11, col: 11, code: 'plan.kind-section-missing', message: 'class `events` is of kind audit and needs an `audit` section' },
  { file: 'rule-kind-attachments-without-section.yaml', line: 11, col: 11, code: 'plan.kind-section-missing', message: 'class `documents` is of kind attachments and needs a `files` section' },
  { file: 'rule-section-on-wrong-kind.yaml', line: 23, col: 5, code: 'plan.kind-section-unexpected', message: 'class `invoices` has a `money` section but is of kind plain', hint: 'set `kind: money`' },
  { file: 'rule-money-column-unmapped.yaml', line: 24, col: 15, code: 'plan.section-column-unmapped', message: 'money.amount `total` is not a destination column mapped in `columns`' },
  { file: 'rule-audit-order-by-unmapped.yaml', line: 17, col: 18, code: 'plan.section-column-unmapped', message: 'audit.order_by `occured_at` is not a destination column' },
  { file: 'rule-files-column-unmapped.yaml', line: 18, col: 25, code: 'plan.section-column-unmapped', message: 'files.destination_path `file_path` is not a destination column' },
  { file: 'rule-anchor-key-length.yaml', line: 19, col: 18, code: 'plan.anchor-key-length', message: 'anchor key has 2 values' },

  // ---- semantic: lock --------------------------------------------------------------------------------
  { file: 'rule-freeze-without-ends.yaml', line: 11, col: 11, code: 'plan.freeze-without-end', message: '`lock.data.ends` is missing', hint: 'add `ends: ' },
  { file: 'rule-rules-in-pause.yaml', line: 12, col: 5, code: 'plan.rules-in-pause', message: '`lock.data.rules` only apply in freeze mode', hint: 'use `mode: freeze`' },
  { file: 'rule-rule-allows-everything.yaml', line: 14, col: 16, code: 'plan.rule-allows-everything', message: 'may not allow insert, update and delete together' },
  { file: 'rule-pending-exception.yaml', line: 20, col: 17, code: 'plan.pending-exception', message: 'exception CHG-1 is pending, so target round_tripped cannot be reached', hint: 'keep target at locked' },
  { file: 'rule-accommodated-without-maps-to.yaml', line: 20, col: 17, code: 'plan.exception-unmapped', message: 'accommodated exception CHG-1 must say where the plan maps what it adds (`maps_to`)', hint: 'maps_to: class.column' },
  { file: 'rule-accommodated-wrong-maps-to.yaml', line: 21, col: 16, code: 'plan.exception-unmapped', message: '`maps_to: customers.tier` names no column the plan maps or drops', hint: 'map `tier` in classes.customers.columns, or list it in classes.customers.dropped' },
  { file: 'rule-accommodated-maps-to-unknown-class.yaml', line: 21, col: 16, code: 'plan.exception-unmapped', message: '`maps_to: customer.tier` names no column', hint: 'did you mean `customers.tier`?' },
  { file: 'rule-accommodated-maps-to-unknown-class-alone.yaml', line: 21, col: 16, code: 'plan.exception-unmapped', message: '`maps_to: loyalty` names no class the plan defines', hint: 'a class name alone for a new table; classes: customers' },
  { file: 'rule-duplicate-exception-id.yaml', line: 22, col: 11, code: 'plan.duplicate-exception', message: 'exception id CHG-1 is used twice' },

  // ---- semantic: what a target needs -------------------------------------------------------------------
  { file: 'rule-dual-run-section-missing.yaml', line: 3, col: 9, code: 'plan.section-missing', message: 'target dual_run needs `dual_run`' },
  { file: 'rule-go-live-missing.yaml', line: 3, col: 9, code: 'plan.section-missing', message: 'target reads_switched needs `go_live`: the tail window' /* alone: not once more per hook */ },
  { file: 'rule-go-live-hook-missing.yaml', line: 16, col: 1, code: 'schema.missing-key', message: '`go_live` is missing `switch_reads`' /* alone: the schema requires the hooks */ },
  { file: 'rule-retention-missing.yaml', line: 3, col: 9, code: 'plan.retention-not-agreed', message: 'target reads_switched needs an agreed `retention` section', hint: 'agreed_by' },
  { file: 'rule-retention-not-agreed.yaml', line: 23, col: 1, code: 'plan.retention-not-agreed', message: '`retention.agreed_by` is missing', alone: false /* and agreed_on */ },
  { file: 'rule-closed-without-bank-statement.yaml', line: 16, col: 5, code: 'plan.bank-statement-missing', message: 'target closed needs a bank statement for money class `invoices`', hint: 'bank_statement: ' },
  { file: 'rule-closed-without-reconciliation.yaml', line: 3, col: 9, code: 'plan.section-missing', message: 'target closed needs `reconciliation`' },

  // ---- semantic: custom code ---------------------------------------------------------------------------
  { file: 'rule-custom-code-grammar-source.yaml', line: 18, col: 13, code: 'plan.custom-code-grammar', message: '`custom_code[1].source` does not follow the custom-code grammar', hint: 'write it as `trigger schema.table.name`' },
  { file: 'rule-custom-code-grammar-function.yaml', line: 16, col: 13, code: 'plan.custom-code-grammar', message: '`custom_code[0].source` does not follow the custom-code grammar', hint: 'write it as `function schema.name(argument types)`' },
  { file: 'rule-custom-code-grammar-reimplemented.yaml', line: 19, col: 20, code: 'plan.custom-code-grammar', message: '`custom_code[1].reimplemented` does not follow the custom-code grammar', hint: 'write one of: trigger schema.table.name;' },
  { file: 'rule-custom-code-duplicate.yaml', line: 20, col: 13, code: 'plan.custom-code-duplicate', message: '`view public.active_customers` is listed twice in custom_code (first as entry 1)' },

  // ---- names: written exactly as in the catalog; double quotes for dots, parentheses, a leading quote ----
  // a plan naming every kind of name (spaces, unicode, mixed case, keywords, dots, quotes, SQL-style
  // quoting) validates clean but for the one planted mistake
  { file: 'names-hostile-key-not-mapped.yaml', line: 29, col: 44, code: 'plan.key-not-mapped', message: 'destination key column `Größe` of class `dotted` is not mapped in `columns`', hint: 'add `Größe: <source expression>` under classes.dotted.columns' },
  { file: 'names-table-three-parts.yaml', line: 11, col: 22, code: 'plan.bad-name', message: '`Sales Ops.Order.Lines` is not a table name: it has 3 dot-separated parts', hint: 'in double quotes' },
  { file: 'names-quoted-then-text.yaml', line: 18, col: 14, code: 'plan.bad-name', message: '`"Sales Ops"x.archive` is not a table name: a quoted name must be followed by a dot or end the name, not `x`' },
  { file: 'names-state-schema-unclosed-quote.yaml', line: 5, col: 11, code: 'plan.bad-name', message: '`"cutover state` is not a name: the double quote opened at character 1 is not closed', hint: '"" for a quote inside' },
  { file: 'names-unclosed-quote-column.yaml', line: 16, col: 7, code: 'plan.bad-name', message: '`"Notes` is not a name' },
  { file: 'names-maps-to-unclosed-quote.yaml', line: 25, col: 16, code: 'plan.bad-name', message: '`order_lines."Order Tier` does not name a column' },
  { file: 'names-too-long.yaml', line: 16, col: 7, code: 'plan.name-too-long', severity: 'warning', message: 'is 79 bytes long; PostgreSQL keeps at most 63 bytes of a name' },
  // two spellings of one name are one name
  { file: 'names-ignored-table-two-spellings.yaml', line: 18, col: 14, code: 'plan.ignored-table-classified', message: 'table `"Sales Ops"."Order Lines"` is ignored but class `order_lines` reads it' },
  { file: 'names-two-spellings-one-column.yaml', line: 15, col: 7, code: 'plan.name-twice', message: '`"Order Id"` and `Order Id` are one name, given twice', hint: 'keep one of the two' },
  { file: 'names-custom-code-duplicate-spellings.yaml', line: 19, col: 15, code: 'plan.custom-code-duplicate', message: 'is listed twice in custom_code (first as entry 1)' },
  // YAML's own messages name such keys too
  { file: 'names-yaml-key-over-indented.yaml', line: 15, col: 8, code: 'yaml.bad-indent', message: 'YAML: `Größe` is indented more than `Order Id` above it', hint: 'start `Größe` in column 7, like `Order Id`' },
  { file: 'names-custom-code-dot-unquoted.yaml', line: 19, col: 15, code: 'plan.custom-code-grammar', message: '`custom_code[1].source` does not follow the custom-code grammar', hint: 'a name containing a dot or a parenthesis is written in double quotes' },

  // ---- environment variables -----------------------------------------------------------------------------
  { file: 'env-unset-variable.yaml', line: 8, col: 8, code: 'plan.unset-variable', message: 'environment variable DESTINATION_DATABASE_URL is not set', hint: 'export DESTINATION_DATABASE_URL' },
  { file: 'env-malformed-reference.yaml', line: 8, col: 23, code: 'plan.bad-variable', message: '`${DB PASSWORD}` is not a variable reference', hint: 'write ${NAME} or ${NAME:-default}' },
  // a value whose interpolation failed gets the variable's diagnostic and nothing else (no pattern echo)
  { file: 'env-bad-reference-no-echo.yaml', line: 8, col: 8, code: 'plan.bad-variable', message: '`${1DB}` is not a variable reference', hint: 'write ${NAME} or ${NAME:-default}' },
  { file: 'env-empty-reference.yaml', line: 8, col: 8, code: 'plan.bad-variable', message: '`${}` is not a variable reference' },
  { file: 'env-unset-quoted.yaml', line: 8, col: 9, code: 'plan.unset-variable', message: 'environment variable DESTINATION_URL is not set' },
  { file: 'env-unset-inside-value.yaml', line: 2, col: 12, code: 'plan.unset-variable', message: 'environment variable SUFFIX is not set' },
  { file: 'env-unset-block-scalar.yaml', line: 3, col: 3, code: 'plan.unset-variable', message: 'environment variable SUFFIX is not set' },
  { file: 'env-unterminated-reference.yaml', line: 17, col: 17, code: 'plan.bad-variable', message: '`${TICKET` is not closed: a `}` is missing', hint: 'write ${NAME} or ${NAME:-default}' },
  { file: 'env-default-invalid.yaml', line: 8, col: 8, code: 'schema.pattern', message: '`destination.url` must be a PostgreSQL URL' },
];
