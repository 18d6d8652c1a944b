// cutover's own state schema, created and upgraded by versioned migrations. A migration is never
// edited once released; a change is a new entry at the end.
export interface StateMigration {
  version: number;
  /** statements, with `{schema}` standing for the quoted state schema */
  statements: string[];
}

export const STATE_MIGRATIONS: StateMigration[] = [
  {
    version: 1,
    statements: [
      `CREATE TABLE {schema}.migrations (
        name text PRIMARY KEY,
        phase text NOT NULL DEFAULT 'none',
        clock_kind text NOT NULL,
        plan_fingerprint text,
        source_fingerprint text,
        source_fingerprint_parts jsonb,
        source_connections jsonb,
        serial bigint NOT NULL DEFAULT 0,
        phase_times jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE TABLE {schema}.resources (
        migration text NOT NULL REFERENCES {schema}.migrations (name),
        address text NOT NULL,
        phase text NOT NULL,
        attributes jsonb NOT NULL DEFAULT '{}',
        applied_at timestamptz NOT NULL,
        PRIMARY KEY (migration, address)
      )`,
      `CREATE TABLE {schema}.events (
        id bigserial PRIMARY KEY,
        migration text NOT NULL,
        at timestamptz NOT NULL,
        actor text NOT NULL,
        plan_fingerprint text,
        kind text NOT NULL,
        address text,
        outcome text NOT NULL,
        detail jsonb NOT NULL DEFAULT '{}'
      )`,
      `CREATE INDEX ON {schema}.events (migration, id)`,
      // the event log is append-only: history that can be rewritten is no audit trail
      `CREATE FUNCTION {schema}.events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'the cutover event log is append-only'; END $$`,
      `CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {schema}.events
       FOR EACH STATEMENT EXECUTE FUNCTION {schema}.events_append_only()`,
      `CREATE TABLE {schema}.findings_cache (
        migration text PRIMARY KEY,
        cache_key text NOT NULL,
        computed_at timestamptz NOT NULL,
        findings jsonb NOT NULL
      )`,
      `CREATE TABLE {schema}.lock_holders (
        migration text NOT NULL,
        lock_kind text NOT NULL,
        holder text NOT NULL,
        host text NOT NULL,
        pid integer NOT NULL,
        backend_pid integer NOT NULL,
        command text NOT NULL,
        since timestamptz NOT NULL,
        PRIMARY KEY (migration, lock_kind)
      )`,
      // one row per class: where its copy stands, so a killed copy resumes after its last batch
      `CREATE TABLE {schema}.copy_progress (
        migration text NOT NULL,
        class text NOT NULL,
        snapshot text,
        last_key jsonb,
        rows bigint NOT NULL DEFAULT 0,
        bytes bigint NOT NULL DEFAULT 0,
        done boolean NOT NULL DEFAULT false,
        started_at timestamptz,
        finished_at timestamptz,
        PRIMARY KEY (migration, class)
      )`,
      // where replay/mirroring of captured changes stands, per class: a snapshot, not a sequence id
      `CREATE TABLE {schema}.capture_positions (
        migration text NOT NULL,
        class text NOT NULL,
        snapshot text NOT NULL,
        applied bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (migration, class)
      )`,
      `CREATE TABLE {schema}.parity_results (
        migration text NOT NULL,
        class text NOT NULL,
        passed boolean NOT NULL,
        checked_at timestamptz NOT NULL,
        result jsonb NOT NULL,
        PRIMARY KEY (migration, class)
      )`,
      // per class and check kind (money, audit, attachments, custom code): the latest result
      `CREATE TABLE {schema}.check_results (
        migration text NOT NULL,
        class text NOT NULL,
        kind text NOT NULL,
        passed boolean NOT NULL,
        checked_at timestamptz NOT NULL,
        result jsonb NOT NULL,
        PRIMARY KEY (migration, class, kind)
      )`,
      `CREATE TABLE {schema}.reconciliation_days (
        migration text NOT NULL,
        class text NOT NULL,
        day date NOT NULL,
        currency text NOT NULL,
        source_amount numeric,
        destination_amount numeric,
        bank_amount numeric,
        clean boolean NOT NULL,
        checked_at timestamptz NOT NULL,
        PRIMARY KEY (migration, class, day, currency)
      )`,
    ],
  },
  {
    version: 2,
    statements: [
      // the transactions that wrote rows into each class's destination table (copy batches,
      // replayed changes), each recorded in the transaction itself: a row whose xmin is not among
      // them was written by someone else, and cutover never deletes it
      `CREATE TABLE {schema}.written_xids (
        migration text NOT NULL,
        class text NOT NULL,
        xid bigint NOT NULL,
        PRIMARY KEY (migration, class, xid)
      )`,
    ],
  },
];

export const STATE_VERSION = STATE_MIGRATIONS[STATE_MIGRATIONS.length - 1]!.version;
