// Plan durations: `14d`, `48h`, `30m`, `10s`.
const UNIT_SECONDS = { d: 86_400, h: 3_600, m: 60, s: 1 } as const;

export function parseDuration(text: string): number | undefined {
  const m = /^([0-9]+)([dhms])$/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * UNIT_SECONDS[m[2] as keyof typeof UNIT_SECONDS];
}

export function formatDuration(seconds: number): string {
  for (const [unit, size] of Object.entries(UNIT_SECONDS)) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
