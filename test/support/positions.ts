// A stand-in for the YAML positions the engine's checks report findings at, for tests that build a
// Plan in code instead of parsing a file.

/** Each path gets its own line (1, 2, … in the order first asked for), the same one every time, at column `col`. */
export function positions(col: number) {
  const lines = new Map<string, number>();
  const locate = (path: readonly (string | number)[]) => {
    const key = path.join('/');
    if (!lines.has(key)) lines.set(key, lines.size + 1);
    return { line: lines.get(key)!, col };
  };
  return { locate, at: (...path: (string | number)[]) => locate(path) };
}
