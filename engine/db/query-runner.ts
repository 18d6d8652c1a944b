// The one thing engine code needs of a database session: run a query. A pg.Client satisfies it;
// tests wrap it to count queries.
export interface QueryRunner {
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[]; rowCount?: number | null }>;
}
