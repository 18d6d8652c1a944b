// Checks point their findings at the plan's YAML through this, without knowing YAML.
export type Locate = (path: readonly (string | number)[]) => { line: number; col: number };

export const NOWHERE: Locate = () => ({ line: 1, col: 1 });
