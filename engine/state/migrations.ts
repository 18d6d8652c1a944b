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
  {
    version: 3,
    statements: [
      // changes the destination refused while mirroring, kept until retried or resolved: the
      // reads_switched gate opens only when none is open. The error message is scrubbed of secrets
      // by the caller (it is the destination's text, which can quote a URL or a password)
      `CREATE TABLE {schema}.parked_changes (
        id bigserial PRIMARY KEY,
        migration text NOT NULL,
        class text NOT NULL,
        key jsonb NOT NULL,
        op text NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
        source_xid text NOT NULL,
        sqlstate text,
        message text NOT NULL,
        first_seen timestamptz NOT NULL,
        attempts integer NOT NULL DEFAULT 1,
        last_attempt timestamptz NOT NULL,
        resolved_at timestamptz,
        resolution text CHECK (resolution IN ('retried', 'applied', 'superseded')),
        CHECK ((resolved_at IS NULL) = (resolution IS NULL))
      )`,
      // the same change refused again (a restarted mirror) is one parked change tried once more
      `CREATE UNIQUE INDEX ON {schema}.parked_changes (migration, class, key, op, source_xid)`,
      `CREATE INDEX ON {schema}.parked_changes (migration) WHERE resolved_at IS NULL`,
      // every compare of dual-run and the tail window, named by its time: `dual_run.resolutions`
      // cites a failed compare by that time, so a failed compare is never changed or removed
      `CREATE TABLE {schema}.compare_runs (
        migration text NOT NULL,
        at timestamptz NOT NULL,
        mode text NOT NULL CHECK (mode IN ('count', 'hash', 'exact')),
        snapshot text,
        clean boolean NOT NULL,
        summary jsonb NOT NULL DEFAULT '{}',
        duration_ms integer NOT NULL,
        PRIMARY KEY (migration, at)
      )`,
      // the keys that differed, per class, bounded: enough to investigate, not a copy of the table
      `CREATE TABLE {schema}.compare_samples (
        migration text NOT NULL,
        at timestamptz NOT NULL,
        class text NOT NULL,
        differing bigint NOT NULL,
        keys jsonb NOT NULL,
        PRIMARY KEY (migration, at, class),
        FOREIGN KEY (migration, at) REFERENCES {schema}.compare_runs (migration, at)
      )`,
      `CREATE FUNCTION {schema}.failed_compare_kept() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'a failed compare is kept: a resolution may name it'; END $$`,
      `CREATE TRIGGER failed_compare_kept BEFORE UPDATE OR DELETE ON {schema}.compare_runs
       FOR EACH ROW WHEN (NOT OLD.clean) EXECUTE FUNCTION {schema}.failed_compare_kept()`,
      `CREATE TRIGGER failed_compares_kept BEFORE TRUNCATE ON {schema}.compare_runs
       FOR EACH STATEMENT EXECUTE FUNCTION {schema}.failed_compare_kept()`,
      // each run of a hook (switch_reads, switch_writes, rollback, their rehearsal twins); the
      // output is a bounded tail, scrubbed of secrets by the caller
      `CREATE TABLE {schema}.hook_runs (
        id bigserial PRIMARY KEY,
        migration text NOT NULL,
        hook text NOT NULL,
        phase text NOT NULL,
        plan_fingerprint text NOT NULL,
        started_at timestamptz NOT NULL,
        finished_at timestamptz,
        exit_code integer,
        output text NOT NULL DEFAULT ''
      )`,
      `CREATE INDEX ON {schema}.hook_runs (migration, id)`,
      // rehearsals, by the fingerprint of the plan they rehearsed: a changed plan is not rehearsed
      `CREATE TABLE {schema}.rehearsals (
        id bigserial PRIMARY KEY,
        migration text NOT NULL,
        plan_fingerprint text NOT NULL,
        kind text NOT NULL,
        started_at timestamptz NOT NULL,
        finished_at timestamptz NOT NULL,
        passed boolean NOT NULL,
        detail jsonb NOT NULL DEFAULT '{}'
      )`,
      `CREATE INDEX ON {schema}.rehearsals (migration, plan_fingerprint, kind, id)`,
    ],
  },
  {
    version: 4,
    statements: [
      // one capture log across classes has one position per direction (forward: the source's
      // changes into the destination; reverse: after the write switch, back), each a snapshot
      // committed in the same transaction as the changes it covers
      `CREATE TABLE {schema}.capture_log_positions (
        migration text NOT NULL,
        direction text NOT NULL CHECK (direction IN ('forward', 'reverse')),
        snapshot text NOT NULL,
        drain_to text,
        applied bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (migration, direction)
      )`,
    ],
  },
  {
    version: 5,
    statements: [
      // a parked change keeps the source row the destination refused, as the mirror read it
      `ALTER TABLE {schema}.parked_changes ADD COLUMN source_row jsonb`,
      // the running mirror's heartbeat: status, plan and the console read lag and throughput here
      `CREATE TABLE {schema}.mirror_status (
        migration text PRIMARY KEY,
        pid integer NOT NULL,
        host text NOT NULL,
        started_at timestamptz NOT NULL,
        beat_at timestamptz NOT NULL,
        stopped_at timestamptz,
        applied bigint NOT NULL DEFAULT 0,
        rate double precision NOT NULL DEFAULT 0,
        lag_seconds double precision NOT NULL DEFAULT 0,
        pending bigint NOT NULL DEFAULT 0
      )`,
    ],
  },
];

export const STATE_VERSION = STATE_MIGRATIONS[STATE_MIGRATIONS.length - 1]!.version;
